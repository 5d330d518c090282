/**
 * デシル分析 (decile analysis): buying members ranked by spend in a window and cut into ten groups
 * of equal size (decile 1 the top tenth), with each group's share of sales and the cumulative
 * share: how concentrated sales are, and where the line between the core and the rest falls.
 * Ties in spend are broken by member ID so the cut is reproducible.
 */
import { InsufficientDataError } from '../schema/index.ts';
import type { SqlRunner } from '../store/index.ts';
import { type PurchaseHistory, type PurchaseWindow, purchaseHistory } from './purchases.ts';

export interface Decile {
  decile: number;
  members: number;
  sales: number;
  salesShare: number;
  cumulativeShare: number;
  minSpend: number;
  maxSpend: number;
  avgSpend: number;
  avgPurchases: number;
}

export interface DecileResult {
  asOf: string;
  since: string | null;
  members: number;
  totalSales: number;
  deciles: Decile[];
  /** Decile (1-10) of each member of `history`, in its order. */
  decileOf: Uint8Array;
  history: PurchaseHistory;
}

/** Decile of each position in a spend ranking of n members: groups whose sizes differ by at most one. */
export function decileOfRank(rank: number, n: number): number {
  return Math.floor((rank * 10) / n) + 1;
}

/**
 * Decile analysis of buying members.
 *
 * @param db the workspace database
 * @param window purchases before `asOf` (and from `since`, e.g. the last 12 months)
 * @throws InsufficientDataError when fewer than ten members bought in the window
 * @example
 * const d = await decileAnalysis(ws.db, { asOf: '2026-04-01', since: '2025-04-01' });
 * d.deciles[0].salesShare; // e.g. 0.48: the top tenth make almost half of sales
 */
export async function decileAnalysis(db: SqlRunner, window: PurchaseWindow): Promise<DecileResult> {
  const history = await purchaseHistory(db, window);
  const n = history.memberIds.length;
  if (n < 10)
    throw new InsufficientDataError(
      `decile analysis needs at least 10 buying members in the window, found ${n}`,
      'asOf',
    );
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) =>
      history.spend[b]! - history.spend[a]! ||
      (history.memberIds[a]! < history.memberIds[b]!
        ? -1
        : history.memberIds[a]! > history.memberIds[b]!
          ? 1
          : 0),
  );
  const decileOf = new Uint8Array(n);
  const acc = Array.from({ length: 10 }, () => ({
    n: 0,
    sales: 0,
    purchases: 0,
    min: Infinity,
    max: -Infinity,
  }));
  let totalSales = 0;
  order.forEach((row, rank) => {
    const d = decileOfRank(rank, n);
    decileOf[row] = d;
    const a = acc[d - 1]!;
    const s = history.spend[row]!;
    a.n++;
    a.sales += s;
    a.purchases += history.purchases[row]!;
    a.min = Math.min(a.min, s);
    a.max = Math.max(a.max, s);
    totalSales += s;
  });
  let cumulative = 0;
  const deciles = acc.map((a, i): Decile => {
    cumulative += a.sales;
    return {
      decile: i + 1,
      members: a.n,
      sales: Math.round(a.sales * 100) / 100,
      salesShare: totalSales > 0 ? a.sales / totalSales : 0,
      cumulativeShare: totalSales > 0 ? cumulative / totalSales : 0,
      minSpend: a.min,
      maxSpend: a.max,
      avgSpend: a.sales / a.n,
      avgPurchases: a.purchases / a.n,
    };
  });
  return {
    asOf: window.asOf,
    since: window.since ?? null,
    members: n,
    totalSales: Math.round(totalSales * 100) / 100,
    deciles,
    decileOf,
    history,
  };
}
