import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assembleKernel, bytesModule, WASM_DIR } from '../../scripts/build-kernel-wasm.ts';
import type { Csr } from '../../src/features/csr.ts';
import {
  logitsRange,
  logitsRangeTs,
  type PortableModel,
  probabilitiesRange,
  scoreCsr,
  sigmoid,
} from '../../src/lookalike/kernel.ts';
import {
  emptyResidentCsr,
  residentCsr,
  useWasmKernel,
  WasmKernel,
  wasmKernel,
} from '../../src/lookalike/kernel-wasm.ts';
import { Rng } from '../../src/lookalike/rng.ts';

/** Random CSR rows: lengths 0 to maxLen (every `emptyEvery`-th row empty), values 1 or in (0, 4). */
function randomCsr(rows: number, cols: number, seed: number, maxLen = 20, emptyEvery = 7): Csr {
  const rng = new Rng(seed);
  const rowPtr = new Int32Array(rows + 1);
  const idx: number[] = [];
  const val: number[] = [];
  for (let r = 0; r < rows; r++) {
    const len = r % emptyEvery === 3 ? 0 : rng.int(maxLen + 1);
    for (let k = 0; k < len; k++) {
      idx.push(rng.int(cols));
      val.push(rng.float() < 0.5 ? 1 : rng.float() * 4);
    }
    rowPtr[r + 1] = idx.length;
  }
  return { rows, cols, rowPtr, indices: Int32Array.from(idx), values: Float32Array.from(val) };
}

function randomModel(cols: number, hidden: number[], seed: number): PortableModel {
  const rng = new Rng(seed);
  const sizes = [cols, ...hidden, 1];
  return {
    format: 'lookalike-portable/1',
    architecture: hidden.length ? 'mlp' : 'logistic',
    spec: {} as PortableModel['spec'],
    layers: sizes.slice(0, -1).map((inputs, l) => ({
      inputs,
      units: sizes[l + 1]!,
      weights: Float32Array.from({ length: inputs * sizes[l + 1]! }, () => rng.normal() * 0.7),
      bias: Float32Array.from({ length: sizes[l + 1]! }, () => rng.normal() * 0.3),
      activation: l + 1 < sizes.length - 1 ? ('relu' as const) : ('linear' as const),
    })),
  };
}

function tsLogits(model: PortableModel, x: Csr, from = 0, to = x.rows): Float32Array {
  const out = new Float32Array(to - from);
  logitsRangeTs(model, x, out, from, to);
  return out;
}

const SMALLEST_NORMAL = 2 ** -126;
const SUBNORMAL_STEP = 2 ** -149;

/**
 * Largest |a - b| / |b| over the entries, leaving out subnormal results one subnormal step
 * apart (there a step is a large relative change: Float32 has fewer digits below 2^-126).
 */
function maxRelDiff(a: Float32Array, b: Float32Array | number[]): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (a[i] === b[i] || (Math.abs(b[i]!) < SMALLEST_NORMAL && d <= SUBNORMAL_STEP)) continue;
    m = Math.max(m, d / Math.abs(b[i]!));
  }
  return m;
}

const kernel = () => {
  const k = wasmKernel();
  if (!k) throw new Error('WebAssembly must compile in Node');
  return k;
};

afterEach(() => useWasmKernel());

describe('kernel.wasm build', () => {
  it('the committed kernel.wasm and kernel-bytes.ts are exactly what kernel.wat assembles to', async () => {
    const bytes = await assembleKernel();
    expect(Buffer.from(readFileSync(join(WASM_DIR, 'kernel.wasm')))).toEqual(Buffer.from(bytes));
    expect(readFileSync(join(WASM_DIR, 'kernel-bytes.ts'), 'utf8')).toBe(bytesModule(bytes));
    expect(WebAssembly.validate(bytes)).toBe(true);
  });
});

describe('wasm kernel against the TypeScript kernel', () => {
  // 40,011 rows: two chunks of 16,384 and a short last one, an odd count, empty rows throughout.
  const x = randomCsr(40_011, 61, 5);

  for (const hidden of [[], [8], [32], [64]]) {
    const name = hidden.length ? `MLP ${hidden[0]}` : 'logistic';
    it(`${name}: logits bit-identical, probabilities within 1e-6 relative`, () => {
      const model = randomModel(61, hidden, hidden[0] ?? 1);
      const ref = tsLogits(model, x);
      const got = new Float32Array(x.rows);
      kernel().logitsRange(model, x, got);
      expect(got).toEqual(ref);
      const probs = new Float32Array(x.rows);
      kernel().probabilitiesRange(model, x, probs);
      const refProbs = ref.map((z) => sigmoid(z));
      expect(maxRelDiff(probs, refProbs)).toBeLessThanOrEqual(1e-6);
      // Rows with no entries score the bias alone.
      expect(got[3]).toBe(ref[3]);
      expect(x.rowPtr[4]! - x.rowPtr[3]!).toBe(0);
    });
  }

  it('scores any row range, including ranges crossing chunk edges and of odd length', () => {
    const model = randomModel(61, [16], 3);
    for (const [from, to] of [
      [0, 1],
      [16_383, 16_386],
      [5, 32_790],
      [40_010, 40_011],
      [100, 100],
    ] as const) {
      const got = new Float32Array(to - from);
      kernel().logitsRange(model, x, got, from, to);
      expect(got).toEqual(tsLogits(model, x, from, to));
    }
  });

  it('matches on a matrix with no entries at all and on one single row', () => {
    const model = randomModel(9, [], 2);
    const empty: Csr = {
      rows: 5,
      cols: 9,
      rowPtr: new Int32Array(6),
      indices: new Int32Array(0),
      values: new Float32Array(0),
    };
    const got = new Float32Array(5);
    kernel().logitsRange(model, empty, got);
    expect(Array.from(got)).toEqual(new Array(5).fill(Math.fround(model.layers[0]!.bias[0]!)));
    const one = randomCsr(1, 9, 4, 30, 1000);
    const z = new Float32Array(1);
    kernel().logitsRange(model, one, z);
    expect(z).toEqual(tsLogits(model, one));
  });

  it('the logistic function matches 1 / (1 + exp(-z)) from the tails to the centre', () => {
    const z = Float32Array.from([
      -1e30,
      -200,
      -110,
      -104,
      -103.9,
      -88.7,
      -87.3,
      -50,
      -17.5,
      -1,
      -1e-8,
      0,
      1e-8,
      0.5,
      1,
      16.6,
      17.4,
      40,
      41,
      1e30,
      Number.NaN,
    ]);
    const got = z.slice();
    kernel().sigmoidInPlace(got);
    const want = z.map((v) => sigmoid(v));
    expect(maxRelDiff(got.subarray(0, -1), want.subarray(0, -1))).toBeLessThanOrEqual(1e-6);
    // The subnormal tail: -103.9 gives the smallest subnormal, as the double-precision result does.
    expect(got[4]).toBe(SUBNORMAL_STEP);
    expect(want[4]).toBe(SUBNORMAL_STEP);
    expect(Array.from(got.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(got[got.length - 3]).toBe(1);
    expect(got[got.length - 1]).toBeNaN();
  });

  it('the logistic function is within 1e-6 relative of Math.exp on 240,001 evenly spaced logits', () => {
    const z = Float32Array.from({ length: 240_001 }, (_, i) => -110 + i * 0.001);
    const want = z.map((v) => sigmoid(v));
    // Every array length modulo the SIMD width of 4, so the last partial vector is covered.
    for (const len of [240_001, 240_000, 239_999, 239_998]) {
      const got = z.slice(0, len);
      kernel().sigmoidInPlace(got);
      expect(maxRelDiff(got, want.subarray(0, len))).toBeLessThanOrEqual(1e-6);
    }
    // Lengths 1 to 3 alone: only the partial vector, and nothing written past the end.
    const buf = Float32Array.of(0.5, -2, 3, 99);
    kernel().sigmoidInPlace(buf.subarray(0, 3));
    expect(maxRelDiff(buf.subarray(0, 3), [sigmoid(0.5), sigmoid(-2), sigmoid(3)])).toBeLessThanOrEqual(1e-6);
    expect(buf[3]).toBe(99);
  });

  it('rejects a column index outside the model, naming the row and the index', () => {
    const model = randomModel(10, [], 1);
    const bad: Csr = {
      rows: 3,
      cols: 10,
      rowPtr: Int32Array.of(0, 1, 3, 4),
      indices: Int32Array.of(2, 4, 10, 1),
      values: Float32Array.of(1, 1, 1, 1),
    };
    expect(() => kernel().logitsRange(model, bad, new Float32Array(3))).toThrow(
      "row 1 has column index 10, outside the model's 10 inputs (0 to 9)",
    );
    const negative = { ...bad, indices: Int32Array.of(2, 4, 5, -1) };
    expect(() => kernel().logitsRange(randomModel(10, [8], 1), negative, new Float32Array(3))).toThrow(
      'row 2 has column index -1',
    );
  });
});

describe('kernel.ts entry points', () => {
  it('logitsRange, probabilitiesRange and scoreCsr use the wasm kernel and equal the TypeScript loops', () => {
    const x = randomCsr(3_001, 40, 9);
    const model = randomModel(40, [32], 8);
    const ref = tsLogits(model, x);
    const z = new Float32Array(x.rows);
    logitsRange(model, x, z);
    expect(z).toEqual(ref);
    const p = new Float32Array(x.rows);
    probabilitiesRange(model, x, p);
    expect(
      maxRelDiff(
        p,
        ref.map((v) => sigmoid(v)),
      ),
    ).toBeLessThanOrEqual(1e-6);
    expect(scoreCsr(model, x)).toEqual(p);
  });

  it('networks without a wasm loop (odd hidden width, two hidden layers) use the TypeScript loops', () => {
    const x = randomCsr(500, 12, 2);
    for (const hidden of [[5], [8, 4]]) {
      const model = randomModel(12, hidden, 4);
      expect(kernel().supports(model)).toBe(false);
      const z = new Float32Array(x.rows);
      logitsRange(model, x, z);
      expect(z).toEqual(tsLogits(model, x));
    }
  });

  it('with the wasm kernel switched off, the TypeScript loops score alone', () => {
    const x = randomCsr(300, 12, 3);
    const model = randomModel(12, [], 4);
    useWasmKernel(null);
    expect(wasmKernel()).toBeNull();
    const p = scoreCsr(model, x);
    expect(p).toEqual(tsLogits(model, x).map((v) => sigmoid(v)));
    useWasmKernel();
    expect(wasmKernel()).toBeInstanceOf(WasmKernel);
  });
});

describe('resident rows', () => {
  it('score in place with any model, equal to the copying path, through kernel.ts too', () => {
    const x = randomCsr(17_000, 50, 11);
    const rows = residentCsr(x)!;
    expect(rows.x.indices.buffer).not.toBe(x.indices.buffer);
    for (const hidden of [[], [24]]) {
      const model = randomModel(50, hidden, 5);
      const ref = tsLogits(model, x);
      expect(rows.logits(model)).toEqual(ref);
      const z = new Float32Array(x.rows - 10);
      logitsRange(model, rows.x, z, 10, x.rows);
      expect(z).toEqual(ref.subarray(10));
      const p = new Float32Array(x.rows);
      kernel().probabilitiesRange(model, x, p);
      expect(rows.probabilities(model)).toEqual(p);
      expect(scoreCsr(model, rows.x)).toEqual(p);
    }
  });

  it('can be filled in place by a loader', () => {
    const x = randomCsr(100, 20, 12);
    const rows = emptyResidentCsr(x.rows, x.indices.length, x.cols)!;
    rows.x.rowPtr.set(x.rowPtr);
    rows.x.indices.set(x.indices);
    rows.x.values.set(x.values);
    const model = randomModel(20, [], 6);
    expect(rows.logits(model)).toEqual(tsLogits(model, x));
  });

  it('a model larger than the reserved space is scored by copying, with the same result', () => {
    const x = randomCsr(50, 17_000, 13);
    const rows = residentCsr(x)!;
    const model = randomModel(17_000, [32], 7); // 17,000 x 32 doubles: over 4 MiB
    expect(rows.logits(model)).toEqual(tsLogits(model, x));
    expect(rows.x.indices.length).toBe(x.indices.length); // the views are still valid
  });
});
