import type { Token } from '../types.ts';

/**
 * The adversative and concessive markers of Japanese, as token patterns over kuromoji/IPADIC
 * output. A marker either closes the conceded clause (「安いけど、」「焼ける反面、」「値段のわりに」) or
 * opens the clause that carries the point (「しかし、」「その代わり」「とはいえ、」 at the start of a
 * sentence). Patterns match surfaces or base forms, so 言っても/いっても and 割に/わりに are one
 * pattern each, and so is every spelling IPADIC analyses the same way.
 */

/** One token of a pattern: any of these surfaces or base forms. */
type Slot = readonly string[];

export interface MarkerPattern {
  /** The form reported for the clause, e.g. 反面, とは言っても. */
  form: string;
  slots: readonly Slot[];
  /**
   * `close`: the pattern ends the clause it follows (it needs words before it in the sentence).
   * `open`: the pattern starts a clause, at the start of a sentence or right after a comma there.
   */
  role: 'close' | 'open';
  /** Extra condition on the tokens around the match (i: first token, end: one past the last). */
  guard?: (tokens: readonly Token[], i: number, end: number) => boolean;
}

const PREDICATE_POS = new Set(['動詞', '形容詞', '助動詞']);
const NEGATIVE_AFTER_HAZU = new Set(['ない', 'ある', 'なかろ', 'あり', 'なく', 'ねえ', 'ねー']);

/** What a clause-final concessive noun (くせ, わり, 反面, 一方) follows: a predicate, or a noun with の/な. */
function afterPredicateOrNoun(tokens: readonly Token[], i: number): boolean {
  const prev = tokens[i - 1];
  if (!prev) return false;
  if (PREDICATE_POS.has(prev.pos)) return true;
  if (prev.pos === '助詞' && prev.surface === 'の') return true;
  return prev.pos === '名詞' && prev.pos1 !== '数';
}

/** Concessive patterns made of several tokens, or of tokens IPADIC tags as nouns. */
export const MARKER_PATTERNS: readonly MarkerPattern[] = [
  { form: 'くせに', slots: [['くせ', '癖'], ['に']], role: 'close', guard: afterPredicateOrNoun },
  { form: '反面', slots: [['反面']], role: 'close', guard: afterPredicateOrNoun },
  { form: '一方で', slots: [['一方'], ['で']], role: 'close', guard: afterPredicateOrNoun },
  {
    form: '一方',
    slots: [['一方']],
    role: 'close',
    guard: (t, i, end) => afterPredicateOrNoun(t, i) && t[end]?.pos1 === '読点',
  },
  { form: 'わりに', slots: [['わり', '割'], ['に'], ['は']], role: 'close', guard: afterPredicateOrNoun },
  { form: 'わりに', slots: [['わり', '割'], ['に']], role: 'close', guard: afterPredicateOrNoun },
  { form: 'にもかかわらず', slots: [['に'], ['も'], ['かかわる', '関わる'], ['ぬ']], role: 'close' },
  { form: 'とはいえ', slots: [['と'], ['は'], ['いう', '言う'], []], role: 'close', guard: isIe },
  { form: 'とは言っても', slots: [['と'], ['は'], ['いう', '言う'], ['て'], ['も']], role: 'close' },
  { form: 'とは言っても', slots: [['と'], ['いう', '言う'], ['て'], ['も']], role: 'close' },
  { form: 'ながらも', slots: [['ながら'], ['も']], role: 'close' },
  {
    form: 'はずが',
    slots: [['はず', '筈'], ['が']],
    role: 'close',
    guard: (t, _i, end) => {
      let j = end;
      while (t[j]?.pos1 === '読点') j++;
      return t[j] !== undefined && !NEGATIVE_AFTER_HAZU.has(t[j]!.base);
    },
  },
  { form: 'その代わり', slots: [['その'], ['代わり', 'かわり', '代り'], ['に']], role: 'open' },
  { form: 'その代わり', slots: [['その'], ['代わり', 'かわり', '代り']], role: 'open' },
  { form: '代わりに', slots: [['代わり', 'かわり'], ['に']], role: 'open' },
  { form: '反面', slots: [['その'], ['反面']], role: 'open' },
  { form: '反面', slots: [['反面']], role: 'open' },
  { form: '一方で', slots: [['その'], ['一方'], ['で']], role: 'open' },
  { form: '一方で', slots: [['一方'], ['で']], role: 'open' },
  { form: '一方', slots: [['一方']], role: 'open' },
  { form: 'とはいえ', slots: [['と'], ['は'], ['いう', '言う'], []], role: 'open', guard: isIe },
  { form: 'とは言っても', slots: [['と'], ['は'], ['いう', '言う'], ['て'], ['も']], role: 'open' },
  { form: 'とは言っても', slots: [['って'], ['いう', '言う'], ['て'], ['も']], role: 'open' },
  { form: 'にもかかわらず', slots: [['に'], ['も'], ['かかわる', '関わる'], ['ぬ']], role: 'open' },
  { form: 'それでも', slots: [['それ'], ['でも']], role: 'open' },
  { form: 'それでも', slots: [['それ'], ['で'], ['も']], role: 'open' },
  { form: 'なのに', slots: [['それ'], ['なのに']], role: 'open' },
  { form: 'なのに', slots: [['な', 'だ'], ['の'], ['に']], role: 'open' },
  { form: 'が', slots: [['です', 'だ'], ['が']], role: 'open' },
  {
    form: 'けど',
    slots: [
      ['だ', 'です'],
      ['けど', 'けれど', 'けれども', 'けども'],
    ],
    role: 'open',
  },
  { form: 'けど', slots: [['なん'], ['だ', 'です'], ['けど', 'けれど', 'けれども', 'けども']], role: 'open' },
  { form: 'ところが', slots: [['ところ'], ['が']], role: 'open' },
];

/** The いえ of とはいえ (命令形 or 連用形 of いう/言える, as IPADIC has it), not いえ of 家. */
function isIe(tokens: readonly Token[], i: number, _end: number): boolean {
  const t = tokens[i + 2];
  return t !== undefined && (t.surface === 'いえ' || t.surface === '言え');
}

/** Conjunctive particles (接続助詞) that end a conceded clause: 「A けど、B」「A が、B」「A のに、B」. */
export const CLOSING_PARTICLES = new Set([
  'けど',
  'けれど',
  'けれども',
  'けども',
  'が',
  'のに',
  'ものの',
  'くせに',
]);

/** Conjunctions (接続詞) that open the clause carrying the point: 「A。でも B」「しかし B」. */
export const OPENING_CONJUNCTIONS = new Set([
  'しかし',
  'しかしながら',
  'でも',
  'だけど',
  'だけども',
  'だけれど',
  'だけれども',
  'けど',
  'けれど',
  'けれども',
  'だが',
  'ですが',
  'が',
  'ただ',
  'ただし',
  'なのに',
  'それなのに',
  'それでも',
  'ところが',
  'とはいえ',
  '反面',
  '一方',
  'もっとも',
]);

/**
 * The pattern matching at token `i` with the given role, with its end (one past its last token).
 * Empty slots match any token (guards check them).
 */
export function matchPattern(
  tokens: readonly Token[],
  i: number,
  role: MarkerPattern['role'],
): { pattern: MarkerPattern; end: number } | null {
  for (const pattern of MARKER_PATTERNS) {
    if (pattern.role !== role) continue;
    const end = i + pattern.slots.length;
    if (end > tokens.length) continue;
    const ok = pattern.slots.every((slot, k) => {
      const t = tokens[i + k]!;
      return slot.length === 0 || slot.includes(t.surface) || slot.includes(t.base);
    });
    if (ok && (!pattern.guard || pattern.guard(tokens, i, end))) return { pattern, end };
  }
  return null;
}
