import type { Clause, Token } from '../types.ts';
import { CLOSING_PARTICLES, matchPattern, OPENING_CONJUNCTIONS } from './markers.ts';
import { detectNegation } from './negation.ts';

// What follows a purpose のに (「パンを焼くのに便利」), as opposed to an adversative one.
const PURPOSE_NEXT = new Set([
  '便利',
  'いい',
  '良い',
  'よい',
  '最適',
  'ちょうど',
  '必要',
  '十分',
  '使える',
  '重宝',
  '向く',
  'ぴったり',
  '時間',
  '手間',
  '適する',
  '役立つ',
  '欠かせる',
]);

// Progressive and resultative auxiliary verbs (〜てる, 〜ている, 〜でる, 〜とる).
const PROGRESSIVE = new Set(['てる', 'いる', 'でる', 'とる', 'おる']);

// IPADIC tags runs of ASCII marks (「??」「!!」「...」) and laughter (「w」「ｗｗ」) as nouns, not 記号:
// after an adversative they close the post just as 「。」 does.
const SYMBOLS = /^(?:[\p{P}\p{S}]+|[wｗ]+)$/u;
const isPunct = (t: Token | undefined) => t !== undefined && (t.pos === '記号' || SYMBOLS.test(t.surface));
// A long vowel or trailing dots close a phrase the way a comma does in casual posts: 「ほしい〜けど」.
const isTrail = (t: Token | undefined) =>
  t !== undefined && t.pos === '記号' && /^[〜～ー…‥・]+$/u.test(t.surface);
const isComma = (t: Token | undefined) => t !== undefined && t.pos === '記号' && t.pos1 === '読点';

/** Where a clause ends: after token `end - 1`; `opening` when the marker starts the next clause. */
interface Boundary {
  end: number;
  marker: string;
}

/** A closing marker at token `i`: its form and the index one past its last token. */
function closingMarker(tokens: readonly Token[], i: number): { form: string; end: number } | null {
  const t = tokens[i]!;
  const prev = tokens[i - 1];
  const next = tokens[i + 1];
  if (i === 0) return null;
  if (t.pos === '助詞' && t.pos1 === '接続助詞' && CLOSING_PARTICLES.has(t.base)) {
    if (t.base === 'のに' && isPurposeNoni(prev, next)) return null;
    return { form: t.surface, end: i + 1 };
  }
  // IPADIC often splits のに into の (non-independent noun) + に (case particle).
  if (t.surface === 'に' && t.pos === '助詞' && prev?.surface === 'の' && prev.pos === '名詞') {
    const before = tokens[i - 2];
    const adversativeHead =
      before !== undefined &&
      ((before.pos === '助動詞' && ['た', 'ない', 'だ', 'ぬ', 'ん'].includes(before.base)) ||
        (before.pos === '形容詞' && before.conjForm === '基本形'));
    if (adversativeHead && !(next && PURPOSE_NEXT.has(next.base) && !isComma(next)))
      return { form: 'のに', end: i + 1 };
    if (before?.pos === '動詞' && isComma(next)) return { form: 'のに', end: i + 1 };
    // After a progressive (食べてるのに, 使っているのに) のに is a contrast: purpose のに
    // follows a plain verb (焼くのに, 作るのに).
    if (before !== undefined && PROGRESSIVE.has(before.base) && before.pos1 === '非自立')
      return { form: 'のに', end: i + 1 };
  }
  const pattern = matchPattern(tokens, i, 'close');
  return pattern ? { form: pattern.pattern.form, end: pattern.end } : null;
}

function isPurposeNoni(prev: Token | undefined, next: Token | undefined): boolean {
  return (
    prev?.pos === '動詞' && prev.conjForm === '基本形' && next !== undefined && PURPOSE_NEXT.has(next.base)
  );
}

/** ただ as "just" (「ただ入れるだけ」「ただでさえ」「ただの箱」), not as "however". */
function isJustTada(tokens: readonly Token[], i: number): boolean {
  const next = tokens[i + 1];
  if (isComma(next)) return false;
  if (next && (next.surface === 'の' || next.surface === 'で' || next.surface === 'より')) return true;
  for (let j = i + 1; j < tokens.length && !isComma(tokens[j]); j++) {
    if (tokens[j]!.surface === 'だけ') return true;
  }
  return false;
}

function openingMarker(tokens: readonly Token[], i: number): string | null {
  const t = tokens[i]!;
  const atStart = i === 0 || isComma(tokens[i - 1]) || isTrail(tokens[i - 1]);
  if (!atStart) return null;
  if (t.surface === 'ただ') return isJustTada(tokens, i) ? null : t.surface;
  if (t.pos === '接続詞' && OPENING_CONJUNCTIONS.has(t.base)) {
    // A lone が or けど opening a sentence is a conjunction only before a comma or a clause.
    if ((t.base === 'が' || t.base === 'けど') && tokens.length < 3) return null;
    return t.surface;
  }
  const pattern = matchPattern(tokens, i, 'open');
  if (!pattern) return null;
  // An opening pattern must be followed by words of its own clause.
  return pattern.end < tokens.length ? pattern.pattern.form : null;
}

/** True when a span carries no words: only punctuation, particles and auxiliaries (「なんだけど、」). */
function isEmptySpan(tokens: readonly Token[]): boolean {
  return tokens.every(
    (t) =>
      isPunct(t) ||
      t.pos === '助詞' ||
      t.pos === '助動詞' ||
      t.pos === '接続詞' ||
      (t.pos === '名詞' && (t.pos1 === '代名詞' || t.pos1 === '非自立')),
  );
}

/** Character offsets of each token in its sentence (tokenizers drop spaces, so surfaces are searched). */
function offsets(sentence: string, tokens: readonly Token[]): [number, number][] {
  const out: [number, number][] = [];
  let cursor = 0;
  for (const t of tokens) {
    const at = sentence.indexOf(t.surface, cursor);
    const start = at >= 0 ? at : cursor;
    const end = at >= 0 ? at + t.surface.length : cursor;
    out.push([start, end]);
    cursor = end;
  }
  return out;
}

/**
 * Splits tokenized sentences into clauses at adversatives and marks negation.
 *
 * A clause ends after a conjunctive particle of concession (けど, が as a conjunction, のに,
 * ものの) and before an adversative conjunction (しかし, でも, ただ, だけど, それでも); が as a case
 * particle (「揚がるのが最高」) and purpose のに (「焼くのに便利」) do not split. A span with no words
 * (「なんだけど、」) is dropped and its contrast passed on. A sentence that opens with an adversative
 * contrasts with the previous sentence. A sentence-final けど softens rather than contrasts: it
 * marks the clause but does not split.
 *
 * @param sentences the normalised sentences
 * @param tokens one token list per sentence
 * @returns the clauses in text order
 * @example
 * // 「Aはイマイチだけど、Bは良かった」 -> two clauses; the second has adversativeBefore: true
 * splitClauses(['唐揚げはイマイチだけど、パンは良かった'], tokens);
 */
export function splitClauses(sentences: readonly string[], tokens: readonly Token[][]): Clause[] {
  const clauses: Clause[] = [];
  let carry: string | null = null;
  for (let s = 0; s < sentences.length; s++) {
    const sentence = sentences[s]!;
    const toks = tokens[s] ?? [];
    const pos = offsets(sentence, toks);
    const boundaries: Boundary[] = [];
    for (let i = 0; i < toks.length; i++) {
      const open = openingMarker(toks, i);
      if (open !== null) {
        boundaries.push({ end: i, marker: open });
        continue;
      }
      const found = closingMarker(toks, i);
      if (found === null) continue;
      const close = found.form;
      let end = found.end;
      // Sentence-final particles after the marker stay with it: 「高いけどね、」「安いけどさ、」.
      while (toks[end]?.pos1 === '終助詞') end++;
      while (isComma(toks[end])) end++;
      // Nothing but punctuation after it: a softening sentence-final けど, not a contrast.
      if (toks.slice(end).every(isPunct)) {
        boundaries.push({ end: toks.length, marker: `${close}$` });
        continue;
      }
      boundaries.push({ end, marker: close });
      i = end - 1;
    }
    let start = 0;
    const spans: { from: number; to: number; before: string | null; after: string | null }[] = [];
    let before: string | null = carry;
    carry = null;
    for (const b of boundaries) {
      if (b.marker.endsWith('$')) {
        spans.push({ from: start, to: b.end, before, after: b.marker.slice(0, -1) });
        start = b.end;
        before = null;
        continue;
      }
      spans.push({ from: start, to: b.end, before, after: b.marker });
      start = b.end;
      before = b.marker;
    }
    if (start < toks.length || spans.length === 0)
      spans.push({ from: start, to: toks.length, before, after: null });
    for (const span of spans) {
      const slice = toks.slice(span.from, span.to);
      if (slice.length === 0 || isEmptySpan(slice)) {
        // The contrast survives the empty span: 「味は満点。なんだけど、この図体が…」.
        if (span.after !== null && !span.after.endsWith('$')) carry = span.after;
        else if (span.before !== null) carry = span.before;
        const last = clauses[clauses.length - 1];
        if (last && carry !== null) last.adversativeAfter = true;
        continue;
      }
      if (carry !== null && span.before === null) span.before = carry;
      carry = null;
      const [from] = pos[span.from]!;
      const to = pos[span.to - 1]![1];
      const negation = detectNegation(slice);
      if (span.before !== null) {
        const prev = clauses[clauses.length - 1];
        if (prev) prev.adversativeAfter = true;
      }
      clauses.push({
        text: sentence.slice(from, to),
        tokens: slice,
        sentence: s,
        adversativeBefore: span.before !== null,
        adversativeAfter: span.after !== null,
        marker: span.before,
        negated: negation.negated,
        negations: negation.markers,
      });
    }
  }
  return clauses;
}

/**
 * Index of the clause after the last adversative: the clause that carries the point of the text
 * (「Aはイマイチだけど、Bは良かった」 -> the B clause). Null when the text has no contrast.
 *
 * @param clauses from `splitClauses`
 * @example
 * focusClauseIndex(splitClauses(sentences, tokens)); // 1
 */
export function focusClauseIndex(clauses: readonly Clause[]): number | null {
  for (let i = clauses.length - 1; i >= 0; i--) if (clauses[i]!.adversativeBefore) return i;
  return null;
}
