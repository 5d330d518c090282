import { describe, expect, it } from 'vitest';
import { describeSolved, peopleJa } from '../../src/ops/index.ts';

describe('the solved audience in plain Japanese', () => {
  it('says people as a marketer does: 万 above ten thousand, rounded hundreds above a thousand', () => {
    expect([10_000, 10_400, 12_500, 15_000, 123_456, 3_449, 1_000, 999, 250].map(peopleJa)).toEqual([
      '約1万人',
      '約1万人',
      '約1.3万人',
      '約1.5万人',
      '約12.3万人',
      '約3,400人',
      '約1,000人',
      '999人',
      '250人',
    ]);
  });

  it('writes the sentence of the issue', () => {
    expect(describeSolved(10_000, 0.891, [0.6, 1], 0.95)).toEqual({
      ja: '約1万人、推定精度89%（95%区間 60-100%）',
      en: 'about 10,000 people, expected precision 89% (95% interval 60-100%)',
    });
  });
});
