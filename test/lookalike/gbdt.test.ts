/**
 * Boosted trees checked against hand-computed Newton steps (one stump), an interaction no linear
 * score can rank (XOR), and early stopping that keeps no tree when every tree hurts validation.
 */
import { describe, expect, it } from 'vitest';
import { rankingMetrics } from '../../src/lookalike/backtest-metrics.ts';
import { fitGbdt, gbdtScores } from '../../src/lookalike/gbdt.ts';
import { Rng } from '../../src/lookalike/rng.ts';

const all = (n: number) => Array.from({ length: n }, (_, i) => i);
const exact = { subsample: 1, colsample: 1, minChildWeight: 0, lambda: 0 };

describe('fitGbdt', () => {
  it('fits one stump with the Newton step of each side from the prior log-odds', () => {
    // Column 0: 0 for six rows (two positive), 1 for four rows (three positive). Column 1 is noise-free constant.
    const col = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1];
    const y = Uint8Array.from([1, 1, 0, 0, 0, 0, 1, 1, 1, 0]);
    const x = new Float64Array(20);
    col.forEach((v, i) => {
      x[i * 2] = v;
      x[i * 2 + 1] = 5;
    });
    const m = fitGbdt(x, y, 10, 2, { fit: all(10) }, { ...exact, trees: 1, depth: 1, learningRate: 1 });
    const p = 0.5; // 5 positives of 10
    const base = Math.log(p / (1 - p));
    // Left (value 0): g = sum(p - y) = 6 * 0.5 - 2 = 1, h = 6 * 0.25; right: g = 4 * 0.5 - 3 = -1, h = 1.
    const left = base - 1 / 1.5;
    const right = base + 1 / 1;
    const s = gbdtScores(m, x, 10, 2);
    expect(s[0]).toBeCloseTo(left, 12);
    expect(s[9]).toBeCloseTo(right, 12);
    // A value never seen in fitting goes by the cut point (0.5): 0.4 left, 7 right.
    expect(gbdtScores(m, Float64Array.of(0.4, 5, 7, 5), 2, 2)).toEqual(Float64Array.of(s[0]!, s[9]!));
  });

  it('ranks an interaction (XOR of two columns) that no additive score separates', () => {
    const rng = new Rng(3, 1);
    const n = 400;
    const x = new Float64Array(n * 3);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const a = rng.float() < 0.5 ? 1 : 0;
      const b = rng.float() < 0.5 ? 1 : 0;
      x[i * 3] = a;
      x[i * 3 + 1] = b;
      x[i * 3 + 2] = rng.normal();
      y[i] = a !== b ? 1 : 0;
    }
    const m = fitGbdt(x, y, n, 3, { fit: all(n) }, { trees: 60, depth: 2, learningRate: 0.3, randomSeed: 1 });
    expect(rankingMetrics(gbdtScores(m, x, n, 3), y).auc).toBe(1);
    const linear = rankingMetrics(
      Float64Array.from({ length: n }, (_, i) => x[i * 3]! + x[i * 3 + 1]!),
      y,
    ).auc;
    expect(linear).toBeLessThan(0.6);
  });

  it('keeps no tree when validation labels are the opposite of the fitted pattern', () => {
    const n = 200;
    const x = Float64Array.from({ length: n }, (_, i) => i % 2);
    const y = Uint8Array.from({ length: n }, (_, i) => (i < 100 ? i % 2 : 1 - (i % 2)));
    const m = fitGbdt(
      x,
      y,
      n,
      1,
      { fit: all(100), validation: all(100).map((i) => i + 100) },
      {
        ...exact,
        trees: 20,
        patience: 5,
      },
    );
    expect(m.trees.length).toBe(0);
    expect(m.validationAuc).toBe(0.5);
    expect(new Set(gbdtScores(m, x, n, 1)).size).toBe(1);
  });

  it('rejects mismatched shapes and an empty fit', () => {
    expect(() => fitGbdt(new Float64Array(3), new Uint8Array(2), 2, 2, { fit: [0] })).toThrow(
      /3 values for 2 x 2/,
    );
    expect(() => fitGbdt(new Float64Array(4), new Uint8Array(2), 2, 2, { fit: [] })).toThrow(
      /no rows to fit/,
    );
  });
});
