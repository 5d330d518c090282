import { describe, expect, it } from 'vitest';
import { isPurePraise } from '../../src/needs/model/praise.ts';
import { clausesOf } from './helpers.ts';

/** The clause after the last adversative of a text, through the real tokenizer. */
async function pointClause(text: string) {
  const clauses = await clausesOf(text);
  return clauses[clauses.length - 1]!;
}

describe('isPurePraise', () => {
  it.each([
    '場所はとるけど、それでも買ってよかった',
    'お値段はしたものの、結果大正解',
    '予熱が長いのはネックだが、総合的には満足',
    '洗うのは面倒。でも本当に満足してる',
    '高かったけど、後悔はしてない',
    '置き場所には困ったものの、文句なし',
  ])('a verdict on the purchase with nothing else is pure praise: %s', async (text) => {
    expect(isPurePraise(await pointClause(text))).toBe(true);
  });

  it.each([
    // Each names something a need is about: bread, texture, flavour, the price, a use.
    '唐揚げはイマイチだけど、パンは良かった',
    '高いけど、ふわふわに焼けて良かった',
    '掃除は面倒だけど、味は最高',
    '重いけど、値段が安くて満足',
    // No praise word at all.
    '高いけど、毎日使ってる',
  ])('a clause that names more than the verdict is not: %s', async (text) => {
    expect(isPurePraise(await pointClause(text))).toBe(false);
  });
});
