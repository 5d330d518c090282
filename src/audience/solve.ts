/**
 * Solving for an audience size on a frontier: a target size, a minimum precision, or a budget
 * (the size that maximises expected profit). Pure TypeScript.
 */
import { InvalidInputError } from '../schema/index.ts';
import type { Frontier, FrontierPoint } from './frontier.ts';

export type AudienceTarget =
  | { kind: 'size'; size: number }
  /** The largest audience whose expected precision (or its lower bound) is at least `minPrecision`. */
  | { kind: 'precision'; minPrecision: number; basis?: 'expected' | 'lower' }
  /**
   * The size maximising value x conversions - cost x size, where expected conversions are
   * expected positives x `conversionRate` (default 1). `maxSpend` caps the size at maxSpend / cost.
   */
  | {
      kind: 'budget';
      costPerPerson: number;
      valuePerConversion: number;
      conversionRate?: number;
      maxSpend?: number;
    };

export interface Solution {
  target: AudienceTarget;
  size: number;
  point: FrontierPoint;
  /** False when the target cannot be met; `size` is then the best reachable answer. */
  reached: boolean;
  /** What was done and why, in one sentence. */
  note: string;
  /** Budget targets: expected profit at the chosen size. */
  expectedProfit?: number;
}

function positive(value: unknown, field: string, allowZero = false): number {
  const v = Number(value);
  if (typeof value !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new InvalidInputError(
      `${field} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${JSON.stringify(value)}`,
      field,
    );
  }
  return v;
}

/** Largest size in [1, n] whose precision (by `value`) is at least `p`; 0 when none. Precision never rises with size. */
function largestAtLeast(frontier: Frontier, p: number, value: (pt: FrontierPoint) => number): number {
  let lo = 0;
  let hi = frontier.size;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi + 1) / 2);
    if (value(frontier.at(mid)) >= p) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Solves a target on a frontier.
 *
 * @param frontier - the model's frontier over its universe.
 * @param target - a size, a minimum precision, or a budget.
 * @param options - `minSize`: the smallest releasable audience; a precision target only
 *   smaller audiences reach is answered with the best releasable one.
 * @returns the chosen size and its frontier point. A precision no size reaches is not an error:
 *   the answer is the most precise audience, with `reached: false`.
 * @throws InvalidInputError for a size outside [1, universe] or malformed numbers.
 * @example
 * solveTarget(frontier, { kind: 'precision', minPrecision: 0.6 }).size;
 * solveTarget(frontier, { kind: 'budget', costPerPerson: 12, valuePerConversion: 3000, conversionRate: 0.02 });
 */
export function solveTarget(
  frontier: Frontier,
  target: AudienceTarget,
  options: { minSize?: number } = {},
): Solution {
  const n = frontier.size;
  const minSize = Math.max(1, options.minSize ?? 1);
  if (n === 0) throw new InvalidInputError('the universe is empty: there is no audience to choose', 'target');
  switch (target?.kind) {
    case 'size':
      return solveSize(frontier, target);
    case 'precision':
      return solvePrecision(frontier, target, minSize);
    case 'budget':
      return solveBudget(frontier, target);
    default:
      throw new InvalidInputError(
        `unknown target kind ${JSON.stringify((target as { kind?: unknown })?.kind)}; use size, precision or budget`,
        'target.kind',
      );
  }
}

type TargetOf<K extends AudienceTarget['kind']> = Extract<AudienceTarget, { kind: K }>;

function solveSize(frontier: Frontier, target: TargetOf<'size'>): Solution {
  const n = frontier.size;
  const size = target.size;
  if (!Number.isInteger(size) || size < 1) {
    throw new InvalidInputError(
      `target size must be a whole number >= 1, got ${JSON.stringify(size)}`,
      'target.size',
    );
  }
  if (size > n) {
    throw new InvalidInputError(
      `target size ${size} is larger than the universe: ${n} people are left to score after exclusions`,
      'target.size',
      { universeSize: n },
    );
  }
  const point = frontier.at(size);
  return { target, size, point, reached: true, note: `the top ${size} of ${n} by score` };
}

function solvePrecision(frontier: Frontier, target: TargetOf<'precision'>, minSize: number): Solution {
  const p = positive(target.minPrecision, 'target.minPrecision');
  if (p > 1)
    throw new InvalidInputError(`target.minPrecision must be at most 1, got ${p}`, 'target.minPrecision');
  const basis = target.basis ?? 'expected';
  const value =
    basis === 'lower' ? (pt: FrontierPoint) => pt.ci[0] : (pt: FrontierPoint) => pt.expectedPrecision;
  const what = `${basis === 'lower' ? 'lower-bound ' : ''}precision`;
  const size = largestAtLeast(frontier, p, value);
  if (size >= minSize) {
    const point = frontier.at(size);
    return {
      target,
      size,
      point,
      reached: true,
      note: `the largest audience whose ${what} is at least ${p}`,
    };
  }
  // Nothing releasable reaches it: answer with the most precise releasable audience (precision
  // never rises with size, so that is every size whose precision equals the one at minSize).
  const floor = Math.min(minSize, frontier.size);
  const bestValue = value(frontier.at(floor));
  const point = frontier.at(Math.max(floor, largestAtLeast(frontier, bestValue, value)));
  const why =
    size >= 1
      ? `only audiences of up to ${size} people, below the minimum of ${minSize}, reach ${what} ${p}`
      : `no audience reaches ${what} ${p}`;
  return {
    target,
    size: point.size,
    point,
    reached: false,
    note: `${why}; the best reachable is ${bestValue.toFixed(3)}, at sizes up to ${point.size}`,
  };
}

function solveBudget(frontier: Frontier, target: TargetOf<'budget'>): Solution {
  const n = frontier.size;
  const cost = positive(target.costPerPerson, 'target.costPerPerson', true);
  const value = positive(target.valuePerConversion, 'target.valuePerConversion');
  const rate =
    target.conversionRate === undefined ? 1 : positive(target.conversionRate, 'target.conversionRate');
  if (rate > 1)
    throw new InvalidInputError(
      `target.conversionRate must be at most 1, got ${rate}`,
      'target.conversionRate',
    );
  const cap =
    target.maxSpend === undefined
      ? n
      : Math.min(n, Math.floor(positive(target.maxSpend, 'target.maxSpend') / Math.max(cost, 1e-12)));
  if (cap < 1) {
    throw new InvalidInputError(
      `target.maxSpend ${target.maxSpend} buys no one at ${cost} per person`,
      'target.maxSpend',
    );
  }
  const profit = (pt: FrontierPoint) => value * rate * pt.expectedPositives - cost * pt.size;
  const best = mostProfitable(frontier, cap, profit);
  const expectedProfit = profit(best);
  if (expectedProfit <= 0) {
    return {
      target,
      size: best.size,
      point: best,
      reached: false,
      expectedProfit,
      note: `no audience size is expected to pay back ${cost} per person at ${value} x ${rate} per positive; the least-loss size is ${best.size}`,
    };
  }
  return {
    target,
    size: best.size,
    point: best,
    reached: true,
    expectedProfit,
    note: `expected profit is highest at ${best.size} people (marginal precision falls below cost / value beyond it)`,
  };
}

/** The size up to `cap` with the highest profit: best of a 400-point grid, then refined around it. */
function mostProfitable(
  frontier: Frontier,
  cap: number,
  profit: (pt: FrontierPoint) => number,
): FrontierPoint {
  const candidates = frontier.grid(400).filter((pt) => pt.size <= cap);
  candidates.push(frontier.at(cap));
  let best = candidates[0]!;
  for (const pt of candidates) if (profit(pt) > profit(best)) best = pt;
  // Refine around the best grid point: profit is smooth between neighbouring grid sizes.
  const sizes = candidates.map((c) => c.size).sort((a, b) => a - b);
  const k = sizes.indexOf(best.size);
  const lo = sizes[Math.max(0, k - 1)]!;
  const hi = sizes[Math.min(sizes.length - 1, k + 1)]!;
  const stride = Math.max(1, Math.floor((hi - lo) / 200));
  for (let s = lo; s <= hi; s += stride) {
    const pt = frontier.at(s);
    if (profit(pt) > profit(best)) best = pt;
  }
  return best;
}
