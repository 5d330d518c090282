/**
 * Network training keeps the epoch chosen on one half of the validation rows and reports its AUC
 * on the other, so the figure the architecture rule compares was not chosen on the rows it is
 * measured on.
 */
import { describe, expect, it } from 'vitest';
import { auc } from '../../src/lookalike/metrics.ts';
import { type NetworkData, trainNetwork } from '../../src/lookalike/tf-train.ts';
import { validationHalves } from '../../src/lookalike/validation-halves.ts';

describe('validationHalves', () => {
  it('splits each class alternately into two disjoint halves that cover every row', () => {
    const y = [1, 0, 0, 1, 0, 1, 0, 0, 1, 0];
    const h = validationHalves(y);
    expect(h.choose).toEqual({ pos: [0, 5], neg: [1, 4, 7] });
    expect(h.report).toEqual({ pos: [3, 8], neg: [2, 6, 9] });
  });

  it('uses every row for both when a class has fewer than two rows', () => {
    const h = validationHalves([0, 1, 0, 0]);
    expect(h.choose).toEqual({ pos: [1], neg: [0, 2, 3] });
    expect(h.report).toEqual(h.choose);
  });
});

describe('trainNetwork', () => {
  it("reports the kept epoch's AUC on the half of the validation rows that did not choose it", async () => {
    const n = 400;
    const d = 5;
    // A noisy linear truth, so the two halves rank differently.
    const x = Float32Array.from({ length: n * d }, (_, i) => (((i * 7919) % 101) / 101) * 2 - 1);
    const y = Float32Array.from({ length: n }, (_, r) =>
      x[r * d]! - 0.5 * x[r * d + 1]! + (((r * 31) % 17) / 17 - 0.5) > 0 ? 1 : 0,
    );
    const data: NetworkData = { x, y, w: new Float32Array(n).fill(1), n, d };
    const net = await trainNetwork(data, data, {
      hidden: [],
      epochs: 1,
      batchSize: 64,
      learningRate: 0.05,
      l2: 0,
      seed: 5,
      backend: 'wasm',
    });
    expect(net.bestEpoch).toBe(1);
    // The logistic's logits by hand: x . w + b.
    const [layer] = net.layers;
    const z = Array.from({ length: n }, (_, r) => {
      let s = layer!.bias[0]!;
      for (let j = 0; j < d; j++) s += x[r * d + j]! * layer!.weights[j]!;
      return s;
    });
    const { choose, report } = validationHalves(y);
    const on = (rows: { pos: number[]; neg: number[] }) =>
      auc(
        rows.pos.map((i) => z[i]!),
        rows.neg.map((i) => z[i]!),
      );
    expect(net.validationAuc[0]).toBeCloseTo(on(report), 6);
    expect(on(report)).not.toBeCloseTo(on(choose), 6);
  });
});
