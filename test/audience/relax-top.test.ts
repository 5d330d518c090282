import { describe, expect, it } from 'vitest';
import { topAudience } from '../../src/audience/relax.ts';

describe('the audience a relaxation choice gives', () => {
  // Two conditions with ladders of 3 and 2 rungs: signature = a + 3 b.
  const radix = [3, 2];
  // Ranks 0..5: (a, b) = (0,0) (2,0) (1,1) (0,1) (1,0) (2,1)
  const sigByRank = [0, 2, 4, 3, 1, 5];
  const byRank = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];

  it('takes the top of the ranking among the rows the choice keeps', () => {
    // Rungs (1, 0): keeps (0,0) at rank 0 and (1,0) at rank 4.
    expect(topAudience(sigByRank, byRank, radix, [1, 0], 10)).toEqual({
      size: 2,
      expectedPrecision: (0.9 + 0.5) / 2,
    });
    // Rungs (1, 1) with a target of 2: ranks 0 and 2 (rank 1 needs a = 2).
    expect(topAudience(sigByRank, byRank, radix, [1, 1], 2)).toEqual({
      size: 2,
      expectedPrecision: (0.9 + 0.7) / 2,
    });
    // Everything dropped: the top 3 of the whole ranking.
    expect(topAudience(sigByRank, byRank, radix, [2, 1], 3).expectedPrecision).toBeCloseTo(
      (0.9 + 0.8 + 0.7) / 3,
      12,
    );
    expect(topAudience(sigByRank, byRank, radix, [0, 0], 0)).toEqual({ size: 0, expectedPrecision: 0 });
  });
});
