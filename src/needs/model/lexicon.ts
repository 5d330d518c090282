import type { Clause, Polarity, Token } from '../types.ts';

// Evaluative words of consumer text (base forms). They feed the polarity head as features and
// decide polarity alone for a theme that has no trained model yet.
const POSITIVE = new Set([
  '良い',
  'いい',
  'よい',
  '最高',
  '楽',
  '便利',
  '満足',
  '大満足',
  '助かる',
  '美味しい',
  'おいしい',
  'うまい',
  '簡単',
  '快適',
  'ありがたい',
  '嬉しい',
  'うれしい',
  '優秀',
  'おすすめ',
  'オススメ',
  '正解',
  '安い',
  '早い',
  '速い',
  'ちょうど',
  'ぴったり',
  'コンパクト',
  '感動',
  '気に入る',
  '重宝',
  '十分',
  '充分',
  '手軽',
  '得',
  'お得',
  '素晴らしい',
  'すごい',
  '凄い',
  '最強',
  '神',
  '優しい',
  '健康',
  'ヘルシー',
  'サクサク',
  'カリカリ',
  'ふっくら',
  'ふわふわ',
  'もちもち',
  '当たり',
  '大活躍',
  '活躍',
  '解決',
  '安心',
  '余裕',
]);
const NEGATIVE = new Set([
  'イマイチ',
  'いまいち',
  '面倒',
  '面倒くさい',
  'めんどくさい',
  'めんどう',
  '残念',
  '微妙',
  '大変',
  '手間',
  '不満',
  '後悔',
  '失敗',
  '難点',
  '困る',
  '悪い',
  '遅い',
  '狭い',
  '重い',
  'うるさい',
  '物足りない',
  '劣る',
  'ダメ',
  'だめ',
  '無理',
  '気になる',
  'がっかり',
  '期待外れ',
  '不便',
  '邪魔',
  'パサつく',
  'パサパサ',
  'まずい',
  '高い',
  'かかる',
  '汚れる',
  'こびりつく',
  '焦げる',
  '生焼け',
  'ムラ',
  '不安',
  'ストレス',
  'デメリット',
  '欠点',
  '厳しい',
  '痛い',
  'きつい',
  '問題',
  '臭い',
  '嫌',
  'いや',
  '苦労',
  '大きい',
  '場所',
  '取る',
]);
// Auxiliary adjectives that carry polarity: 使いにくい / 使いづらい (bad), 使いやすい (good).
const NEGATIVE_AUX = new Set(['にくい', 'づらい', 'すぎる']);
const POSITIVE_AUX = new Set(['やすい']);

export interface CueCounts {
  positive: number;
  negative: number;
  /** The cue words, for evidence. */
  words: string[];
}

/**
 * Counts evaluative cue words in a clause.
 *
 * @param tokens the clause's tokens
 * @example
 * countCues(tokens('掃除が面倒')).negative; // 1
 */
export function countCues(tokens: readonly Token[]): CueCounts {
  let positive = 0;
  let negative = 0;
  const words: string[] = [];
  for (const t of tokens) {
    const aux = t.pos === '形容詞' && t.pos1 === '非自立';
    const auxVerb = t.pos === '動詞' && (t.pos1 === '非自立' || t.pos1 === '接尾');
    if ((aux || auxVerb) && NEGATIVE_AUX.has(t.base)) {
      negative++;
      words.push(t.base);
    } else if (aux && POSITIVE_AUX.has(t.base)) {
      positive++;
      words.push(t.base);
    } else if (!aux && !auxVerb && NEGATIVE.has(t.base)) {
      negative++;
      words.push(t.base);
    } else if (!aux && !auxVerb && POSITIVE.has(t.base)) {
      positive++;
      words.push(t.base);
    }
  }
  return { positive, negative, words };
}

/**
 * Polarity of a clause from cue words and negation alone: the fallback for a theme without a
 * trained model. Negation flips the balance (「掃除が楽になったわけじゃない」 is unmet,
 * 「面倒じゃない」 is met); a negated clause without cues is unmet (「時短にならない」).
 *
 * @param clause a clause from `splitClauses`
 * @example
 * lexiconPolarity(clause('唐揚げはイマイチ')); // 'unmet'
 */
export function lexiconPolarity(clause: Clause): Polarity {
  const cues = countCues(clause.tokens);
  let balance = cues.positive - cues.negative;
  if (clause.negated) balance = -balance;
  if (balance === 0) return clause.negated ? 'unmet' : 'met';
  return balance > 0 ? 'met' : 'unmet';
}
