/**
 * The SQL behind member features. Two GROUP BYs over the receipt lines (receipt level and
 * member x category level) do all the heavy work inside DuckDB; the member level then reads
 * a few rows per member. Kept apart from the orchestration so the SQL can be read in one place.
 */
import { quoteIdent, quoteLiteral } from '../store/index.ts';

/** How the segmentation layer should transform a feature before standardising it. */
export type FeatureKind = 'log' | 'share';

/** Features present for every member, in matrix column order (category shares follow). */
export const BASE_FEATURES: readonly { name: string; kind: FeatureKind; group: string }[] = [
  { name: 'recency_days', kind: 'log', group: 'rfm' },
  { name: 'frequency', kind: 'log', group: 'rfm' },
  { name: 'monetary', kind: 'log', group: 'rfm' },
  { name: 'avg_basket', kind: 'log', group: 'basket' },
  { name: 'items_per_receipt', kind: 'log', group: 'basket' },
  { name: 'lines_per_receipt', kind: 'log', group: 'basket' },
  { name: 'category_breadth', kind: 'log', group: 'basket' },
  { name: 'ec_share', kind: 'share', group: 'channel' },
  { name: 'returns_rate', kind: 'share', group: 'returns' },
  { name: 'dow_mon', kind: 'share', group: 'dow' },
  { name: 'dow_tue', kind: 'share', group: 'dow' },
  { name: 'dow_wed', kind: 'share', group: 'dow' },
  { name: 'dow_thu', kind: 'share', group: 'dow' },
  { name: 'dow_fri', kind: 'share', group: 'dow' },
  { name: 'dow_sat', kind: 'share', group: 'dow' },
  { name: 'dow_sun', kind: 'share', group: 'dow' },
  { name: 'tod_morning', kind: 'share', group: 'tod' },
  { name: 'tod_afternoon', kind: 'share', group: 'tod' },
  { name: 'tod_evening', kind: 'share', group: 'tod' },
  { name: 'tod_night', kind: 'share', group: 'tod' },
];

/** Hours of the time-of-day bands: morning 5-11, afternoon 12-16, evening 17-20, night 21-4. */
const TOD_SQL = [
  'hour(ts) BETWEEN 5 AND 11',
  'hour(ts) BETWEEN 12 AND 16',
  'hour(ts) BETWEEN 17 AND 20',
  '(hour(ts) >= 21 OR hour(ts) < 5)',
];

export interface LineFilter {
  asOf: string;
  since?: string;
  /** Temp table holding the requested member ids, when the caller restricted them. */
  idsTable?: string;
}

/** The member lines in the window, with their category code at `level` (NULL codes become '(none)'). */
function linesSql(f: LineFilter, level: 1 | 2 | 3): string {
  const where = [`t.member_id IS NOT NULL`, `t.ts < DATE ${quoteLiteral(f.asOf)}`];
  if (f.since) where.push(`t.ts >= DATE ${quoteLiteral(f.since)}`);
  if (f.idsTable) where.push(`t.member_id IN (SELECT member_id FROM ${quoteIdent(f.idsTable)})`);
  return `SELECT t.member_id, t.receipt_id, t.ts, t.channel, t.quantity, t.amount,
                 coalesce(p.category_l${level}, '(none)') AS cat
          FROM transactions t LEFT JOIN products p ON p.product_id = t.product_id
          WHERE ${where.join(' AND ')}`;
}

/**
 * One row per (member, receipt): the receipt's time and channel, purchased value, units and
 * lines, and returned value. A receipt with only return lines has `lines = 0`, so it is not a visit.
 */
export function receiptsSql(table: string, f: LineFilter, level: 1 | 2 | 3): string {
  return `CREATE TEMP TABLE ${quoteIdent(table)} AS
          SELECT member_id, receipt_id, min(ts) AS ts, any_value(channel) AS channel,
                 coalesce(sum(amount) FILTER (WHERE quantity > 0), 0) AS gross,
                 coalesce(sum(quantity) FILTER (WHERE quantity > 0), 0) AS units,
                 count(*) FILTER (WHERE quantity > 0) AS lines,
                 coalesce(-sum(amount) FILTER (WHERE quantity < 0), 0) AS returned
          FROM (${linesSql(f, level)}) GROUP BY member_id, receipt_id`;
}

/** One row per (member, category) with purchase lines. */
export function memberCategoriesSql(table: string, f: LineFilter, level: 1 | 2 | 3): string {
  return `CREATE TEMP TABLE ${quoteIdent(table)} AS
          SELECT member_id, cat, count(*) AS lines
          FROM (${linesSql(f, level)}) WHERE quantity > 0 GROUP BY member_id, cat`;
}

/**
 * The member-level features: receipts aggregated per member, joined to the category-share
 * pivot. `categories` are the kept codes; every other code is pooled into the last column when
 * `pooled` is true. Rows are members with at least one purchase, ordered by member id.
 */
export function memberFeaturesSql(
  table: string,
  receipts: string,
  memberCats: string,
  asOf: string,
  categories: readonly string[],
  pooled: boolean,
): string {
  const r = quoteIdent(receipts);
  const c = quoteIdent(memberCats);
  const visit = 'lines > 0';
  const share = (cond: string) =>
    `count(*) FILTER (WHERE ${visit} AND ${cond}) / count(*) FILTER (WHERE ${visit})`;
  const dow = [1, 2, 3, 4, 5, 6, 7].map((d) => share(`isodow(ts) = ${d}`));
  const tod = TOD_SQL.map((cond) => share(cond));
  const catCols = categories.map(
    (code, i) => `coalesce(sum(lines) FILTER (WHERE cat = ${quoteLiteral(code)}), 0) / sum(lines) AS c${i}`,
  );
  if (pooled) {
    const list = categories.map(quoteLiteral).join(', ');
    catCols.push(
      `coalesce(sum(lines) FILTER (WHERE cat NOT IN (${list})), 0) / sum(lines) AS c${categories.length}`,
    );
  }
  const catNames = catCols.map((_, i) => `c.c${i}`);
  return `CREATE TEMP TABLE ${quoteIdent(table)} AS
    WITH m AS (
      SELECT member_id,
             date_diff('day', max(ts) FILTER (WHERE ${visit})::DATE, DATE ${quoteLiteral(asOf)}) AS recency_days,
             count(*) FILTER (WHERE ${visit}) AS frequency,
             sum(gross) - sum(returned) AS monetary,
             sum(gross) / count(*) FILTER (WHERE ${visit}) AS avg_basket,
             sum(units) / count(*) FILTER (WHERE ${visit}) AS items_per_receipt,
             sum(lines) / count(*) FILTER (WHERE ${visit}) AS lines_per_receipt,
             ${share(`channel = 'ec'`)} AS ec_share,
             CASE WHEN sum(gross) > 0 THEN least(1, sum(returned) / sum(gross)) ELSE 0 END AS returns_rate,
             ${dow.map((s, i) => `${s} AS d${i}`).join(',\n             ')},
             ${tod.map((s, i) => `${s} AS t${i}`).join(',\n             ')}
      FROM ${r} GROUP BY member_id HAVING count(*) FILTER (WHERE ${visit}) > 0
    ),
    c AS (
      SELECT member_id, count(*) AS category_breadth, ${catCols.join(', ')}
      FROM ${c} GROUP BY member_id
    )
    SELECT m.member_id, m.recency_days::DOUBLE AS recency_days, m.frequency::DOUBLE AS frequency,
           m.monetary::DOUBLE AS monetary, m.avg_basket::DOUBLE AS avg_basket,
           m.items_per_receipt::DOUBLE AS items_per_receipt, m.lines_per_receipt::DOUBLE AS lines_per_receipt,
           c.category_breadth::DOUBLE AS category_breadth, m.ec_share, m.returns_rate::DOUBLE AS returns_rate,
           ${[0, 1, 2, 3, 4, 5, 6].map((i) => `m.d${i}`).join(', ')},
           ${[0, 1, 2, 3].map((i) => `m.t${i}`).join(', ')}${catNames.length ? `, ${catNames.join(', ')}` : ''}
    FROM m JOIN c USING (member_id)`;
}
