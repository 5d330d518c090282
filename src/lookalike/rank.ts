/**
 * Ranking a whole universe by score: a stable LSD radix sort on the Float32 bit pattern, so
 * 10M scores rank in well under a second and ties keep ascending row order (= ID order).
 * Pure TypeScript.
 */

/**
 * Row indices ordered by descending `scores`; equal scores keep ascending index order.
 *
 * @param scores - one score per row (NaN ranks last).
 * @returns `order[rank] = row`.
 */
export function rankDescending(scores: Float32Array): Uint32Array {
  const n = scores.length;
  const bits = new Uint32Array(scores.buffer, scores.byteOffset, n);
  let keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    // -0 and +0 are equal scores: give them one key so ties stay in row order.
    const b = scores[i] === 0 ? 0 : bits[i]!;
    // Monotone map of float order to unsigned order, then inverted for descending.
    const asc = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
    keys[i] = Number.isNaN(scores[i]!) ? 0xffffffff : ~asc >>> 0;
  }
  let idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  let keys2 = new Uint32Array(n);
  let idx2 = new Uint32Array(n);
  const RADIX = 2048;
  const count = new Uint32Array(RADIX);
  for (const shift of [0, 11, 22]) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(keys[i]! >>> shift) & 2047]!++;
    let sum = 0;
    for (let d = 0; d < RADIX; d++) {
      const c = count[d]!;
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      const p = count[(k >>> shift) & 2047]!++;
      keys2[p] = k;
      idx2[p] = idx[i]!;
    }
    [keys, keys2] = [keys2, keys];
    [idx, idx2] = [idx2, idx];
  }
  return idx;
}
