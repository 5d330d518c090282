/**
 * Scores as sortable integers: the Float32 logit's bits mapped so that unsigned order is score
 * order (the map `rankDescending` uses). The top 16 bits of a key name its histogram bin (sign,
 * exponent and 7 mantissa bits: every bin spans under 0.8% of its value), which is what shards
 * report and a merge adds up. Pure TypeScript.
 */

/** Histogram bins: one per value of a key's top 16 bits. */
export const BINS = 65_536;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Key of a finite logit: larger logit, larger key; -0 and +0 share one key. */
export function keyOf(logit: number): number {
  f32[0] = logit === 0 ? 0 : logit;
  const b = u32[0]!;
  return (b & 0x80000000 ? ~b : b | 0x80000000) >>> 0;
}

/** The Float32 logit of a key (inverse of `keyOf`). */
export function logitOf(key: number): number {
  u32[0] = key & 0x80000000 ? (key & 0x7fffffff) >>> 0 : ~key >>> 0;
  return f32[0]!;
}

/** Keys of logits into `out`; NaN logits (rows left out) get key 0, which no finite logit has. */
export function keysOf(logits: Float32Array, out = new Uint32Array(logits.length)): Uint32Array {
  const bits = new Uint32Array(logits.buffer, logits.byteOffset, logits.length);
  for (let i = 0; i < logits.length; i++) {
    const z = logits[i]!;
    if (Number.isNaN(z)) out[i] = 0;
    else {
      const b = z === 0 ? 0 : bits[i]!;
      out[i] = (b & 0x80000000 ? ~b : b | 0x80000000) >>> 0;
    }
  }
  return out;
}

/** The smallest logit of a bin (the value a merged histogram stands for inside it). */
export function binFloor(bin: number): number {
  return logitOf((bin << 16) >>> 0);
}
