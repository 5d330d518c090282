import { describe, expect, it } from 'vitest';
import '../../src/entry/worker.ts';
import type { Csr } from '../../src/features/csr.ts';
import { logitsRangeTs, type PortableModel, scoreCsr, sigmoid } from '../../src/lookalike/kernel.ts';
import { residentCsr, WasmKernel, wasmKernel } from '../../src/lookalike/kernel-wasm.ts';
import { Rng } from '../../src/lookalike/rng.ts';

function randomCsr(rows: number, cols: number, rng: Rng): Csr {
  const rowPtr = new Int32Array(rows + 1);
  const idx: number[] = [];
  const val: number[] = [];
  for (let r = 0; r < rows; r++) {
    const len = r % 5 === 2 ? 0 : rng.int(16);
    for (let k = 0; k < len; k++) {
      idx.push(rng.int(cols));
      val.push(rng.float() * 3);
    }
    rowPtr[r + 1] = idx.length;
  }
  return { rows, cols, rowPtr, indices: Int32Array.from(idx), values: Float32Array.from(val) };
}

function model(cols: number, hidden: number[], rng: Rng): PortableModel {
  const sizes = [cols, ...hidden, 1];
  return {
    format: 'lookalike-portable/1',
    architecture: hidden.length ? 'mlp' : 'logistic',
    spec: {} as PortableModel['spec'],
    layers: sizes.slice(0, -1).map((inputs, l) => ({
      inputs,
      units: sizes[l + 1]!,
      weights: Float32Array.from({ length: inputs * sizes[l + 1]! }, () => rng.normal() * 0.6),
      bias: Float32Array.from({ length: sizes[l + 1]! }, () => rng.normal() * 0.2),
      activation: l + 1 < sizes.length - 1 ? ('relu' as const) : ('linear' as const),
    })),
  };
}

describe('wasm kernel in workerd', () => {
  it('is installed from the bundled kernel.wasm by the Worker entry and equals the TypeScript kernel', () => {
    expect(wasmKernel()).toBeInstanceOf(WasmKernel);
    const rng = new Rng(3);
    const x = randomCsr(10_001, 30, rng);
    for (const hidden of [[], [32]]) {
      const m = model(30, hidden, rng);
      const ref = new Float32Array(x.rows);
      logitsRangeTs(m, x, ref);
      const logits = new Float32Array(x.rows);
      wasmKernel()!.logitsRange(m, x, logits);
      expect(logits).toEqual(ref);
      const p = scoreCsr(m, x);
      let worst = 0;
      for (let i = 0; i < p.length; i++) {
        const want = Math.fround(sigmoid(ref[i]!));
        if (p[i] !== want) worst = Math.max(worst, Math.abs(p[i]! - want) / want);
      }
      expect(worst).toBeLessThanOrEqual(1e-6);
      expect(residentCsr(x)!.probabilities(m)).toEqual(p);
    }
  });
});
