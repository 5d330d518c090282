/**
 * The size/precision frontier of one model over one universe: for every audience size n (the
 * top n of a fixed ranking), the expected precision with its interval, expected positives,
 * held-out recall and lift over random. Precision at n is min(1, pi N R(t_n) / n): R is the
 * held-out recall at the n-th score and pi the universe's positive share by Best Bin Estimation
 * over the exact universe (see `lookalike/calibration.ts`). Every bootstrap replicate re-estimates
 * both, so the interval carries the uncertainty of the bin choice too. Exact at any size in
 * O(replicates x log) time. Pure TypeScript.
 */

// The file, not the enrich index: the index loads arquero, and this module stays pure arithmetic.
import { normalQuantile, wilsonShare } from '../enrich/wilson.ts';
import { bestBin, type Calibration, dkw, percentile, shareAtLeast } from '../lookalike/calibration.ts';
import { InvalidInputError } from '../schema/index.ts';

export interface FrontierPoint {
  /** Audience size: the top `size` of the ranking. */
  size: number;
  /** Share of the universe. */
  share: number;
  /** Lowest model score (0-1) in the audience. */
  threshold: number;
  expectedPrecision: number;
  /** Confidence interval of the precision. */
  ci: [number, number];
  expectedPositives: number;
  /** Share of held-out seed rows that score at or above the threshold. */
  heldOutRecall: number;
  /** Expected precision over the universe's estimated positive share (random targeting). */
  lift: number;
}

export interface FrontierSummary {
  universeSize: number;
  /** Estimated share of the universe that resembles the seed (the precision of a random audience). */
  positiveShare: number;
  positiveShareCi: [number, number];
  expectedPositivesTotal: number;
  /** Size of the bin assumed pure by the estimate. */
  bestBinSize: number;
  confidence: number;
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/**
 * A universe's logits in rank order (descending), as the frontier reads them: the whole sorted
 * array in one process, or a merged histogram of shards (see `scale/ranked-histogram.ts`).
 */
export interface RankedLogits {
  readonly length: number;
  /** The logit at rank `i` (0-based). */
  at(i: number): number;
  /** How many logits are >= t. */
  countAtLeast(t: number): number;
  /** How many logits are > t. */
  countAbove(t: number): number;
}

/** Number of leading entries of a descending array that are >= t. */
function countAtLeast(desc: Float32Array, t: number): number {
  let lo = 0;
  let hi = desc.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (desc[mid]! >= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of leading entries of a descending array that are > t. */
function countAbove(desc: Float32Array, t: number): number {
  let lo = 0;
  let hi = desc.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (desc[mid]! > t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A descending Float32Array as ranked logits. */
export function rankedArray(desc: Float32Array): RankedLogits {
  return {
    length: desc.length,
    at: (i) => desc[i]!,
    countAtLeast: (t) => countAtLeast(desc, t),
    countAbove: (t) => countAbove(desc, t),
  };
}

/**
 * A frontier over the descending logits of a ranked universe and a calibration.
 *
 * The interval combines, Bonferroni-style, a bootstrap interval of the positive share with a
 * Wilson interval of the held-out recall, so it covers both at the stated level. Because the
 * top n of a ranking by a score that rises with the chance of resembling the seed has a precision
 * that does not increase with n, a bound at a larger size also bounds every smaller one (and an
 * upper bound at a smaller size every larger one); the reported point and bounds are those
 * monotone envelopes, which is what makes them informative at the very top, where few held-out
 * rows score.
 *
 * @example
 * const f = new Frontier(scored.sorted, buildCalibration(model.calibration));
 * f.at(10_000).expectedPrecision; // e.g. 0.82
 */
export class Frontier {
  readonly summary: FrontierSummary;
  private readonly share: number;
  private readonly shareCi: [number, number];
  private readonly z: number;
  /** Sizes where the held-out recall steps up, ascending, and envelope values there. */
  private readonly steps: Int32Array;
  private readonly pointSufMax: Float64Array;
  private readonly lowerSufMax: Float64Array;
  private readonly upperPreMin: Float64Array;

  /** Logits in rank order. */
  readonly sorted: RankedLogits;

  constructor(
    /** Logits in rank order (descending), as an array or ranked logits. */
    sorted: Float32Array | RankedLogits,
    readonly calibration: Calibration,
  ) {
    this.sorted = sorted instanceof Float32Array ? rankedArray(sorted) : sorted;
    const ranked = this.sorted;
    const n = ranked.length;
    const upper = (t: number) => (n ? ranked.countAtLeast(t) / n : 0);
    const delta = calibration.data.delta;
    const point = bestBin(calibration.heldOut, upper, 0, delta);
    this.share = point.share;
    const shares = calibration.replicates.map((r) => bestBin(r, upper, 0, delta).share).sort((a, b) => a - b);
    const alpha = 1 - calibration.data.confidence;
    // Two intervals at 1 - alpha/2 each cover jointly at 1 - alpha. The share's interval is the
    // wider of the bootstrap's and the DKW band around the chosen bin's recall: the bootstrap
    // alone understates it, because every replicate re-picks the bin that flatters it.
    const eps = dkw(calibration.heldOut.effective, alpha / 2);
    const binUniverseShare = point.share * point.binRecall;
    const lo = Math.min(
      point.share,
      shares.length ? percentile(shares, alpha / 4) : point.share,
      binUniverseShare / Math.min(1, point.binRecall + eps),
    );
    const hi = Math.max(
      point.share,
      shares.length ? percentile(shares, 1 - alpha / 4) : point.share,
      point.binRecall - eps > 0 ? binUniverseShare / (point.binRecall - eps) : 1,
    );
    this.shareCi = [lo, Math.min(1, hi)];
    this.z = normalQuantile(1 - alpha / 4);
    this.summary = {
      universeSize: n,
      positiveShare: point.share,
      positiveShareCi: this.shareCi,
      expectedPositivesTotal: point.share * n,
      bestBinSize: ranked.countAtLeast(point.threshold),
      confidence: calibration.data.confidence,
    };
    // Held-out recall only steps up at the first size whose lowest score is at or below a
    // held-out score: one past the universe rows scoring strictly above it.
    const held = calibration.heldOut.z;
    const sizes = new Set<number>();
    for (let i = 0; i < held.length; i++) {
      const c = ranked.countAbove(held[i]!) + 1;
      if (c <= n) sizes.add(c);
    }
    this.steps = Int32Array.from([...sizes].sort((a, b) => a - b));
    const k = this.steps.length;
    this.pointSufMax = new Float64Array(k + 1);
    this.lowerSufMax = new Float64Array(k + 1);
    this.upperPreMin = new Float64Array(k + 1).fill(1);
    for (let i = k - 1; i >= 0; i--) {
      const raw = this.raw(this.steps[i]!);
      this.pointSufMax[i] = Math.max(this.pointSufMax[i + 1]!, raw.point);
      this.lowerSufMax[i] = Math.max(this.lowerSufMax[i + 1]!, raw.lower);
    }
    for (let i = 0; i < k; i++) {
      const before = this.steps[i]! - 1;
      const u = before >= 1 ? this.raw(before).upper : 1;
      this.upperPreMin[i + 1] = Math.min(this.upperPreMin[i]!, u);
    }
  }

  get size(): number {
    return this.sorted.length;
  }

  /** Point and bounds at one size, before the monotone envelopes. */
  private raw(size: number): { point: number; lower: number; upper: number; recall: number } {
    const n = this.sorted.length;
    const recall = shareAtLeast(this.calibration.heldOut, this.sorted.at(size - 1));
    const [rLo, rHi] = wilsonShare(recall, this.calibration.heldOut.effective, this.z);
    const f = n / size;
    return {
      point: Math.min(1, this.share * f * recall),
      lower: Math.min(1, this.shareCi[0] * f * rLo),
      upper: Math.min(1, this.shareCi[1] * f * rHi),
      recall,
    };
  }

  /** Index of the first step size >= size. */
  private firstStepAtLeast(size: number): number {
    let lo = 0;
    let hi = this.steps.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.steps[mid]! < size) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The frontier exactly at audience size `size`.
   *
   * @throws InvalidInputError when size is not a whole number in [1, universe size].
   */
  at(size: number): FrontierPoint {
    const n = this.sorted.length;
    if (!Number.isInteger(size) || size < 1 || size > n) {
      throw new InvalidInputError(
        `audience size must be a whole number in [1, ${n}] (the universe), got ${size}`,
        'size',
      );
    }
    const raw = this.raw(size);
    const j = this.firstStepAtLeast(size);
    // Steps <= size + 1: the upper bound just before each of them bounds this size from above.
    const jUp = this.firstStepAtLeast(size + 2);
    const lower = Math.max(raw.lower, this.lowerSufMax[j]!);
    const upper = Math.max(lower, Math.min(raw.upper, this.upperPreMin[jUp]!));
    const precision = Math.min(upper, Math.max(lower, raw.point, this.pointSufMax[j]!));
    return {
      size,
      share: size / n,
      threshold: sigmoid(this.sorted.at(size - 1)),
      expectedPrecision: precision,
      ci: [lower, upper],
      expectedPositives: precision * size,
      heldOutRecall: raw.recall,
      lift: this.share > 0 ? precision / this.share : Number.NaN,
    };
  }

  /**
   * A grid of frontier points: `steps` sizes spaced evenly on a log scale from `min` to the whole
   * universe, plus any `extra` sizes, sorted and distinct.
   */
  grid(steps = 200, extra: readonly number[] = [], min = 1): FrontierPoint[] {
    const n = this.sorted.length;
    if (n === 0) return [];
    const sizes = new Set<number>();
    const lo = Math.max(1, Math.min(min, n));
    for (let i = 0; i < steps; i++) sizes.add(Math.round(lo * (n / lo) ** (i / Math.max(1, steps - 1))));
    for (const s of extra) if (Number.isInteger(s) && s >= 1 && s <= n) sizes.add(s);
    return [...sizes].sort((a, b) => a - b).map((s) => this.at(s));
  }
}

/**
 * Expected precision of each rank on its own (the chance that the person at that rank resembles
 * the seed): slopes of expected positives over a fine size grid, made non-increasing by pool-
 * adjacent-violators. Rule-based audiences are scored with it: their expected precision is the
 * mean over their members.
 *
 * @returns Float32Array indexed by rank (0-based).
 */
export function marginalPrecision(frontier: Frontier, steps = 400): Float32Array {
  const n = frontier.size;
  const out = new Float32Array(n);
  if (n === 0) return out;
  const points = frontier.grid(steps, [], 1);
  const sizes = [0, ...points.map((p) => p.size)];
  const pos = [0, ...points.map((p) => p.expectedPositives)];
  // Slopes per segment, then pool adjacent violators to a non-increasing sequence.
  const value: number[] = [];
  const weight: number[] = [];
  const count: number[] = [];
  for (let k = 1; k < sizes.length; k++) {
    const w = sizes[k]! - sizes[k - 1]!;
    if (w <= 0) continue;
    value.push(Math.min(1, Math.max(0, (pos[k]! - pos[k - 1]!) / w)));
    weight.push(w);
    count.push(1);
    while (value.length > 1 && value[value.length - 2]! < value[value.length - 1]!) {
      const v2 = value.pop()!;
      const w2 = weight.pop()!;
      const c2 = count.pop()!;
      const i = value.length - 1;
      value[i] = (value[i]! * weight[i]! + v2 * w2) / (weight[i]! + w2);
      weight[i] = weight[i]! + w2;
      count[i] = count[i]! + c2;
    }
  }
  let r = 0;
  for (let b = 0; b < value.length; b++) {
    const end = Math.min(n, r + weight[b]!);
    out.fill(value[b]!, r, end);
    r = end;
  }
  return out;
}
