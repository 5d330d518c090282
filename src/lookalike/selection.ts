/**
 * Selection-bias weights for member seeds scored on a non-member universe. Identity links come
 * from store customers, so a seed's linked profiles over-represent the prefectures around the
 * stores compared with the same kind of people in the universe; left alone, the model learns
 * "lives near a store" and the calibration trusts held-out rows that are more typical than the
 * universe's positives. Each seed row is weighted by how much rarer its region is among linked
 * profiles than in the universe (additively smoothed), normalised to mean 1.
 */
import { quoteIdent, type SqlRunner } from '../store/index.ts';

/**
 * Region importance weights for the rows of `rowsTable` (in row order): P_universe(region) /
 * P_linked(region). Rows without a region use the weight of the empty region.
 */
export async function regionWeights(
  db: SqlRunner,
  rowsTable: string,
  universeTable: string,
): Promise<Float64Array> {
  const rows = await db.numeric(
    `WITH u AS (SELECT coalesce(p.region, '') AS region, count(*) AS n FROM ${quoteIdent(universeTable)} x
                JOIN tp_profiles p ON p.tp_id = x.id GROUP BY 1),
          l AS (SELECT coalesce(p.region, '') AS region, count(*) AS n FROM tp_profiles p
                WHERE p.tp_id IN (SELECT tp_id FROM id_links) GROUP BY 1),
          k AS (SELECT count(*) AS regions FROM (SELECT region FROM u UNION SELECT region FROM l)),
          w AS (SELECT coalesce(u.region, l.region) AS region,
                       ((coalesce(u.n, 0) + 1) / ((SELECT sum(n) FROM u) + (SELECT regions FROM k)))
                     / ((coalesce(l.n, 0) + 1) / ((SELECT sum(n) FROM l) + (SELECT regions FROM k))) AS w
                FROM u FULL OUTER JOIN l ON u.region = l.region)
     SELECT coalesce(w.w, 1)::DOUBLE AS w FROM ${quoteIdent(rowsTable)} r
     JOIN tp_profiles p ON p.tp_id = r.id LEFT JOIN w ON w.region = coalesce(p.region, '') ORDER BY r.r`,
  );
  return rows.columns[0] ?? new Float64Array(0);
}

/** Weights of `rows` from `all`, scaled to mean 1. */
export function normalisedWeights(all: Float64Array | null, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length).fill(1);
  if (!all || rows.length === 0) return out;
  let s = 0;
  for (let k = 0; k < rows.length; k++) s += all[rows[k]!]!;
  const m = s / rows.length;
  for (let k = 0; k < rows.length; k++) out[k] = all[rows[k]!]! / m;
  return out;
}
