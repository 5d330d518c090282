import { mulberry32 } from '../features/random.ts';

/** The seeded PRNG of training: training order depends on the seed and nothing else. */
export const seededRandom = mulberry32;

/** Fisher-Yates shuffle of 0..n-1 with a seeded generator. */
export function shuffledIndices(n: number, random: () => number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A stable fraction in [0, 1) from a string (FNV-1a), for fixed splits that survive reordering. */
export function hashFraction(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) / 4294967296;
}
