/**
 * Many backtest cases read together. One case's lift ratio rests on a few dozen future buyers,
 * so a case behind or ahead says little; across cases the question is what ratio is typical and
 * whether cases differ by more than their own noise. Each case enters as its ratio and bootstrap
 * interval (`LiftRatioInterval`); its spread is the one a normal interval on the log scale of
 * that width would have. Pooling is the DerSimonian-Laird random-effects estimate, the usual
 * meta-analysis of independent studies.
 */
import jStat from 'jstat';

/** One case: our lift over the baseline's at one share, with its bootstrap interval. */
export interface CaseLiftRatio {
  ratio: number;
  ci: readonly [number, number];
}

export interface PooledLiftRatio {
  /** Cases given. */
  cases: number;
  /**
   * Cases pooled: a case whose ratio or lower bound is 0, whose upper bound is unbounded, or whose
   * interval has no width carries no usable spread and is left out.
   */
  pooled: number;
  /** The typical ratio: geometric, each case weighted by 1 / (its variance + the between-case variance). */
  ratio: number;
  ci: [number, number];
  /** Cochran's Q over the pooled cases, with its degrees of freedom and chi-square p-value. */
  q: number;
  df: number;
  /** A small p says the cases differ by more than their own noise explains. */
  p: number;
  /** Between-case standard deviation of the log ratio; 0 when the cases' noise explains all of the spread. */
  tau: number;
}

/** Per-case standings to expect if the true ratio were the same on every case. */
export interface UniformStandings {
  /** Cases with a usable spread (as in `PooledLiftRatio.pooled`). */
  cases: number;
  /** Expected number of them with an observed ratio at or below 1. */
  notAhead: number;
  /** Chance that every one of them is observed above 1. */
  allAhead: number;
}

/**
 * Pools the cases' lift ratios into one typical ratio with its interval and a test of whether
 * the cases differ; null when fewer than two cases have a usable spread.
 *
 * @throws RangeError when confidence is not in (0, 1).
 * @example
 * poolLiftRatios([{ ratio: 1.2, ci: [0.9, 1.6] }, { ratio: 0.95, ci: [0.7, 1.3] }])?.ratio; // 1.0755
 */
export function poolLiftRatios(cases: readonly CaseLiftRatio[], confidence = 0.95): PooledLiftRatio | null {
  const z = zOf(confidence);
  const { y, v } = logScale(cases, z);
  if (y.length < 2) return null;
  const w = v.map((x) => 1 / x);
  const fixed = weightedMean(y, w);
  const q = y.reduce((s, yi, i) => s + w[i]! * (yi - fixed) ** 2, 0);
  const df = y.length - 1;
  const sw = w.reduce((s, x) => s + x, 0);
  const c = sw - w.reduce((s, x) => s + x * x, 0) / sw;
  const tau2 = Math.max(0, (q - df) / c);
  const wr = v.map((x) => 1 / (x + tau2));
  const mu = weightedMean(y, wr);
  const se = Math.sqrt(1 / wr.reduce((s, x) => s + x, 0));
  return {
    cases: cases.length,
    pooled: y.length,
    ratio: Math.exp(mu),
    ci: [Math.exp(mu - z * se), Math.exp(mu + z * se)],
    q,
    df,
    p: 1 - jStat.chisquare.cdf(q, df),
    tau: Math.sqrt(tau2),
  };
}

/**
 * What per-case standings can show: if our ratio were truly `truth` on every case, each case's
 * observed log ratio would scatter around log(truth) with its own spread. Returns the expected
 * number of cases not ahead and the chance that all are ahead; with a few dozen buyers per case
 * "ahead on every case" is unlikely even for a ranker that is better on every case.
 *
 * @throws RangeError when truth is not positive, or confidence is not in (0, 1).
 */
export function standingsIfUniform(
  cases: readonly CaseLiftRatio[],
  truth: number,
  confidence = 0.95,
): UniformStandings {
  if (!(truth > 0) || !Number.isFinite(truth))
    throw new RangeError(`truth must be a positive ratio, got ${truth}`);
  const { v } = logScale(cases, zOf(confidence));
  const notAhead = v.map((x) => jStat.normal.cdf(-Math.log(truth) / Math.sqrt(x), 0, 1));
  return {
    cases: v.length,
    notAhead: notAhead.reduce((s, p) => s + p, 0),
    allAhead: notAhead.reduce((s, p) => s * (1 - p), 1),
  };
}

function zOf(confidence: number): number {
  if (!(confidence > 0 && confidence < 1))
    throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  return jStat.normal.inv(1 - (1 - confidence) / 2, 0, 1);
}

/** Log ratios and their variances, for the cases whose interval gives a usable spread. */
function logScale(cases: readonly CaseLiftRatio[], z: number): { y: number[]; v: number[] } {
  const y: number[] = [];
  const v: number[] = [];
  for (const { ratio, ci } of cases) {
    const [lo, hi] = ci;
    if (!(ratio > 0 && lo > 0 && Number.isFinite(hi) && hi > lo && Number.isFinite(ratio))) continue;
    y.push(Math.log(ratio));
    v.push(((Math.log(hi) - Math.log(lo)) / (2 * z)) ** 2);
  }
  return { y, v };
}

function weightedMean(x: readonly number[], w: readonly number[]): number {
  let s = 0;
  let sw = 0;
  for (let i = 0; i < x.length; i++) {
    s += w[i]! * x[i]!;
    sw += w[i]!;
  }
  return s / sw;
}
