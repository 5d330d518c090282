import { afterAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../src/adapters/worker-pool.ts';
import type { Csr } from '../../src/features/csr.ts';
import { type PortableModel, probabilitiesRange } from '../../src/lookalike/kernel.ts';
import { Rng } from '../../src/lookalike/rng.ts';

/** `x` with its arrays in SharedArrayBuffers: threads read them without a copy. */
function shared(x: Csr): Csr {
  const i32 = (a: Int32Array) => {
    const out = new Int32Array(new SharedArrayBuffer(a.byteLength));
    out.set(a);
    return out;
  };
  const values = new Float32Array(new SharedArrayBuffer(x.values.byteLength));
  values.set(x.values);
  return { rows: x.rows, cols: x.cols, rowPtr: i32(x.rowPtr), indices: i32(x.indices), values };
}

describe('lookalike-score-rows on the worker pool', () => {
  const pool = new WorkerPool({ size: 2 });
  afterAll(() => pool.close());

  it('two threads scoring one slice each fill a shared output equal to one-thread scoring', async () => {
    const rng = new Rng(21);
    const rows = 30_001;
    const rowPtr = new Int32Array(rows + 1);
    const idx: number[] = [];
    for (let r = 0; r < rows; r++) {
      const len = rng.int(12);
      for (let k = 0; k < len; k++) idx.push(rng.int(50));
      rowPtr[r + 1] = idx.length;
    }
    const x = shared({
      rows,
      cols: 50,
      rowPtr,
      indices: Int32Array.from(idx),
      values: Float32Array.from(idx, () => rng.float() * 2),
    });
    const model: PortableModel = {
      format: 'lookalike-portable/1',
      architecture: 'mlp',
      spec: {} as PortableModel['spec'],
      layers: [
        {
          inputs: 50,
          units: 16,
          activation: 'relu',
          weights: Float32Array.from({ length: 800 }, () => rng.normal()),
          bias: Float32Array.from({ length: 16 }, () => rng.normal()),
        },
        {
          inputs: 16,
          units: 1,
          activation: 'linear',
          weights: Float32Array.from({ length: 16 }, () => rng.normal()),
          bias: Float32Array.of(-0.5),
        },
      ],
    };
    const out = new Float32Array(new SharedArrayBuffer(rows * 4));
    const half = 15_000;
    const ms = await Promise.all([
      pool.run<number>('lookalike-score-rows', { model, x, out, from: 0, to: half, probabilities: true }),
      pool.run<number>('lookalike-score-rows', { model, x, out, from: half, to: rows, probabilities: true }),
    ]);
    expect(ms.every((t) => t >= 0)).toBe(true);
    const want = new Float32Array(rows);
    probabilitiesRange(model, x, want);
    expect(out).toEqual(want);
  }, 60_000);
});
