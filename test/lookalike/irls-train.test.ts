/**
 * The exact members-universe logistic: its penalty per column (item columns at the grid's
 * penalty, the dense behavioural columns `DENSE_PENALTY` times harder), and the cross-fitted
 * penalty choice, checked against fold fits computed here from `fitLogistic` alone.
 */
import { describe, expect, it } from 'vitest';
import { fitLogistic, logisticScores } from '../../src/lookalike/baseline.ts';
import {
  ALWAYS_TRAIN,
  crossFitIrls,
  DENSE_PENALTY,
  memberPenaltyScale,
} from '../../src/lookalike/irls-train.ts';
import { auc } from '../../src/lookalike/metrics.ts';
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

  it('reaches crossFitIrls: every fold model is fitLogistic with those multipliers', () => {
    const data = rows(300, 1);
    const scale = Float64Array.of(10, 1, 1);
    const folds = Uint8Array.from({ length: data.n }, (_, i) => i % 2);
    const got = crossFitIrls(data, folds, [0.1], scale);
    const fold = (f: number, penaltyScale?: Float64Array) => {
      const t = pick(data, (i) => folds[i] !== f);
      return fitLogistic(t.x, t.y, t.n, data.d, {
        c: 0.1,
        maxIterations: 30,
        ...(penaltyScale ? { penaltyScale } : {}),
      });
    };
    const want = [fold(0, scale), fold(1, scale)];
    const plain = [fold(0), fold(1)];
    for (let j = 0; j < 3; j++) {
      expect(got.layers[0]!.weights[j]).toBeCloseTo((want[0]!.weights[j]! + want[1]!.weights[j]!) / 2, 5);
    }
    // The dense column is shrunk harder than without the multiplier.
    for (const f of [0, 1])
      expect(Math.abs(want[f]!.weights[0]!)).toBeLessThan(Math.abs(plain[f]!.weights[0]!));
  });
});

/** Rows of `data` where `keep(i)`, as plain arrays for `fitLogistic`. */
function pick(data: NetworkData, keep: (i: number) => boolean) {
  const rows = Array.from({ length: data.n }, (_, i) => i).filter(keep);
  const x = new Float32Array(rows.length * data.d);
  rows.forEach((r, k) => {
    x.set(data.x.subarray(r * data.d, (r + 1) * data.d), k * data.d);
  });
  return { rows, x, y: Float32Array.from(rows, (r) => data.y[r]!), n: rows.length };
}

describe('crossFitIrls', () => {
  const data = rows(400, 9);
  // Three folds in turn, and the first ten rows always train (as explicit negatives do).
  const folds = Uint8Array.from({ length: data.n }, (_, i) => (i < 10 ? ALWAYS_TRAIN : i % 3));
  const grid = [0.01, 0.1, 1];
  const scale = Float64Array.of(10, 1, 1);
  const got = crossFitIrls(data, folds, grid, scale);

  /** Fold f's model at penalty c, fitted from zero on the rows outside fold f. */
  const foldFit = (f: number, c: number) => {
    const t = pick(data, (i) => folds[i] !== f);
    return fitLogistic(t.x, t.y, t.n, data.d, { c, maxIterations: 30, penaltyScale: scale });
  };

  it("scores each grid point by the mean of its folds' held-out AUCs, and keeps the best", () => {
    const want = grid.map((c) => {
      let sum = 0;
      for (let f = 0; f < 3; f++) {
        const h = pick(data, (i) => folds[i] === f);
        const z = logisticScores(foldFit(f, c), h.x, h.n, data.d);
        sum += auc(
          h.rows.flatMap((_, k) => (h.y[k] ? [z[k]!] : [])),
          h.rows.flatMap((_, k) => (h.y[k] ? [] : [z[k]!])),
        );
      }
      return sum / 3;
    });
    for (const [g, a] of got.validationAuc.entries()) expect(a).toBeCloseTo(want[g]!, 6);
    const best = want.indexOf(Math.max(...want));
    expect(got.bestEpoch).toBe(best + 1);
    expect(got.c).toBe(grid[best]);
  });

  it('gives each held-out row the logit of the fold model that did not see it', () => {
    for (let f = 0; f < 3; f++) {
      const h = pick(data, (i) => folds[i] === f);
      const z = logisticScores(foldFit(f, got.c), h.x, h.n, data.d);
      for (const [k, r] of h.rows.entries()) expect(got.outOfFold[r]).toBeCloseTo(z[k]!, 4);
    }
    for (let i = 0; i < 10; i++) expect(got.outOfFold[i]).toBeNaN();
  });

  it('returns the mean of the fold models at the chosen penalty', () => {
    const fits = [0, 1, 2].map((f) => foldFit(f, got.c));
    for (let j = 0; j < data.d; j++) {
      expect(got.layers[0]!.weights[j]).toBeCloseTo(fits.reduce((s, f) => s + f.weights[j]!, 0) / 3, 5);
    }
    expect(got.layers[0]!.bias[0]).toBeCloseTo(fits.reduce((s, f) => s + f.intercept, 0) / 3, 5);
  });

  it('scores a penalty by the folds that hold a seed row when one holds none', () => {
    const few = rows(200, 3);
    // Every positive row in folds 0 and 1; fold 2 holds only negatives.
    const folds = Uint8Array.from({ length: few.n }, (_, i) => (few.y[i] ? i % 2 : i % 3));
    const cf = crossFitIrls(few, folds, grid);
    for (const a of cf.validationAuc) expect(Number.isFinite(a)).toBe(true);
    expect(cf.validationAuc[cf.bestEpoch - 1]).toBe(Math.max(...cf.validationAuc));
  });

  it('refuses fewer than two folds', () => {
    expect(() => crossFitIrls(data, new Uint8Array(data.n), grid)).toThrow(/at least 2 folds, got 1/);
  });
});
