import { describe, expect, it } from 'vitest';
import { compileDictionary, matchDictionary } from '../../src/needs/themes/dictionary.ts';
import { clausesOf } from './helpers.ts';

// A small taxonomy written for this test: 油 is a healthy keyword, 油はね a cleaning variant,
// 油代 a cost variant, 焦げ a cleaning keyword and 焦げ目 a taste variant.
const dict = compileDictionary({
  needs: [
    { id: 'healthy', name_ja: '', name_en: '', keywords: ['油', 'ヘルシー'], variants: ['油なし'] },
    { id: 'cleaning', name_ja: '', name_en: '', keywords: ['焦げ', '掃除'], variants: ['油はね'] },
    { id: 'cost', name_ja: '', name_en: '', keywords: ['安い'], variants: ['油代'] },
    { id: 'taste', name_ja: '', name_en: '', keywords: ['おいしい'], variants: ['焦げ目'] },
  ],
});

async function evidence(text: string): Promise<string[][]> {
  const [clause] = await clausesOf(text);
  return matchDictionary(dict, clause!).evidence;
}

describe('matchDictionary', () => {
  it('matches keywords on whole tokens and variants anywhere', async () => {
    expect(await evidence('油なしでヘルシー')).toEqual([['油', 'ヘルシー', '油なし'], [], [], []]);
  });

  it("does not count a word found only inside another need's longer variant", async () => {
    // 油 only inside 油はね: cleaning, not healthy.
    expect(await evidence('油はねで庫内がひどい')).toEqual([[], ['油はね'], [], []]);
    // 油 only inside 油代: cost, not healthy.
    expect(await evidence('油代が浮いた')).toEqual([[], [], ['油代'], []]);
    // 焦げ only inside 焦げ目: taste, not cleaning.
    expect(await evidence('焦げ目がきれい')).toEqual([[], [], [], ['焦げ目']]);
  });

  it('still counts the word when it also occurs outside the longer variant', async () => {
    expect(await evidence('油はねも油の量も減った')).toEqual([['油'], ['油はね'], [], []]);
  });

  it('scores 1 - exp(-(0.7 keywords + 1.2 variants)) per need', async () => {
    const [clause] = await clausesOf('油なしでヘルシー');
    const { scores } = matchDictionary(dict, clause!);
    expect(scores[0]).toBeCloseTo(1 - Math.exp(-(0.7 * 2 + 1.2)), 6);
    expect(scores[1]).toBe(0);
  });
});
