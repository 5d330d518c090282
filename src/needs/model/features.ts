import type { DictionaryMatch } from '../themes/dictionary.ts';
import type { Clause, Token } from '../types.ts';
import { countCues } from './lexicon.ts';

/** Which features the classifier sees; stored in the artifact so scoring uses the same ones. */
export interface FeatureParams {
  /** Keep function words that carry intent (ない, たい, ほしい, にくい, やすい, しか, ほど, ...). */
  functionWords: boolean;
  /** Pairs of consecutive kept words. */
  bigrams: boolean;
  /** Character n-gram range of the clause text, e.g. [2, 3]; null for none. */
  charNgrams: [number, number] | null;
  /** Words of a negated clause also as `n:` features (「時短にならない」 vs 「時短になる」). */
  negationScope: boolean;
  /** One `d:<need>` feature per dictionary need matched in the clause. */
  dictionary: boolean;
  /** Evaluative cue counts and clause flags (negated, adversative before/after, question). */
  cues: boolean;
  /**
   * Each content word also by its reading (`r:`, katakana of the base form), so kana and kanji
   * spellings of one word (美味しい, おいしい, オイシイ) share a feature.
   */
  readings?: boolean;
  /** Character n-gram range of the clause's reading (katakana), e.g. [2, 3]; null or absent for none. */
  readingNgrams?: [number, number] | null;
  /**
   * Keep every token, particles and symbols included (as `f:`). Off for needs, where particles
   * are noise on short clauses; on for long documents, where 【】, ♪ and quoting habits are
   * part of a source's style.
   */
  allTokens?: boolean;
}

export const DEFAULT_FEATURES: FeatureParams = {
  functionWords: true,
  bigrams: true,
  charNgrams: null,
  negationScope: true,
  dictionary: true,
  cues: true,
  readings: true,
  readingNgrams: [2, 3],
};

// Function words kept because they carry intent or evaluation: negation, wish, ease and
// difficulty, excess, potential/passive, completion, limitation and comparison.
const INTENT_WORDS = new Set([
  'ない',
  'ぬ',
  'ん',
  'たい',
  'たがる',
  'ほしい',
  'にくい',
  'づらい',
  'やすい',
  'すぎる',
  'れる',
  'られる',
  'せる',
  'させる',
  'しまう',
  'ちゃう',
  'いい',
  'よい',
  'くれる',
  'もらう',
  'みる',
  'しか',
  'だけ',
  'ほど',
  'ばかり',
  'さえ',
  'すら',
  'まで',
  'くらい',
  'ぐらい',
  'そう',
  'よう',
  'らしい',
  'たら',
  'ば',
]);
// Negation written three ways is one feature.
const NEGATION_FORMS = new Map([
  ['ぬ', 'ない'],
  ['ん', 'ない'],
]);

const toKatakana = (s: string) =>
  s.replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));

/**
 * The reading of a token's base form: its surface reading with the conjugated ending swapped for
 * the base form's (美味しかっ read オイシカッ -> オイシイ). Falls back to the katakana of the base.
 */
export function baseReading(t: Token): string {
  const reading = toKatakana(t.reading);
  if (t.base === t.surface) return reading;
  let p = 0;
  while (p < t.base.length && p < t.surface.length && t.base[p] === t.surface[p]) p++;
  const surfaceEnding = toKatakana(t.surface.slice(p));
  if (p > 0 && reading.endsWith(surfaceEnding)) {
    return reading.slice(0, reading.length - surfaceEnding.length) + toKatakana(t.base.slice(p));
  }
  return toKatakana(t.base);
}

/** A token's feature word, or null when the token is dropped; `function` tells the kind. */
export function tokenWord(
  t: Token,
  functionWords: boolean,
  allTokens = false,
): { word: string; function: boolean } | null {
  if (allTokens) {
    const content = tokenWord(t, false);
    return content ?? { word: NEGATION_FORMS.get(t.base) ?? t.base, function: true };
  }
  switch (t.pos) {
    case '記号':
    case 'フィラー':
    case 'その他':
      return null;
    case '名詞':
      if (t.pos1 === '数') return { word: '#', function: false };
      if (t.pos1 === '代名詞') return null;
      if (t.pos1 === '非自立')
        return functionWords && INTENT_WORDS.has(t.base) ? { word: t.base, function: true } : null;
      return { word: t.base, function: false };
    case '動詞':
    case '形容詞':
      if (t.pos1 === '自立') return { word: t.base, function: false };
      return functionWords && INTENT_WORDS.has(t.base) ? { word: t.base, function: true } : null;
    case '助動詞':
    case '助詞':
      if (!functionWords || !INTENT_WORDS.has(t.base)) return null;
      return { word: NEGATION_FORMS.get(t.base) ?? t.base, function: true };
    default:
      // 副詞, 連体詞, 接頭詞, 感動詞, 接続詞
      return { word: t.base, function: false };
  }
}

/**
 * Feature strings of a token sequence: words (`w:`, function words `f:`), bigrams (`b:`),
 * negated words (`n:`) and character n-grams (`c:`). Repeats are kept (they are term counts).
 *
 * @param tokens the tokens
 * @param text the surface text, for character n-grams
 * @param params which features
 * @param negated whether the span is negated
 * @example
 * tokenFeatures(tokens('洗いにくい'), '洗いにくい', DEFAULT_FEATURES, false);
 * // ['w:洗う', 'f:にくい', 'b:洗う|にくい', 'c:洗い', ...]
 */
export function tokenFeatures(
  tokens: readonly Token[],
  text: string,
  params: FeatureParams,
  negated: boolean,
): string[] {
  const out: string[] = [];
  let prev: string | null = null;
  for (const t of tokens) {
    const w = tokenWord(t, params.functionWords, params.allTokens);
    if (!w) continue;
    out.push(`${w.function ? 'f' : 'w'}:${w.word}`);
    if (params.readings && !w.function && w.word !== '#') out.push(`r:${baseReading(t)}`);
    if (params.negationScope && negated && !w.function) out.push(`n:${w.word}`);
    if (params.bigrams && prev !== null) out.push(`b:${prev}|${w.word}`);
    prev = w.word;
  }
  if (params.charNgrams) {
    const [lo, hi] = params.charNgrams;
    const chars = [...text.replace(/[\s\p{P}\p{S}]/gu, '')];
    for (let n = lo; n <= hi; n++) {
      for (let i = 0; i + n <= chars.length; i++) out.push(`c:${chars.slice(i, i + n).join('')}`);
    }
  }
  if (params.readingNgrams) {
    const [lo, hi] = params.readingNgrams;
    const chars = [...tokens.map((t) => (t.pos === '記号' ? '' : toKatakana(t.reading))).join('')];
    for (let n = lo; n <= hi; n++) {
      for (let i = 0; i + n <= chars.length; i++) out.push(`k:${chars.slice(i, i + n).join('')}`);
    }
  }
  return out;
}

/**
 * Feature strings of one clause: its token features plus dictionary matches (`d:<need>`),
 * evaluative cue counts (`s:+`, `s:-`) and flags (`x:neg`, `x:advBefore`, `x:advAfter`, `x:q`).
 *
 * @param clause from `splitClauses`
 * @param params which features
 * @param dict the clause's dictionary match, with the theme's need ids
 * @example
 * clauseFeatures(clause, DEFAULT_FEATURES, { match, needIds });
 */
export function clauseFeatures(
  clause: Clause,
  params: FeatureParams,
  dict?: { match: DictionaryMatch; needIds: readonly string[] },
): string[] {
  const out = tokenFeatures(clause.tokens, clause.text, params, clause.negated);
  if (params.dictionary && dict) {
    dict.match.evidence.forEach((found, k) => {
      for (let i = 0; i < found.length; i++) out.push(`d:${dict.needIds[k]}`);
    });
  }
  if (params.cues) {
    const cues = countCues(clause.tokens);
    for (let i = 0; i < cues.positive; i++) out.push('s:+');
    for (let i = 0; i < cues.negative; i++) out.push('s:-');
    if (clause.negated) out.push('x:neg');
    if (clause.adversativeBefore) out.push('x:advBefore');
    if (clause.adversativeAfter) out.push('x:advAfter');
    if (/[?？]|かな$/.test(clause.text)) out.push('x:q');
  }
  return out;
}
