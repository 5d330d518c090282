/**
 * Small SQL helpers for the lookalike layer: unique temp-table names and ID lists as tables.
 * Temp tables live on one dedicated connection per training or scoring run, so concurrent runs
 * never see each other's scratch tables.
 */
import { quoteIdent, type SqlRunner } from '../store/index.ts';

/** A fresh temp-table name with a readable prefix. */
export function tempName(prefix: string): string {
  return `_lk_${prefix}_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
}

/** Creates a temp table `(id VARCHAR)` holding `ids` (deduplicated by DuckDB on read). */
export async function idTable(db: SqlRunner, prefix: string, ids: readonly string[]): Promise<string> {
  const name = tempName(prefix);
  await db.run(`CREATE TEMP TABLE ${quoteIdent(name)} (id VARCHAR)`);
  if (ids.length) await db.append(name, [ids]);
  return name;
}

export async function dropTables(db: SqlRunner, names: readonly string[]): Promise<void> {
  for (const n of names) await db.run(`DROP TABLE IF EXISTS ${quoteIdent(n)}`);
}

/** One number from a single-row, single-column query. */
export async function scalar(db: SqlRunner, sql: string): Promise<number> {
  const rows = await db.rows(sql);
  const v = rows[0] ? Object.values(rows[0])[0] : null;
  return v === null || v === undefined ? 0 : Number(v);
}
