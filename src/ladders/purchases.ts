/**
 * Each member's purchase history as of a day, in one DuckDB pass over the receipt lines: what
 * every purchase ladder (CPM, RFM, deciles, the growth grid) is computed from. A purchase is a
 * receipt with at least one sale line (a receipt of returns only is not a visit); spend is net of
 * returns, as a retailer books it.
 */
import { checkIsoDay } from '../features/index.ts';
import { quoteLiteral, type SqlRunner } from '../store/index.ts';

export interface PurchaseWindow {
  /** Only lines before this day (YYYY-MM-DD). */
  asOf: string;
  /** Only lines from this day on (YYYY-MM-DD); default: all history. */
  since?: string;
}

/** One row per member with at least one purchase in the window, ordered by member ID. */
export interface PurchaseHistory {
  asOf: string;
  since: string | null;
  memberIds: string[];
  /** Purchases (receipts with a sale line). */
  purchases: Float64Array;
  /** Days from the first to the last purchase (在籍日数). */
  tenureDays: Float64Array;
  /** Days from the last purchase to the as-of day. */
  recencyDays: Float64Array;
  /** Net spend (sales minus returns). */
  spend: Float64Array;
  /** Distinct categories bought (level 2 of the product tree, level 1 where it has no level 2). */
  categories: Float64Array;
}

export function windowWhere(w: PurchaseWindow): string {
  const where = ['t.member_id IS NOT NULL', `t.ts < DATE ${quoteLiteral(checkIsoDay(w.asOf, 'asOf'))}`];
  if (w.since) where.push(`t.ts >= DATE ${quoteLiteral(checkIsoDay(w.since, 'since'))}`);
  return where.join(' AND ');
}

/** Receipts of the window, one row per (member, receipt): its day, whether it sold, its net amount. */
export function receiptsSql(w: PurchaseWindow): string {
  return `SELECT t.member_id, t.receipt_id, min(t.ts)::DATE AS day,
                 count(*) FILTER (WHERE t.quantity > 0) > 0 AS sold, sum(t.amount) AS net
          FROM transactions t WHERE ${windowWhere(w)} GROUP BY t.member_id, t.receipt_id`;
}

/**
 * Reads every buying member's history as of a day.
 *
 * @param db the workspace database
 * @param w the window: lines before `asOf` (and from `since`)
 * @throws InvalidInputError for a day that is not a calendar date
 * @example
 * const h = await purchaseHistory(ws.db, { asOf: '2026-04-01' });
 * h.memberIds.length; // buying members
 */
export async function purchaseHistory(db: SqlRunner, w: PurchaseWindow): Promise<PurchaseHistory> {
  const asOf = quoteLiteral(w.asOf);
  const sql = `
    WITH r AS (${receiptsSql(w)}),
    m AS (
      SELECT member_id, count(*) FILTER (WHERE sold) AS purchases,
             min(day) FILTER (WHERE sold) AS first_day, max(day) FILTER (WHERE sold) AS last_day,
             sum(net) AS spend
      FROM r GROUP BY member_id HAVING count(*) FILTER (WHERE sold) > 0
    ),
    c AS (
      SELECT t.member_id, count(DISTINCT coalesce(p.category_l2, p.category_l1, '(none)')) AS categories
      FROM transactions t LEFT JOIN products p ON p.product_id = t.product_id
      WHERE ${windowWhere(w)} AND t.quantity > 0 GROUP BY t.member_id
    )
    SELECT m.member_id, m.purchases::DOUBLE AS purchases,
           date_diff('day', m.first_day, m.last_day)::DOUBLE AS tenure_days,
           date_diff('day', m.last_day, DATE ${asOf})::DOUBLE AS recency_days,
           round(m.spend, 2)::DOUBLE AS spend, coalesce(c.categories, 0)::DOUBLE AS categories
    FROM m LEFT JOIN c USING (member_id) ORDER BY m.member_id`;
  const out = await db.columns(sql);
  const col = (i: number) => Float64Array.from((out.columns[i] ?? []) as number[]);
  return {
    asOf: w.asOf,
    since: w.since ?? null,
    memberIds: (out.columns[0] ?? []) as string[],
    purchases: col(1),
    tenureDays: col(2),
    recencyDays: col(3),
    spend: col(4),
    categories: col(5),
  };
}

/**
 * Days between consecutive purchase days of every repeat customer in the window: the repurchase
 * cycle that a data-driven lapse cut is read from.
 */
export async function repurchaseGaps(db: SqlRunner, w: PurchaseWindow): Promise<Float64Array> {
  const out = await db.numeric(`
    WITH d AS (SELECT DISTINCT member_id, day FROM (${receiptsSql(w)}) WHERE sold)
    SELECT gap::DOUBLE AS gap FROM (
      SELECT date_diff('day', lag(day) OVER (PARTITION BY member_id ORDER BY day), day) AS gap FROM d
    ) WHERE gap IS NOT NULL ORDER BY gap`);
  return out.columns[0] ?? new Float64Array(0);
}
