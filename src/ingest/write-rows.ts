import { assertUnreachable, ConflictError, TABLES, type TableName } from '../schema/index.ts';
import { createTableSql, quoteIdent, type SqlRunner } from '../store/index.ts';
import { CHECKED, type CheckedRows } from './check-rows.ts';
import { CONFLICTS, DUPS } from './issues.ts';
import type { ImportMode } from './options.ts';

export interface Written {
  inserted: number;
  /** Stored rows an upsert replaced (their keys were in the file). */
  replaced: number;
}

const count = async (db: SqlRunner, sql: string) =>
  (await db.rows<{ n: number }>(`SELECT count(*) AS n FROM (${sql})`))[0]!.n;

/**
 * Writes the accepted rows into the table inside the caller's transaction. Keyed tables are
 * never emptied with DELETE: removing a row from a PRIMARY KEY index costs ~50 µs here (2M rows:
 * 90 s), so replace builds the new table beside the old one and swaps it in, and upsert uses
 * INSERT OR REPLACE.
 */
export async function writeRows(
  db: SqlRunner,
  checked: CheckedRows,
  table: TableName,
  mode: ImportMode,
  hasExclusions: boolean,
): Promise<Written> {
  const spec = TABLES[table];
  const target = quoteIdent(table);
  const names = checked.plan.map((p) => quoteIdent(p.spec.name)).join(', ');
  const exclusions = hasExclusions
    ? ` AND _row NOT IN (SELECT row_number FROM ${DUPS} UNION ALL SELECT row_number FROM ${CONFLICTS})`
    : '';
  const good = `SELECT ${names} FROM ${CHECKED} WHERE _ok${exclusions}`;
  try {
    switch (mode) {
      case 'append':
        return { inserted: await db.run(`INSERT INTO ${target} (${names}) ${good}`), replaced: 0 };
      case 'replace': {
        if (!spec.key) {
          await db.run(`DELETE FROM ${target}`);
          return { inserted: await db.run(`INSERT INTO ${target} (${names}) ${good}`), replaced: 0 };
        }
        const fresh = `${table}__import`;
        await db.run(`DROP TABLE IF EXISTS ${quoteIdent(fresh)}`);
        await db.run(createTableSql(table, fresh));
        const inserted = await db.run(`INSERT INTO ${quoteIdent(fresh)} (${names}) ${good}`);
        await db.run(`DROP TABLE ${target}`);
        await db.run(`ALTER TABLE ${quoteIdent(fresh)} RENAME TO ${target}`);
        return { inserted, replaced: 0 };
      }
      case 'upsert': {
        const keyCols = (spec.key ?? []).map(quoteIdent).join(', ');
        const replaced = await count(
          db,
          `SELECT 1 FROM (${good}) g SEMI JOIN ${target} t USING (${keyCols})`,
        );
        const inserted = await db.run(`INSERT OR REPLACE INTO ${target} (${names}) ${good}`);
        return { inserted, replaced };
      }
      default:
        return assertUnreachable(mode, 'import mode');
    }
  } catch (err) {
    const message = String((err as Error).message);
    const key = /Duplicate key "([^"]*)"|duplicate key "([^"]*)"/.exec(message);
    if (key) {
      // The key checks above ran against this transaction's view; the constraint caught a row
      // that another writer stored meanwhile. Nothing of this import is kept.
      throw new ConflictError(
        `${table} already holds the key ${key[1] ?? key[2]} (stored by another writer while this import ran); nothing was imported, import again to check the keys anew`,
        'file',
      );
    }
    throw err;
  }
}
