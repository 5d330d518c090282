/**
 * Seeded PRNG (sfc32, seeded through a bijective 32-bit mixer) and the distributions the sample
 * generator draws from. Every entity (a member, a third-party person, a text) gets its own
 * sub-stream keyed by (seed, stream, index): what member 17 looks like never depends on how many
 * numbers member 16 consumed, and a new draw in one table's logic cannot reshuffle another table.
 */

import { fnv1a32 } from '../schema/index.ts';

/** murmur3's 32-bit finaliser: a bijection on uint32, so distinct keys stay distinct. */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over a stream name; streams are named so their ids survive reordering of the code. */
export function streamId(name: string): number {
  return fnv1a32(name);
}

const TWO_32 = 4294967296;

export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  constructor(seed: number, stream: number, index = 0) {
    this.reseed(seed, stream, index);
  }

  /** Re-keys this generator in place: the hot loops reuse one object per concern instead of allocating millions. */
  reseed(seed: number, stream: number, index = 0): this {
    let s = mix32(mix32((seed >>> 0) ^ 0x9e3779b9) ^ stream);
    s = mix32(s ^ mix32((index >>> 0) + 0x6a09e667));
    // splitmix32 steps expand the key into four well-mixed state words.
    const golden = 0x9e3779b9;
    this.a = mix32((s + golden) | 0);
    this.b = mix32((s + 2 * golden) | 0);
    this.c = mix32((s + 3 * golden) | 0);
    this.d = mix32((s + 4 * golden) | 0) | 1;
    for (let i = 0; i < 4; i++) this.next();
    return this;
  }

  /** Uniform uint32 (sfc32). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next() / TWO_32;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  /** Standard normal (Box-Muller, one value per call so the stream position is easy to reason about). */
  normal(): number {
    const u = 1 - this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }

  /** Log-normal with mean 1: a multiplicative individual effect. */
  lognormal(sigma: number): number {
    return Math.exp(sigma * this.normal() - (sigma * sigma) / 2);
  }

  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.float();
    while (p > limit) {
      k++;
      p *= this.float();
    }
    return k;
  }

  /** Gamma(shape, 1) by Marsaglia-Tsang; shape < 1 through the usual power boost. */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * this.float() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.float();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Beta with the given mean and concentration (a + b). */
  betaMean(mean: number, concentration: number): number {
    const x = this.gamma(mean * concentration);
    const y = this.gamma((1 - mean) * concentration);
    return x + y > 0 ? x / (x + y) : mean;
  }

  /** Index drawn from a cumulative weight table (last entry = total), by binary search. */
  pickCumulative(cum: ArrayLike<number>, from = 0, to = cum.length): number {
    const total = cum[to - 1]!;
    const base = from > 0 ? cum[from - 1]! : 0;
    const x = base + (total - base) * this.float();
    let lo = from;
    let hi = to - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Index drawn from raw non-negative weights (linear scan: for short lists). */
  pickWeights(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i]!;
    let x = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i]!;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/** Running sum of weights, for {@link Rng.pickCumulative}. */
export function cumulative(weights: ArrayLike<number>): Float64Array {
  const out = new Float64Array(weights.length);
  let s = 0;
  for (let i = 0; i < weights.length; i++) {
    s += weights[i]!;
    out[i] = s;
  }
  return out;
}
