import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { fromDense, selectRows, toDense, vstack } from '../../src/features/index.ts';
import { bestBin, weightedSorted } from '../../src/lookalike/calibration.ts';
import {
  featureNames,
  type TpFeatureSpec,
  type TpProfile,
  vectorizeProfiles,
} from '../../src/lookalike/feature-spec.ts';
import {
  explainRow,
  type PortableModel,
  scoreCsr,
  scoreLogits,
  scoreProfiles,
} from '../../src/lookalike/kernel.ts';
import { auc } from '../../src/lookalike/metrics.ts';
import { rankDescending } from '../../src/lookalike/rank.ts';
import { Rng } from '../../src/lookalike/rng.ts';

const spec: TpFeatureSpec = {
  kind: 'third_party',
  version: 1,
  genders: ['female', 'male', 'unknown'],
  ageBands: ['20s', '30s', 'unknown'],
  regions: ['東京都', '大阪府'],
  interests: ['alcohol', 'baking'],
  terms: ['おすすめ', 'パン', 'ワイン'],
  visitCap: 65535,
  minTermDf: 1,
};

function randomModel(hidden: number[], seed = 1): PortableModel {
  const rng = new Rng(seed);
  const sizes = [featureNames(spec).length, ...hidden, 1];
  return {
    format: 'lookalike-portable/1',
    architecture: hidden.length ? 'mlp' : 'logistic',
    spec,
    layers: sizes.slice(0, -1).map((inputs, l) => ({
      inputs,
      units: sizes[l + 1]!,
      weights: Float32Array.from({ length: inputs * sizes[l + 1]! }, () => rng.normal() * 0.5),
      bias: Float32Array.from({ length: sizes[l + 1]! }, () => rng.normal() * 0.1),
      activation: l + 1 < sizes.length - 1 ? ('relu' as const) : ('linear' as const),
    })),
  };
}

/** Dense reference forward pass in double precision. */
function reference(model: PortableModel, x: Float32Array, rows: number): number[] {
  const d = model.layers[0]!.inputs;
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    let a = Array.from(x.subarray(r * d, (r + 1) * d));
    for (const l of model.layers) {
      const next = Array.from(l.bias);
      for (let i = 0; i < l.inputs; i++)
        for (let j = 0; j < l.units; j++) next[j]! += a[i]! * l.weights[i * l.units + j]!;
      a = l.activation === 'relu' ? next.map((v) => Math.max(0, v)) : next;
    }
    out.push(a[0]!);
  }
  return out;
}

const profiles: TpProfile[] = [
  {
    gender: 'female',
    age_band: '30s',
    region: '東京都',
    interests: { baking: 12, alcohol: 0 },
    searches: ['パン 作り方'],
  },
  {
    gender: 'male',
    age_band: '20s',
    region: '北海道',
    interests: { alcohol: 3 },
    searches: ['ワイン　おすすめ', 'ワイン 安い'],
  },
  {},
];

describe('feature spec and kernel', () => {
  it('vectorises profiles with the spec: one-hots, log1p visits, distinct search terms; unknown values add nothing', () => {
    const x = vectorizeProfiles(spec, profiles);
    const names = featureNames(spec);
    const row = (r: number) =>
      Object.fromEntries(
        Array.from(x.indices.subarray(x.rowPtr[r], x.rowPtr[r + 1]), (c, k) => [
          names[c]!,
          x.values[x.rowPtr[r]! + k]!,
        ]),
      );
    expect(row(0)).toEqual({
      'gender=female': 1,
      'age=30s': 1,
      'region=東京都': 1,
      'interest:baking': Math.fround(Math.log1p(12)),
      'search:パン': 1,
    });
    // 北海道 is not in the vocabulary; the full-width space splits terms like a half-width one.
    expect(row(1)).toEqual({
      'gender=male': 1,
      'age=20s': 1,
      'interest:alcohol': Math.fround(Math.log1p(3)),
      'search:おすすめ': 1,
      'search:ワイン': 1,
    });
    expect(row(2)).toEqual({ 'gender=unknown': 1, 'age=unknown': 1 });
  });

  it('scores logistic and MLP models like a dense double-precision reference', () => {
    const x = vectorizeProfiles(spec, profiles);
    const dense = toDense(x);
    for (const hidden of [[], [8], [6, 4]]) {
      const model = randomModel(hidden, hidden.length + 3);
      const z = scoreLogits(model, x);
      const ref = reference(model, dense, x.rows);
      z.forEach((v, i) => {
        expect(v).toBeCloseTo(ref[i]!, 4);
      });
      const p = scoreProfiles(model, profiles);
      p.forEach((v, i) => {
        expect(v).toBeCloseTo(1 / (1 + Math.exp(-ref[i]!)), 5);
      });
      expect(scoreCsr(model, x)).toEqual(p);
    }
  });

  it('explains a logistic score as weight x value and an MLP score by occlusion', () => {
    const x = vectorizeProfiles(spec, profiles);
    const lr = randomModel([]);
    const e = explainRow(lr, x, 0, 20);
    const names = featureNames(spec);
    for (const c of e) {
      const col = names.indexOf(c.feature);
      expect(c.contribution).toBeCloseTo(lr.layers[0]!.weights[col]! * c.value, 5);
    }
    expect(e.map((c) => Math.abs(c.contribution))).toEqual(
      [...e.map((c) => Math.abs(c.contribution))].sort((a, b) => b - a),
    );
    const mlp = randomModel([5]);
    const one = vectorizeProfiles(spec, [profiles[0]!]);
    const base = scoreLogits(mlp, one)[0]!;
    const top = explainRow(mlp, one, 0, 1)[0]!;
    const without: TpProfile = { ...profiles[0]!, searches: [] };
    if (top.feature === 'search:パン')
      expect(base - scoreLogits(mlp, vectorizeProfiles(spec, [without]))[0]!).toBeCloseTo(
        top.contribution,
        5,
      );
    else expect(Number.isFinite(top.contribution)).toBe(true);
  });

  it('keeps CSR helpers consistent (select, stack, dense round trip)', () => {
    const x = vectorizeProfiles(spec, profiles);
    const back = fromDense(toDense(x), x.rows, x.cols);
    expect(back).toEqual(x);
    const picked = selectRows(x, [2, 0]);
    expect(toDense(picked)).toEqual(
      Float32Array.from([...toDense(selectRows(x, [2])), ...toDense(selectRows(x, [0]))]),
    );
    expect(vstack([selectRows(x, [0]), selectRows(x, [1, 2])])).toEqual(x);
  });

  it('ranks scores descending with ties in ascending row order (nested audiences)', () => {
    const s = Float32Array.of(0.5, 2, -1, 2, 0.5, Number.NaN, -3, 2);
    expect([...rankDescending(s)]).toEqual([1, 3, 7, 0, 4, 2, 6, 5]);
    const rng = new Rng(9);
    const big = Float32Array.from({ length: 50_000 }, () => Math.round(rng.normal() * 20) / 4);
    const order = rankDescending(big);
    for (let k = 1; k < order.length; k++) {
      const a = big[order[k - 1]!]!;
      const b = big[order[k]!]!;
      expect(a > b || (a === b && order[k - 1]! < order[k]!)).toBe(true);
    }
  });

  it('computes AUC with ties counted half', () => {
    expect(auc([3, 4], [1, 2])).toBe(1);
    expect(auc([1, 2], [1, 2])).toBe(0.5);
    expect(auc([2], [1, 2, 3])).toBe(0.5);
  });

  it('estimates the positive share of a mixture by best bin', () => {
    // Universe: 10% positives scoring N(2, 1), 90% negatives N(-2, 1); held-out positives N(2, 1).
    const rng = new Rng(4);
    const uni = Float32Array.from(
      { length: 100_000 },
      (_, i) => (i % 10 === 0 ? 2 : -2) + rng.normal(),
    ).sort();
    const held = Float32Array.from({ length: 2000 }, () => 2 + rng.normal());
    const share = (t: number) => {
      let n = 0;
      for (const v of uni) if (v >= t) n++;
      return n / uni.length;
    };
    const est = bestBin(weightedSorted(held, new Float32Array(held.length).fill(1)), share, 0, 0.1);
    expect(est.share).toBeGreaterThan(0.09);
    expect(est.share).toBeLessThan(0.11);
  });
});

describe('Worker-safe kernel', () => {
  it('bundles kernel, spec, calibration and model loading for a browser-like runtime without Node, tfjs or DuckDB', async () => {
    const out = await build({
      stdin: {
        contents: `export { scoreProfiles, explainRow } from './src/lookalike/kernel.ts';
                   export { vectorizeProfiles } from './src/lookalike/feature-spec.ts';
                   export { buildCalibration } from './src/lookalike/calibration.ts';
                   export { portableModelFromFiles } from './src/lookalike/portable.ts';`,
        resolveDir: new URL('../..', import.meta.url).pathname,
        loader: 'ts',
      },
      bundle: true,
      platform: 'neutral',
      format: 'esm',
      write: false,
      metafile: true,
    });
    const inputs = Object.keys(out.metafile!.inputs).filter((p) => p !== '<stdin>');
    expect(inputs.every((p) => p.startsWith('src/'))).toBe(true);
    expect(inputs.some((p) => /tfjs|duckdb|arquero|node:/.test(p))).toBe(false);
    expect(out.outputFiles[0]!.text).not.toMatch(/from ['"]node:|require\(/);
  });
});
