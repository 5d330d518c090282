/**
 * Calibration: from a positive-unlabelled scorer to an expected precision for every audience size.
 *
 * Two quantities make the frontier. The held-out recall curve R(t): the share of held-out seed
 * rows (each scored by a model not fitted on it) scoring at least t; under the positive-unlabelled
 * assumption that the seed is a random sample of the positives, it is also the share of the
 * universe's positives above t. And the positive share pi of the universe, a mixture proportion:
 * the top n of the universe hold at most n positives, so pi <= (n / N) / R(t_n) for every n, with
 * equality where the top bin is pure. Best Bin Estimation (Garg et al., NeurIPS 2021) takes the
 * bin that minimises that bound after widening R by its DKW confidence radius, which keeps a few
 * lucky held-out rows from driving the estimate. Precision at size n is then min(1, pi N R(t_n) / n).
 *
 * We do not use Elkan and Noto's c = mean g over held-out positives: it equals P(labelled |
 * positive) only when positives and negatives never overlap, and measured here it missed the
 * positive share by 20-40% on overlapping personas. The interval is a percentile bootstrap over
 * the held-out seed rows (which moves both R and the chosen bin).
 *
 * A seed of members is not always a random sample of the positives in a non-member universe
 * (members cluster near stores), so held-out rows may carry importance weights (see
 * `selection.ts`). Pure TypeScript.
 */
import { Rng } from './rng.ts';

export interface CalibrationData {
  /**
   * Logits of held-out seed rows, each from a model not fitted on it: the model itself, or for a
   * cross-fitted members logistic the fold model that held the row out.
   */
  heldOut: Float32Array;
  /** Importance weight of each held-out row (all 1 when the seed is a random sample of positives). */
  heldOutWeights: Float32Array;
  /** Logits of held-out universe-sample rows, scored the same way (for a positive-share estimate before scoring the universe). */
  unlabelled: Float32Array;
  /** Bootstrap replicates and their random seed. */
  replicates: number;
  seed: number;
  /** Two-sided confidence level of the intervals. */
  confidence: number;
  /** Confidence parameter of the DKW radius in bin selection. Default 0.1. */
  delta: number;
}

/** A summary of the calibration stored in the model manifest. */
export interface CalibrationSummary {
  method: 'best-bin';
  /** Estimated share of the universe sample that resembles the seed. */
  positiveShare: number;
  positiveShareInterval: [number, number];
  /** Held-out recall of the chosen bin (its purity is assumed). */
  binRecall: number;
  heldOut: number;
  /** Effective number of held-out rows after weighting. */
  heldOutEffective: number;
  unlabelled: number;
  replicates: number;
  confidence: number;
}

/** Held-out logits in ascending order with the weight share at or above each position. */
export interface WeightedSorted {
  z: Float32Array;
  /** `tail[i]` = weight share of entries i..n-1; length n + 1 (tail[n] = 0). */
  tail: Float64Array;
  /** Effective sample size (sum w)^2 / sum w^2. */
  effective: number;
}

export function weightedSorted(
  z: ArrayLike<number>,
  w: ArrayLike<number>,
  pick?: Uint32Array,
): WeightedSorted {
  const n = pick ? pick.length : z.length;
  const idx = Array.from({ length: n }, (_, i) => (pick ? pick[i]! : i));
  idx.sort((a, b) => z[a]! - z[b]! || a - b);
  const out = Float32Array.from(idx, (k) => z[k]!);
  const tail = new Float64Array(n + 1);
  let sq = 0;
  for (let i = n - 1; i >= 0; i--) {
    const wi = w[idx[i]!]!;
    tail[i] = tail[i + 1]! + wi;
    sq += wi * wi;
  }
  const total = tail[0]!;
  for (let i = 0; i <= n; i++) tail[i] = total > 0 ? tail[i]! / total : 0;
  return { z: out, tail, effective: sq > 0 ? (total * total) / sq : 0 };
}

/** Weight share of held-out logits >= t (binary search). */
export function shareAtLeast(s: WeightedSorted, t: number): number {
  let lo = 0;
  let hi = s.z.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s.z[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return s.z.length ? s.tail[lo]! : Number.NaN;
}

/** DKW radius of an empirical CDF from `m` draws at confidence 1 - delta. */
export function dkw(m: number, delta: number): number {
  return m > 0 ? Math.sqrt(Math.log(2 / delta) / (2 * m)) : 1;
}

/**
 * Best Bin Estimation of the positive share.
 *
 * @param heldOut - held-out seed logits (weighted, sorted).
 * @param upperShare - share of the unlabelled population scoring >= t (exact for a scored universe).
 * @param unlabelledRadius - DKW radius of `upperShare` (0 when it is exact).
 * @param delta - confidence parameter of the held-out radius.
 * @returns the share and the held-out recall of the chosen bin.
 */
export function bestBin(
  heldOut: WeightedSorted,
  upperShare: (t: number) => number,
  unlabelledRadius: number,
  delta: number,
): { share: number; binRecall: number; threshold: number } {
  const eps = dkw(heldOut.effective, delta);
  let best = Number.POSITIVE_INFINITY;
  let out = { share: 1, binRecall: 1, threshold: Number.NEGATIVE_INFINITY };
  const n = heldOut.z.length;
  // Candidate bins: the upper tails starting at each distinct held-out score.
  for (let i = n - 1; i >= 0; i--) {
    if (i > 0 && heldOut.z[i - 1] === heldOut.z[i]) continue;
    const t = heldOut.z[i]!;
    const r = heldOut.tail[i]!;
    if (r - eps <= 0) continue;
    const u = upperShare(t);
    const bound = (u + unlabelledRadius) / (r - eps);
    if (bound < best) {
      best = bound;
      out = { share: Math.min(1, u / r), binRecall: r, threshold: t };
    }
  }
  return out;
}

function resample(rng: Rng, n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(n);
  return out;
}

export function percentile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (!n) return Number.NaN;
  const pos = Math.min(n - 1, Math.max(0, q * (n - 1)));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** The calibration ready to apply: the held-out curve and its bootstrap replicates. */
export interface Calibration {
  data: CalibrationData;
  heldOut: WeightedSorted;
  replicates: WeightedSorted[];
  summary: CalibrationSummary;
}

/** Share of ascending `sorted` values >= t. */
function upperShareOf(sorted: Float32Array): (t: number) => number {
  return (t) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return sorted.length ? (sorted.length - lo) / sorted.length : 0;
  };
}

/** Calibrations built recently, by content: a model's frontier is opened once per audience. */
const built = new Map<string, Calibration>();
const BUILT_CAPACITY = 8;

/** A key that changes with every input of `buildCalibration` (64 bits over the arrays' bits). */
function contentKey(data: CalibrationData): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (const a of [data.heldOut, data.heldOutWeights, data.unlabelled]) {
    const bits = new Uint32Array(a.buffer, a.byteOffset, a.length);
    for (let i = 0; i < bits.length; i++) {
      h1 = Math.imul(h1 ^ bits[i]!, 0x01000193);
      h2 = Math.imul(h2 ^ bits[i]!, 0x5bd1e995) ^ (h2 >>> 15);
    }
    h1 = Math.imul(h1 ^ a.length, 0x01000193);
  }
  const lengths = `${data.heldOut.length}/${data.unlabelled.length}`;
  return `${data.seed}|${data.replicates}|${data.confidence}|${data.delta}|${lengths}|${h1 >>> 0}|${h2 >>> 0}`;
}

/**
 * Builds the calibration: the held-out recall curve, its bootstrap replicates, and a positive
 * share estimated on the unlabelled sample. Deterministic in `data.seed`, so the result of the
 * same data is reused: building it costs ~100 ms of one thread for a few hundred replicates,
 * which an audience request should not wait on twice.
 */
export function buildCalibration(data: CalibrationData): Calibration {
  const key = contentKey(data);
  const cached = built.get(key);
  if (cached) return { ...cached, data };
  const calibration = computeCalibration(data);
  if (built.size >= BUILT_CAPACITY) built.delete(built.keys().next().value!);
  built.set(key, calibration);
  return calibration;
}

function computeCalibration(data: CalibrationData): Calibration {
  const heldOut = weightedSorted(data.heldOut, data.heldOutWeights);
  const rng = new Rng(data.seed, 97);
  const replicates: WeightedSorted[] = [];
  const unlabelledSorted = Float32Array.from(data.unlabelled).sort();
  const uShare = upperShareOf(unlabelledSorted);
  const uRadius = dkw(unlabelledSorted.length, data.delta);
  const shares: number[] = [];
  for (let b = 0; b < data.replicates; b++) {
    const rep = weightedSorted(data.heldOut, data.heldOutWeights, resample(rng, data.heldOut.length));
    replicates.push(rep);
    const pu = resample(rng, data.unlabelled.length);
    const us = Float32Array.from(pu, (i) => data.unlabelled[i]!).sort();
    shares.push(bestBin(rep, upperShareOf(us), uRadius, data.delta).share);
  }
  shares.sort((a, b) => a - b);
  const alpha = (1 - data.confidence) / 2;
  const point = bestBin(heldOut, uShare, uRadius, data.delta);
  return {
    data,
    heldOut,
    replicates,
    summary: {
      method: 'best-bin',
      positiveShare: point.share,
      positiveShareInterval: [percentile(shares, alpha), percentile(shares, 1 - alpha)],
      binRecall: point.binRecall,
      heldOut: data.heldOut.length,
      heldOutEffective: heldOut.effective,
      unlabelled: data.unlabelled.length,
      replicates: data.replicates,
      confidence: data.confidence,
    },
  };
}
