/**
 * The exact members-universe logistic's penalty per column: item columns at the grid's penalty,
 * the dense behavioural columns `DENSE_PENALTY` times harder.
 */
import { describe, expect, it } from 'vitest';
import { fitLogistic } from '../../src/lookalike/baseline.ts';
import { DENSE_PENALTY, memberPenaltyScale, trainIrls } from '../../src/lookalike/irls-train.ts';
import { Rng } from '../../src/lookalike/rng.ts';
import type { NetworkData } from '../../src/lookalike/tf-train.ts';

function rows(n: number, seed: number): NetworkData {
  const rng = new Rng(seed, 4);
  const d = 3;
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i * d] = rng.normal();
    x[i * d + 1] = rng.float() < 0.3 ? 1 : 0;
    x[i * d + 2] = rng.float() < 0.2 ? 1 : 0;
    const z = -1 + 0.8 * x[i * d]! + 1.2 * x[i * d + 1]! - 0.5 * x[i * d + 2]!;
    y[i] = rng.float() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { x, y, w: new Float32Array(n).fill(1), n, d };
}

describe('member penalty scale', () => {
  it('is 1 for item columns and DENSE_PENALTY for the others', () => {
    expect(DENSE_PENALTY).toBe(10);
    expect([...memberPenaltyScale(['recency_days', 'item:P1', 'cat:F', 'item:P2'], 'item:')]).toEqual([
      10, 1, 10, 1,
    ]);
  });

  it('reaches trainIrls: the chosen fit is fitLogistic with those multipliers', () => {
    const train = rows(300, 1);
    const validation = rows(200, 2);
    const scale = Float64Array.of(10, 1, 1);
    const got = trainIrls(train, validation, [0.1], undefined, scale);
    const want = fitLogistic(train.x, train.y, train.n, train.d, {
      c: 0.1,
      rowWeights: train.w,
      maxIterations: 30,
      penaltyScale: scale,
    });
    const plain = fitLogistic(train.x, train.y, train.n, train.d, {
      c: 0.1,
      rowWeights: train.w,
      maxIterations: 30,
    });
    for (let j = 0; j < 3; j++) expect(got.layers[0]!.weights[j]).toBeCloseTo(want.weights[j]!, 5);
    // The dense column is shrunk harder than without the multiplier.
    expect(Math.abs(want.weights[0]!)).toBeLessThan(Math.abs(plain.weights[0]!));
  });
});
