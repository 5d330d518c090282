import type { Clause, Token } from '../types.ts';

// Verdicts on the purchase as a whole (base forms). After a conceded need they answer it
// (「高いけど、買ってよかった」): they are not evidence for any one need, least of all taste.
const PRAISE = new Set([
  '良い',
  'いい',
  'よい',
  '満足',
  '大満足',
  '最高',
  '正解',
  '大正解',
  '気に入る',
  'お気に入り',
  '後悔',
  '文句',
  '不満',
  'おすすめ',
  'オススメ',
  'お勧め',
  '優秀',
  '素晴らしい',
  '納得',
  '感謝',
  '大好き',
  '好き',
  'アリ',
  '当たり',
  '買い',
]);

// Words that say nothing about a need on their own: buying, using, hedges and intensifiers.
const GENERIC = new Set([
  'する',
  'なる',
  'ある',
  'ない',
  'いる',
  'できる',
  '買う',
  '使う',
  '思う',
  '感じる',
  '言う',
  'くる',
  '来る',
  'みる',
  '見る',
  '結果',
  '結局',
  '総合',
  '総合的',
  'トータル',
  '全体',
  '個人',
  '私',
  '本当',
  '本当に',
  'ほんとに',
  'ほんと',
  'ホント',
  'やっぱり',
  'やはり',
  'まあ',
  'まぁ',
  'とても',
  'すごく',
  'すごい',
  'かなり',
  '大変',
  '非常',
  '普通',
  'これ',
  'それ',
  'こいつ',
  'この子',
  '子',
  '今',
  '今回',
  '全然',
  'ぜんぜん',
  '特に',
  '何',
  'なに',
  'もう',
  'まだ',
  '十分',
  'それでも',
  'でも',
  'ただ',
  '一つ',
  '点',
  '的',
]);

/** A token that carries content: a noun, verb, adjective or adverb that is not a mere suffix. */
function isContent(t: Token): boolean {
  if (t.pos === '名詞') return !['非自立', '接尾', '数', '代名詞'].includes(t.pos1);
  if (t.pos === '動詞' || t.pos === '形容詞') return t.pos1 === '自立';
  return t.pos === '副詞';
}

/**
 * True when a clause is a verdict of pure praise: it has a praise word (良かった, 満足, 正解) and
 * every other content word is generic (買う, 本当, 結果), so it names no need of its own.
 *
 * @param clause a clause from `splitClauses`
 * @example
 * isPurePraise(clauseOf('それでも買ってよかった')); // true
 * isPurePraise(clauseOf('パンは良かった'));         // false: パン names a need
 */
export function isPurePraise(clause: Pick<Clause, 'tokens'>): boolean {
  let praise = false;
  for (const t of clause.tokens) {
    // 〜てよかった: IPADIC tags the よい of a verdict after て as a dependent adjective.
    if (PRAISE.has(t.base) || PRAISE.has(t.surface)) praise = true;
    else if (isContent(t) && !GENERIC.has(t.base) && !GENERIC.has(t.surface)) return false;
  }
  return praise;
}
