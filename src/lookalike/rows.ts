/**
 * Staged ID sets: a temp table `(id, r)` numbering a universe 0..n-1 in ID order, so every
 * ranking breaks ties by ID, and typed arrays indexed by `r` stand for the whole universe.
 */
import { quoteIdent, type SqlRunner } from '../store/index.ts';
import { scalar, tempName } from './sql.ts';

export interface StagedRows {
  /** Temp table with columns (id VARCHAR, r BIGINT). */
  table: string;
  rows: number;
}

/**
 * Numbers the distinct IDs of `sourceSql` (a query with an `id` column) as a rows table.
 *
 * @param db - the connection that owns the temp table.
 * @param sourceSql - e.g. `SELECT tp_id AS id FROM tp_profiles`.
 */
export async function stageRows(db: SqlRunner, sourceSql: string, prefix = 'rows'): Promise<StagedRows> {
  const table = tempName(prefix);
  await db.run(
    `CREATE TEMP TABLE ${quoteIdent(table)} AS
     SELECT id, (row_number() OVER (ORDER BY id) - 1)::BIGINT AS r
     FROM (SELECT DISTINCT id FROM (${sourceSql}) WHERE id IS NOT NULL)`,
  );
  return { table, rows: await scalar(db, `SELECT count(*) FROM ${quoteIdent(table)}`) };
}

/**
 * Like `stageRows` for `subsetSql`, a subset of `wholeSql`'s IDs, also returning each staged
 * row's number in `wholeSql` (numbered the same way): `wholeRow[r]` is row r's row in the whole.
 */
export async function stageSubsetRows(
  db: SqlRunner,
  wholeSql: string,
  subsetSql: string,
  prefix = 'rows',
): Promise<StagedRows & { wholeRows: number; wholeRow: Float64Array }> {
  const table = tempName(prefix);
  await db.run(
    `CREATE TEMP TABLE ${quoteIdent(table)} AS
     SELECT id, (row_number() OVER (ORDER BY s) - 1)::BIGINT AS r, s, n
     FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1)::BIGINT AS s, count(*) OVER () AS n
           FROM (SELECT DISTINCT id FROM (${wholeSql}) WHERE id IS NOT NULL))
     WHERE id IN (SELECT id FROM (${subsetSql}))`,
  );
  // The whole's size rides along on the staged rows (one pass over it); an empty subset has none.
  const wholeRows =
    (await scalar(db, `SELECT coalesce(max(n), 0) FROM ${quoteIdent(table)}`)) ||
    (await scalar(db, `SELECT count(DISTINCT id) FROM (${wholeSql})`));
  const wholeRow = (await db.numeric(`SELECT s FROM ${quoteIdent(table)} ORDER BY r`)).columns[0]!;
  return { table, rows: wholeRow.length, wholeRows, wholeRow };
}

/** The IDs of rows `rs`, in the order given. */
export async function idsOfRows(db: SqlRunner, rowsTable: string, rs: ArrayLike<number>): Promise<string[]> {
  if (rs.length === 0) return [];
  const t = tempName('pick');
  await db.run(`CREATE TEMP TABLE ${quoteIdent(t)} (r BIGINT, k BIGINT)`);
  try {
    await db.append(t, [Array.from(rs), Array.from({ length: rs.length }, (_, k) => k)]);
    const out = await db.columns(
      `SELECT u.id FROM ${quoteIdent(t)} p JOIN ${quoteIdent(rowsTable)} u USING (r) ORDER BY p.k`,
    );
    return (out.columns[0] ?? []) as string[];
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${quoteIdent(t)}`);
  }
}

/** All IDs of a rows table in row order (for small universes and tests). */
export async function allIds(db: SqlRunner, rowsTable: string): Promise<string[]> {
  const out = await db.columns(`SELECT id FROM ${quoteIdent(rowsTable)} ORDER BY r`);
  return (out.columns[0] ?? []) as string[];
}
