/**
 * Compressed sparse rows: the feature matrices of the need classifier and of the livedoor check.
 * Rows are instances (clauses, documents), columns are vocabulary features.
 */
export interface Csr {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

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
    for (let p = x.indptr[r]!; p < x.indptr[r + 1]!; p++) {
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
    for (let p = x.indptr[r]!; p < x.indptr[r + 1]!; p++) {
      const v = x.values[p]!;
      const base = x.indices[p]! * d;
      for (let j = 0; j < d; j++) out[base + j]! += v * g[gBase + j]!;
    }
  }
  return out;
}

/** The rows `which` of `x`, in that order, as a new matrix. */
export function selectRows(x: Csr, which: readonly number[]): Csr {
  let nnz = 0;
  for (const r of which) nnz += x.indptr[r + 1]! - x.indptr[r]!;
  const indptr = new Int32Array(which.length + 1);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let k = 0;
  which.forEach((r, i) => {
    const from = x.indptr[r]!;
    const to = x.indptr[r + 1]!;
    indices.set(x.indices.subarray(from, to), k);
    values.set(x.values.subarray(from, to), k);
    k += to - from;
    indptr[i + 1] = k;
  });
  return { rows: which.length, cols: x.cols, indptr, indices, values };
}
