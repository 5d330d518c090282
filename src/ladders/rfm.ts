/**
 * RFM ranks (1-5 on recency, frequency and monetary value) as of a day. Cut points are the user's
 * or the data's quintiles; equal values always share a rank (most customers buy once, so F often
 * has fewer than five ranks in use rather than an arbitrary split of identical customers).
 * Recency ranks run the other way: 5 is the most recent.
 */
import { InsufficientDataError, InvalidInputError } from '../schema/index.ts';
import type { SqlRunner } from '../store/index.ts';
import type { ThresholdSource } from './cpm.ts';
import { type PurchaseHistory, type PurchaseWindow, purchaseHistory } from './purchases.ts';
import { distinctCuts, sortedCopy } from './quantile.ts';

export const RFM_DIMENSIONS = ['r', 'f', 'm'] as const;
export type RfmDimension = (typeof RFM_DIMENSIONS)[number];
const QUINTILES = [0.2, 0.4, 0.6, 0.8];

export interface RfmOptions {
  /** Up to four ascending upper bounds per dimension (value <= cuts[0] is the lowest band); 'auto': quintiles. */
  cuts?: Partial<Record<RfmDimension, readonly number[] | 'auto'>>;
}

export interface RfmCuts {
  /** Ascending upper bounds of the bands: R in days since the last purchase, F in purchases, M in spend. */
  cuts: number[];
  source: ThresholdSource;
}

/** Band index of a value under ascending upper-bound cuts (0 = lowest values). */
function band(value: number, cuts: readonly number[]): number {
  let i = 0;
  while (i < cuts.length && value > cuts[i]!) i++;
  return i;
}

/** Rank 1-5: higher is better (recent, frequent, high spend). */
export function rfmRank(dimension: RfmDimension, value: number, cuts: readonly number[]): number {
  const b = band(value, cuts);
  return dimension === 'r' ? 5 - b : b + 1;
}

const valuesOf = (h: PurchaseHistory, d: RfmDimension) =>
  d === 'r' ? h.recencyDays : d === 'f' ? h.purchases : h.spend;

function resolveCuts(
  h: PurchaseHistory,
  d: RfmDimension,
  given: readonly number[] | 'auto' | undefined,
): RfmCuts {
  if (Array.isArray(given)) {
    const cuts = [...given];
    if (cuts.length > 4)
      throw new InvalidInputError(
        `cuts.${d} takes at most 4 cut points (5 ranks), got ${cuts.length}`,
        `cuts.${d}`,
      );
    for (let i = 0; i < cuts.length; i++) {
      if (!Number.isFinite(cuts[i]) || (i > 0 && !(cuts[i]! > cuts[i - 1]!)))
        throw new InvalidInputError(
          `cuts.${d} must be finite and strictly ascending, got [${cuts.join(', ')}]`,
          `cuts.${d}`,
        );
    }
    return { cuts, source: 'user' };
  }
  return { cuts: distinctCuts(sortedCopy(valuesOf(h, d)), QUINTILES), source: 'data' };
}

export interface RfmResult {
  asOf: string;
  since: string | null;
  members: number;
  cuts: Record<RfmDimension, RfmCuts>;
  /** Members per rank 1..5 of each dimension. */
  distribution: Record<RfmDimension, number[]>;
  /** Non-empty R x F x M combinations, most members first. */
  cells: { r: number; f: number; m: number; score: string; members: number; salesShare: number }[];
  /** R x F: members and mean spend. */
  rf: { r: number; f: number; members: number; avgSpend: number }[];
  history: PurchaseHistory;
  ranks: { r: Uint8Array; f: Uint8Array; m: Uint8Array };
}

/**
 * RFM ranks of every buying member.
 *
 * @param db the workspace database
 * @param window purchases before `asOf` (and from `since`)
 * @param options cut points per dimension, or quintiles
 * @throws InsufficientDataError when nobody bought in the window
 * @example
 * const r = await rfmRanks(ws.db, { asOf: '2026-04-01', since: '2025-04-01' });
 * r.cells[0]; // { r: 5, f: 1, m: 2, score: '512', members: 812, salesShare: 0.03 }
 */
export async function rfmRanks(
  db: SqlRunner,
  window: PurchaseWindow,
  options: RfmOptions = {},
): Promise<RfmResult> {
  const history = await purchaseHistory(db, window);
  const n = history.memberIds.length;
  if (n === 0)
    throw new InsufficientDataError(`no member bought anything in the window before ${window.asOf}`, 'asOf');
  const cuts = {
    r: resolveCuts(history, 'r', options.cuts?.r),
    f: resolveCuts(history, 'f', options.cuts?.f),
    m: resolveCuts(history, 'm', options.cuts?.m),
  };
  const ranks = { r: new Uint8Array(n), f: new Uint8Array(n), m: new Uint8Array(n) };
  const distribution = { r: [0, 0, 0, 0, 0], f: [0, 0, 0, 0, 0], m: [0, 0, 0, 0, 0] };
  const cells = new Map<string, { members: number; sales: number }>();
  const rf = new Map<string, { members: number; sales: number }>();
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (const d of RFM_DIMENSIONS) {
      const rank = rfmRank(d, valuesOf(history, d)[i]!, cuts[d].cuts);
      ranks[d][i] = rank;
      distribution[d][rank - 1]!++;
    }
    const spend = history.spend[i]!;
    total += Math.max(0, spend);
    const key = `${ranks.r[i]}${ranks.f[i]}${ranks.m[i]}`;
    const c = cells.get(key) ?? { members: 0, sales: 0 };
    c.members++;
    c.sales += Math.max(0, spend);
    cells.set(key, c);
    const k2 = `${ranks.r[i]}${ranks.f[i]}`;
    const g = rf.get(k2) ?? { members: 0, sales: 0 };
    g.members++;
    g.sales += spend;
    rf.set(k2, g);
  }
  return {
    asOf: window.asOf,
    since: window.since ?? null,
    members: n,
    cuts,
    distribution,
    cells: [...cells]
      .map(([score, c]) => ({
        r: Number(score[0]),
        f: Number(score[1]),
        m: Number(score[2]),
        score,
        members: c.members,
        salesShare: total > 0 ? c.sales / total : 0,
      }))
      .sort((a, b) => b.members - a.members || b.score.localeCompare(a.score)),
    rf: [...rf]
      .map(([k, g]) => ({
        r: Number(k[0]),
        f: Number(k[1]),
        members: g.members,
        avgSpend: g.sales / g.members,
      }))
      .sort((a, b) => b.r - a.r || b.f - a.f),
    history,
    ranks,
  };
}
