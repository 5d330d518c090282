/**
 * The logistic baseline's fit is checked by its optimality conditions, computed independently:
 * at the minimum of 0.5 ||w||^2 + C sum w_i log-loss, the gradient X^T (w (p - y)) + w / C is
 * zero and the intercept's sum w (p - y) is zero.
 */
import { describe, expect, it } from 'vitest';
import { choleskySolve, fitLogistic, logisticScores } from '../../src/lookalike/baseline.ts';
import { Rng } from '../../src/lookalike/rng.ts';

function data(n: number, d: number, seed: number) {
  const rng = new Rng(seed, 2);
  const x = new Float64Array(n * d);
  const y = new Uint8Array(n);
  const truth = Array.from({ length: d }, (_, j) => (j % 2 ? 1 : -0.5));
  for (let i = 0; i < n; i++) {
    let z = -0.3;
    for (let j = 0; j < d; j++) {
      // Sparse 0/1 columns and a dense one, like RFM plus product indicators.
      x[i * d + j] = j === 0 ? rng.normal() : rng.float() < 0.2 ? 1 : 0;
      z += truth[j]! * x[i * d + j]!;
    }
    y[i] = rng.float() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { x, y };
}

describe('fitLogistic', () => {
  it('reaches the penalised optimum (zero gradient) with and without row weights', () => {
    const n = 400;
    const d = 6;
    const { x, y } = data(n, d, 5);
    const rw = Float64Array.from({ length: n }, (_, i) => (y[i] ? 3 : 1));
    for (const [c, rowWeights] of [
      [1, undefined],
      [0.05, undefined],
      [0.3, rw],
    ] as const) {
      const fit = fitLogistic(x, y, n, d, { c, ...(rowWeights ? { rowWeights } : {}) });
      expect(fit.converged).toBe(true);
      const z = logisticScores(fit, x, n, d);
      const g = new Float64Array(d + 1);
      for (let i = 0; i < n; i++) {
        const r = (rowWeights ? rowWeights[i]! : 1) * (1 / (1 + Math.exp(-z[i]!)) - y[i]!);
        for (let j = 0; j < d; j++) g[j] = g[j]! + r * x[i * d + j]!;
        g[d] = g[d]! + r;
      }
      for (let j = 0; j < d; j++) expect(Math.abs(g[j]! + fit.weights[j]! / c)).toBeLessThan(1e-5);
      expect(Math.abs(g[d]!)).toBeLessThan(1e-5);
    }
  });

  it('penalises each column by its multiplier: the optimum, and the same fit as rescaling that column', () => {
    const n = 400;
    const d = 5;
    const { x, y } = data(n, d, 13);
    const penaltyScale = Float64Array.of(10, 1, 1, 4, 1);
    const c = 0.3;
    const fit = fitLogistic(x, y, n, d, { c, penaltyScale });
    expect(fit.converged).toBe(true);
    // Zero gradient with per-column penalties: X^T (p - y) + s_j w_j / C = 0.
    const z = logisticScores(fit, x, n, d);
    const g = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const r = 1 / (1 + Math.exp(-z[i]!)) - y[i]!;
      for (let j = 0; j < d; j++) g[j] = g[j]! + r * x[i * d + j]!;
    }
    for (let j = 0; j < d; j++)
      expect(Math.abs(g[j]! + (penaltyScale[j]! * fit.weights[j]!) / c)).toBeLessThan(1e-5);
    // A penalty s w^2 on column x is a plain penalty v^2 on column x / sqrt(s), with w = v / sqrt(s).
    const rescaled = Float64Array.from(x, (v, k) => v / Math.sqrt(penaltyScale[k % d]!));
    const plain = fitLogistic(rescaled, y, n, d, { c });
    for (let j = 0; j < d; j++)
      expect(fit.weights[j]).toBeCloseTo(plain.weights[j]! / Math.sqrt(penaltyScale[j]!), 8);
    expect(fit.intercept).toBeCloseTo(plain.intercept, 8);
  });

  it('shrinks the weights as the penalty grows', () => {
    const { x, y } = data(300, 4, 9);
    const norm = (c: number) => Math.hypot(...fitLogistic(x, y, 300, 4, { c }).weights);
    expect(norm(0.01)).toBeLessThan(norm(0.1));
    expect(norm(0.1)).toBeLessThan(norm(10));
  });

  it('solves a symmetric positive-definite system exactly', () => {
    const a = Float64Array.of(4, 2, 0, 2, 5, 1, 0, 1, 3);
    const sol = choleskySolve(a, Float64Array.of(2, 3, 4), 3);
    // A x computed back.
    for (let i = 0; i < 3; i++) {
      const v = a[i * 3]! * sol[0]! + a[i * 3 + 1]! * sol[1]! + a[i * 3 + 2]! * sol[2]!;
      expect(v).toBeCloseTo([2, 3, 4][i]!, 12);
    }
    expect(() => choleskySolve(Float64Array.of(0, 1, 1, 0), Float64Array.of(1, 1), 2)).toThrow(
      'not positive definite',
    );
  });

  it('reaches the same optimum from a warm start, and stops at once when started there', () => {
    const { x, y } = data(300, 4, 9);
    const cold = fitLogistic(x, y, 300, 4, { c: 0.3 });
    const near = fitLogistic(x, y, 300, 4, { c: 0.1 });
    const warm = fitLogistic(x, y, 300, 4, { c: 0.3, start: near });
    for (let j = 0; j < 4; j++) expect(warm.weights[j]).toBeCloseTo(cold.weights[j]!, 8);
    expect(warm.intercept).toBeCloseTo(cold.intercept, 8);
    expect(warm.converged).toBe(true);
    expect(cold.iterations).toBeGreaterThan(0);
    expect(fitLogistic(x, y, 300, 4, { c: 0.3, start: cold }).iterations).toBe(0);
    expect(() => fitLogistic(x, y, 300, 4, { start: { weights: [1, 2], intercept: 0 } })).toThrow(
      'start has 2 weights for 4 columns',
    );
  });

  it('rejects shapes that disagree', () => {
    expect(() => fitLogistic(new Float64Array(5), [0, 1], 2, 3)).toThrow('x is 5 values for 2 x 3');
  });
});
