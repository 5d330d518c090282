/**
 * Compressed sparse rows, the one sparse matrix of the engine: profile matrices of the lookalike
 * scorer (most third-party features are absent for most people, so a 10M-profile universe is ~14
 * non-zeros per row instead of hundreds of columns) and clause x vocabulary matrices of the need
 * classifier. Pure TypeScript with no imports: the Worker's scoring kernel uses it, so modules the
 * Worker reaches import this file itself rather than the features index (which loads TensorFlow.js).
 */

export interface Csr {
  readonly rows: number;
  readonly cols: number;
  /** Row i's entries are `indices/values[rowPtr[i] .. rowPtr[i + 1])`; length rows + 1. */
  readonly rowPtr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

/** An empty matrix with `cols` columns. */
export function emptyCsr(cols: number): Csr {
  return {
    rows: 0,
    cols,
    rowPtr: new Int32Array(1),
    indices: new Int32Array(0),
    values: new Float32Array(0),
  };
}

/** The rows `which` of `x`, in that order. */
export function selectRows(x: Csr, which: ArrayLike<number>): Csr {
  let nnz = 0;
  for (let k = 0; k < which.length; k++) {
    const r = which[k]!;
    nnz += x.rowPtr[r + 1]! - x.rowPtr[r]!;
  }
  const rowPtr = new Int32Array(which.length + 1);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let p = 0;
  for (let k = 0; k < which.length; k++) {
    const r = which[k]!;
    const from = x.rowPtr[r]!;
    const to = x.rowPtr[r + 1]!;
    indices.set(x.indices.subarray(from, to), p);
    values.set(x.values.subarray(from, to), p);
    p += to - from;
    rowPtr[k + 1] = p;
  }
  return { rows: which.length, cols: x.cols, rowPtr, indices, values };
}

/** Stacks matrices with the same columns on top of each other. */
export function vstack(parts: readonly Csr[]): Csr {
  const cols = parts[0]?.cols ?? 0;
  let rows = 0;
  let nnz = 0;
  for (const p of parts) {
    if (p.cols !== cols) throw new Error(`vstack: column counts differ (${cols} vs ${p.cols})`);
    rows += p.rows;
    nnz += p.indices.length;
  }
  const rowPtr = new Int32Array(rows + 1);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let r = 0;
  let off = 0;
  for (const p of parts) {
    for (let i = 0; i < p.rows; i++) rowPtr[r + i + 1] = off + p.rowPtr[i + 1]!;
    indices.set(p.indices, off);
    values.set(p.values, off);
    r += p.rows;
    off += p.indices.length;
  }
  return { rows, cols, rowPtr, indices, values };
}

/** Row-major dense copy of `x`, for training on small samples. */
export function toDense(x: Csr): Float32Array {
  const out = new Float32Array(x.rows * x.cols);
  for (let r = 0; r < x.rows; r++) {
    const base = r * x.cols;
    for (let p = x.rowPtr[r]!; p < x.rowPtr[r + 1]!; p++) out[base + x.indices[p]!] = x.values[p]!;
  }
  return out;
}

/** CSR of a row-major dense matrix, keeping only non-zeros. */
export function fromDense(values: ArrayLike<number>, rows: number, cols: number): Csr {
  let nnz = 0;
  for (let i = 0; i < rows * cols; i++) if (values[i] !== 0) nnz++;
  const rowPtr = new Int32Array(rows + 1);
  const indices = new Int32Array(nnz);
  const vals = new Float32Array(nnz);
  let p = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c]!;
      if (v !== 0) {
        indices[p] = c;
        vals[p++] = v;
      }
    }
    rowPtr[r + 1] = p;
  }
  return { rows, cols, rowPtr, indices, values: vals };
}
