import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchValue, valueLabel } from '../../src/audience/index.ts';
import { AGE_BANDS, GENDERS } from '../../src/schema/index.ts';

const PREFS = ['北海道', '東京都', '京都府', '大阪府', '神奈川県'];
const INTERESTS = ['cooking', 'time_saving_cooking', 'baking', 'coffee_tea', 'cars', 'luxury_cars'];

describe('reading typed condition values', () => {
  it('reads age bands as said in Japanese, full-width digits too', () => {
    const read = (t: string) => matchValue('age_band', t, AGE_BANDS);
    expect(['30代', '３０代', '30歳代', '30s', '30', '30-39'].map(read)).toEqual(Array(6).fill('30s'));
    expect(['70代', '70代以上', '70歳以上', '80代', '70+'].map(read)).toEqual(Array(5).fill('70+'));
    expect(['不明', 'unknown'].map(read)).toEqual(['unknown', 'unknown']);
    expect(['35代', '5代', 'thirties', '30代後半?'].map(read)).toEqual([null, null, null, null]);
  });

  it('reads genders in Japanese and English', () => {
    const read = (t: string) => matchValue('gender', t, GENDERS);
    expect(['女性', '女', 'Female', 'ｆ'].map(read)).toEqual(['female', 'female', 'female', 'female']);
    expect(['男性', 'MALE', 'm'].map(read)).toEqual(['male', 'male', 'male']);
    expect(read('女の子')).toBeNull();
  });

  it('reads prefectures with or without 都/府/県, but never 京都 as 東京都', () => {
    const read = (t: string) => matchValue('region', t, PREFS);
    expect(['東京', '東京都', '京都', '大阪', '神奈川', '北海道'].map(read)).toEqual([
      '東京都',
      '東京都',
      '京都府',
      '大阪府',
      '神奈川県',
      '北海道',
    ]);
    expect(read('東京市')).toBeNull();
    expect(matchValue('region', '東京', ['愛知県'])).toBeNull();
  });

  it('reads interests by code, full label, or one part of the label; a part shared by two is refused', () => {
    const read = (t: string) => matchValue('interest', t, INTERESTS);
    expect(['料理', 'レシピ', '料理・レシピ', 'cooking', 'Cooking & recipes', '時短料理'].map(read)).toEqual([
      'cooking',
      'cooking',
      'cooking',
      'cooking',
      'cooking',
      'time_saving_cooking',
    ]);
    expect(['コーヒー', 'カフェ', 'パン作り'].map(read)).toEqual(['coffee_tea', 'coffee_tea', 'baking']);
    // Only values the data holds are read: 料理 is nothing when cooking is absent.
    expect(matchValue('interest', '料理', ['cars'])).toBeNull();
  });

  it('labels every interest of the shipped sample taxonomy as the sample data names it', () => {
    const taxonomy = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', '..', 'data', 'sample', 'interests.json'), 'utf8'),
    ) as { categories: { code: string; name_ja: string; name_en: string }[] };
    for (const c of taxonomy.categories) {
      expect(valueLabel('interest', c.code)).toEqual({ ja: c.name_ja, en: c.name_en });
    }
    expect(valueLabel('interest', 'new_code')).toEqual({ ja: 'new_code', en: 'new_code' });
    expect(valueLabel('age_band', '30s')).toEqual({ ja: '30代', en: '30s' });
  });
});
