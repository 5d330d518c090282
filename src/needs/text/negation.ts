import type { Token } from '../types.ts';

export interface NegationResult {
  negated: boolean;
  /** Negation markers as written (ない, ん, ず, なかっ, ...). */
  markers: string[];
}

const NEGATING_AUX = new Set(['ない', 'ぬ', 'ん']);
// Fixed phrases built on ない that do not negate the predicate: かもしれない (maybe),
// 間違いない (certainly), 仕方ない (cannot be helped), 半端ない (amazing), ...
const IDIOM_HEADS = new Set(['しれる', '間違い', '仕方', 'しょうが', '半端', '違い', '申し訳', 'もったい']);
// ないと/なければ + いけない/ならない/だめ is an obligation, not a negation.
const OBLIGATION = new Set(['いける', 'なる', 'だめ', 'ダメ', '駄目']);
const SKIP_AFTER = new Set(['です', 'でしょ', 'でしょう', 'う', 'の', 'ん']);
const QUESTION = new Set(['?', '？']);
const TAG_QUESTION = new Set(['か', 'かな', 'かね', 'よね', 'ね']);

function isNegator(t: Token): boolean {
  if (t.pos === '助動詞' && NEGATING_AUX.has(t.base)) return true;
  // 時間がない, 文句はない; but 油なし / 文句なし mean "without", not a negated predicate.
  return t.pos === '形容詞' && t.pos1 === '自立' && t.base === 'ない' && t.surface !== 'なし';
}

/**
 * True when the ない at `i` is rhetorical: 〜じゃない？, 〜くない？ (すごくない？), 〜じゃないですか,
 * 〜んじゃない (a hedge), 美味しいじゃない！ (じゃない after a plain adjective or verb can only be
 * an exclamation).
 */
function isRhetorical(tokens: readonly Token[], i: number): boolean {
  let j = i + 1;
  while (j < tokens.length && SKIP_AFTER.has(tokens[j]!.surface)) j++;
  const next = tokens[j];
  if (next && QUESTION.has(next.surface)) return true;
  const prev = tokens[i - 1];
  const afterJa = prev !== undefined && (prev.surface === 'じゃ' || prev.surface === 'では');
  if (!afterJa) return false;
  if (next && TAG_QUESTION.has(next.base)) return true;
  const head = tokens[i - 2];
  return (
    head !== undefined &&
    // 〜んじゃない: "I guess it is", a hedge, not a negation.
    (head.surface === 'ん' ||
      (head.pos === '形容詞' && head.conjForm === '基本形') ||
      (head.pos === '動詞' && head.conjForm === '基本形') ||
      (head.pos === '助動詞' && head.base === 'た'))
  );
}

function isIdiomOrObligation(tokens: readonly Token[], i: number): boolean {
  const prev = tokens[i - 1];
  // にもかかわらず ("although") is a concessive marker, not a negated predicate.
  if (tokens[i]!.base === 'ぬ' && prev && (prev.base === 'かかわる' || prev.base === '関わる')) return true;
  if (prev && IDIOM_HEADS.has(prev.base)) return true;
  const next = tokens[i + 1];
  const after = tokens[i + 2];
  if (next && (next.surface === 'と' || next.surface === 'ば') && after && OBLIGATION.has(after.base))
    return true;
  // The ない of いけない / ならない closing the same obligation.
  const before = tokens[i - 2];
  return (
    prev !== undefined &&
    OBLIGATION.has(prev.base) &&
    before !== undefined &&
    (before.surface === 'と' || before.surface === 'ば')
  );
}

/**
 * Finds negation in a clause: ない, ません (ん), ず/ぬ, なかった, and ない as a predicate
 * adjective (時間がない). Not negation: rhetorical 〜じゃない？ and 〜くない？, なし ("without"),
 * idioms (かもしれない, 間違いない, 仕方ない) and obligations (〜ないといけない).
 *
 * @param tokens the clause's tokens
 * @returns whether the clause is negated and the markers found
 * @example
 * detectNegation(tokens('掃除が楽になったわけじゃない')).negated; // true
 * detectNegation(tokens('すごくない？')).negated; // false
 */
export function detectNegation(tokens: readonly Token[]): NegationResult {
  const markers: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!isNegator(t)) continue;
    if (t.base === 'ない' && isRhetorical(tokens, i)) continue;
    if (isIdiomOrObligation(tokens, i)) continue;
    markers.push(t.surface);
  }
  return { negated: markers.length > 0, markers };
}
