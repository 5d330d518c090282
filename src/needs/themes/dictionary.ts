import { normalizeText } from '../text/normalize.ts';
import type { Clause } from '../types.ts';
import type { Theme } from './themes.ts';

/** A theme's seed dictionary, ready for matching. */
export interface CompiledDictionary {
  needs: { id: string; keywords: string[]; variants: string[] }[];
}

/** Dictionary matches of one clause, per need index. */
export interface DictionaryMatch {
  /** Matched keywords and variants per need (empty array: no match). */
  evidence: string[][];
  /** Prior score per need in [0, 1): 1 - exp(-(0.7 keywords + 1.2 variants)). */
  scores: Float32Array;
}

/**
 * Prepares a theme's keywords and variants for matching (NFKC, as texts are).
 *
 * @param theme the taxonomy
 * @example
 * const dict = compileDictionary(loadTheme(files, 'convection_oven'));
 */
export function compileDictionary(theme: Pick<Theme, 'needs'>): CompiledDictionary {
  const norm = (s: string) => normalizeText(s).text.trim();
  return {
    needs: theme.needs.map((n) => ({
      id: n.id,
      keywords: [...new Set(n.keywords.map(norm).filter(Boolean))],
      variants: [...new Set(n.variants.map(norm).filter(Boolean))],
    })),
  };
}

/** True when `needle` occurs in `hay` starting and ending on token boundaries. */
function matchesAtBoundaries(hay: string, bounds: Set<number>, needle: string): boolean {
  let from = 0;
  for (;;) {
    const at = hay.indexOf(needle, from);
    if (at < 0) return false;
    if (bounds.has(at) && bounds.has(at + needle.length)) return true;
    from = at + 1;
  }
}

function joined(parts: readonly string[]): { text: string; bounds: Set<number> } {
  const bounds = new Set<number>([0]);
  let text = '';
  for (const p of parts) {
    text += p;
    bounds.add(text.length);
  }
  return { text, bounds };
}

/** Where each need's variants occur in the clause's surface text: [start, end, need]. */
function variantSpans(dict: CompiledDictionary, hay: string): [number, number, number][] {
  const spans: [number, number, number][] = [];
  dict.needs.forEach((need, k) => {
    for (const v of need.variants) {
      for (let at = hay.indexOf(v); at >= 0; at = hay.indexOf(v, at + 1)) spans.push([at, at + v.length, k]);
    }
  });
  return spans;
}

/**
 * True when every occurrence of `word` in `hay` lies inside a longer variant of another need:
 * 油 inside 油はね (cleaning) or 油代 (cost) is not healthy's 油. False when `word` does not occur
 * (a keyword matched through its base form only).
 */
function insideOtherNeed(
  hay: string,
  word: string,
  spans: readonly [number, number, number][],
  need: number,
) {
  let any = false;
  for (let at = hay.indexOf(word); at >= 0; at = hay.indexOf(word, at + 1)) {
    any = true;
    const end = at + word.length;
    if (!spans.some(([s, e, k]) => k !== need && s <= at && end <= e && e - s > word.length)) return false;
  }
  return any;
}

/**
 * Matches a clause against the dictionary. Keywords (base forms) must cover whole tokens, in
 * base or surface form, so 楽 does not fire inside 楽しい; variants (surface phrases such as
 * 予熱いらず) match anywhere in the clause text. The longer phrase wins between needs: a keyword
 * or variant found only inside another need's longer variant does not count.
 *
 * @param dict from `compileDictionary`
 * @param clause a clause from `splitClauses`
 * @example
 * matchDictionary(dict, clause).evidence[0]; // ['時短', '入れるだけ']
 */
export function matchDictionary(dict: CompiledDictionary, clause: Clause): DictionaryMatch {
  const bases = joined(clause.tokens.map((t) => t.base));
  const surfaces = joined(clause.tokens.map((t) => t.surface));
  const spans = variantSpans(dict, surfaces.text);
  const evidence: string[][] = [];
  const scores = new Float32Array(dict.needs.length);
  dict.needs.forEach((need, k) => {
    const found: string[] = [];
    let keywords = 0;
    let variants = 0;
    for (const kw of need.keywords) {
      if (
        (matchesAtBoundaries(bases.text, bases.bounds, kw) ||
          matchesAtBoundaries(surfaces.text, surfaces.bounds, kw)) &&
        !insideOtherNeed(surfaces.text, kw, spans, k)
      ) {
        keywords++;
        found.push(kw);
      }
    }
    for (const v of need.variants) {
      if (
        (clause.text.includes(v) || surfaces.text.includes(v)) &&
        !insideOtherNeed(surfaces.text, v, spans, k)
      ) {
        variants++;
        found.push(v);
      }
    }
    evidence.push(found);
    scores[k] = 1 - Math.exp(-(0.7 * keywords + 1.2 * variants));
  });
  return { evidence, scores };
}
