/**
 * mulberry32: a small seeded PRNG, uniform in [0, 1). Every random choice of segmentation and
 * need-classifier training draws from it, so their results are pure functions of the seed.
 * No imports: worker threads load this file without the rest of the features layer.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
