/**
 * Products of the need classifier's sparse feature matrices (rows are clauses or documents,
 * columns vocabulary features) with dense weights.
 */
import type { Csr } from '../../features/index.ts';

/**
 * Sparse x dense product: `x` (rows x cols) times `w` (cols x d, row-major) into rows x d.
 * Accumulates in double precision and rounds once, so the result does not depend on the order
 * a caller sums in elsewhere.
 */
export function spmm(x: Csr, w: Float32Array, d: number): Float32Array {
  const out = new Float32Array(x.rows * d);
  const acc = new Float64Array(d);
  for (let r = 0; r < x.rows; r++) {
    acc.fill(0);
    for (let p = x.rowPtr[r]!; p < x.rowPtr[r + 1]!; p++) {
      const v = x.values[p]!;
      const base = x.indices[p]! * d;
      for (let j = 0; j < d; j++) acc[j]! += v * w[base + j]!;
    }
    out.set(acc, r * d);
  }
  return out;
}

/** Transposed product `x^T g`: (cols x rows) times (rows x d) into cols x d; the weight gradient. */
export function spmmT(x: Csr, g: Float32Array, d: number): Float32Array {
  const out = new Float32Array(x.cols * d);
  for (let r = 0; r < x.rows; r++) {
    const gBase = r * d;
    for (let p = x.rowPtr[r]!; p < x.rowPtr[r + 1]!; p++) {
      const v = x.values[p]!;
      const base = x.indices[p]! * d;
      for (let j = 0; j < d; j++) out[base + j]! += v * g[gBase + j]!;
    }
  }
  return out;
}
