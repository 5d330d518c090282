import type { Matrix } from '../../src/segment/index.ts';

/** Deterministic Gaussian-ish blobs: `k` centres in `cols` dims, `rows` points, seeded LCG. */
export function blobs(
  rows: number,
  cols: number,
  k: number,
  seed = 1,
  spread = 1,
): Matrix & { truth: Int32Array } {
  let s = seed >>> 0 || 1;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const normal = () => (next() + next() + next() + next() - 2) * Math.sqrt(3);
  const centres = Array.from({ length: k }, () => Array.from({ length: cols }, () => next() * 10));
  const values = new Float64Array(rows * cols);
  const truth = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const c = Math.floor(next() * k);
    truth[i] = c;
    for (let d = 0; d < cols; d++) values[i * cols + d] = centres[c]![d]! + normal() * spread;
  }
  return { values, rows, cols, truth };
}

export const toArrays = (m: Matrix): number[][] =>
  Array.from({ length: m.rows }, (_, i) => Array.from(m.values.subarray(i * m.cols, (i + 1) * m.cols)));
