/** The rank scale the blends average: ties share their mean rank, the ends are 0 and 1. */
import { describe, expect, it } from 'vitest';
import { rankScale } from '../../src/lookalike/backtest-arms.ts';

describe('rankScale', () => {
  it('maps scores to mean ranks over n - 1', () => {
    // Sorted: 1 (rank 0), 2 and 2 (ranks 1 and 2, mean 1.5), 3 (rank 3); divided by 3.
    expect([...rankScale(Float64Array.of(3, 1, 2, 2))]).toEqual([1, 0, 0.5, 0.5]);
    expect([...rankScale(Float64Array.of(5))]).toEqual([0]);
  });
});
