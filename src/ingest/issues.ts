import { TABLES, type TableName } from '../schema/index.ts';
import { keyTextSql, quoteIdent, quoteLiteral, type SqlRunner } from '../store/index.ts';
import { CHECKED, type CheckedRows } from './check-rows.ts';
import type { DuplicatePolicy, ImportMode } from './options.ts';

/**
 * Every row of a file lands in exactly one class: accepted, rejected (a bad record, a bad value,
 * a repeated key under `reject`, a key already stored under `append`) or skipped (a repeated key
 * under `keep-first`, or an `upsert` row dated before the stored one of a `newerBy` table; in a
 * `newerBy` table the latest-dated row of a repeated key is the one kept). The temp tables below hold the non-accepted rows; each is written by one
 * CREATE TABLE AS, never by INSERT: DuckDB 1.5.5 loses the rows of a large INSERT ... SELECT into
 * a table that got a zero-row INSERT ... SELECT unnest(...) earlier in the same transaction
 * (the cause of keys slipping in on imports over ~120,000 rows).
 */
export const BAD = '_bad';
export const DUPS = '_dups';
export const CONFLICTS = '_conflicts';
export const ISSUES = '_issues';

function keyParts(table: TableName) {
  const key = TABLES[table].key ?? [];
  return {
    key,
    cols: key.map(quoteIdent).join(', '),
    name: quoteLiteral(key.join(',')),
    text: keyTextSql(table),
  };
}

/**
 * The column that dates a row of a `newerBy` table, when the file has it: between two rows of
 * one key the later-dated decision is the one that stands, in the file and against the table.
 */
function datedBy(checked: CheckedRows, table: TableName): string | null {
  const newerBy = TABLES[table].newerBy;
  return newerBy !== undefined && checked.plan.some((p) => p.spec.name === newerBy) ? newerBy : null;
}

/** The typed row as JSON, the quarantine record of a row rejected for its key. */
function typedRecord(checked: CheckedRows): string {
  return `to_json(struct_pack(${checked.plan.map((p) => `${quoteIdent(p.spec.name)} := ${quoteIdent(p.spec.name)}`).join(', ')}))`;
}

/** Records the normaliser could not split into fields (wrong field count, too long, cut off). */
export async function createBadRecords(db: SqlRunner, checked: CheckedRows): Promise<void> {
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${BAD} (row_number BIGINT, line BIGINT, reason VARCHAR, raw VARCHAR)`,
  );
  const bad = checked.staged.bad;
  if (!bad.length) return;
  await db.append(BAD, [
    bad.map((b) => b.row),
    bad.map((b) => b.line),
    bad.map((b) => b.reason),
    bad.map((b) => b.raw),
  ]);
}

/** How many keys occur on more than one valid row of the file (one GROUP BY; 0 for tables without a key). */
export async function repeatedKeyCount(db: SqlRunner, table: TableName): Promise<number> {
  const { cols } = keyParts(table);
  if (!cols) return 0;
  const [row] = await db.rows<{ n: number }>(
    `SELECT count(*) AS n FROM (SELECT ${cols} FROM ${CHECKED} WHERE _ok GROUP BY ${cols} HAVING count(*) > 1)`,
  );
  return row!.n;
}

/**
 * Second and later rows of a key within the file, ranked by row number (the rows must be
 * numbered); in a dated (`newerBy`) table by date first, latest first, so a file holding a grant
 * and a later withdrawal keeps the withdrawal whatever their order. Most files have none
 * (`repeated` false): then the table is created empty.
 */
export async function createDuplicates(
  db: SqlRunner,
  checked: CheckedRows,
  table: TableName,
  repeated: boolean,
): Promise<void> {
  const { cols } = keyParts(table);
  const names = checked.plan.map((p) => quoteIdent(p.spec.name)).join(', ');
  if (!repeated) {
    await db.run(`CREATE OR REPLACE TEMP TABLE ${DUPS} AS
      SELECT _row AS row_number, _line AS line, ${names}, _row AS first_row, _row AS rank_in_key FROM ${CHECKED} WHERE false`);
    return;
  }
  const dated = datedBy(checked, table);
  const order = dated ? `${quoteIdent(dated)} DESC NULLS LAST, row_number` : 'row_number';
  await db.run(`CREATE OR REPLACE TEMP TABLE ${DUPS} AS
    WITH repeated AS (SELECT ${cols} FROM ${CHECKED} WHERE _ok GROUP BY ${cols} HAVING count(*) > 1),
    rows_of_repeated AS (
      SELECT c._row AS row_number, c._line AS line, ${checked.plan.map((p) => `c.${quoteIdent(p.spec.name)}`).join(', ')}
      FROM ${CHECKED} c SEMI JOIN repeated r USING (${cols}) WHERE c._ok)
    SELECT row_number, line, ${names},
           first_value(row_number) OVER (PARTITION BY ${cols} ORDER BY ${order}) AS first_row,
           row_number() OVER (PARTITION BY ${cols} ORDER BY ${order}) AS rank_in_key
    FROM rows_of_repeated QUALIFY rank_in_key > 1`);
}

/**
 * Rows whose key the table already holds, except rows already counted as repeats: under `append`
 * every such row (rejected), under `upsert` of a table with `newerBy` the rows dated before the
 * stored row (`stale`: skipped, the stored decision is newer); other modes replace stored rows.
 * Run inside the write transaction, so the check and the insert see the same table.
 */
export async function createConflicts(
  db: SqlRunner,
  checked: CheckedRows,
  table: TableName,
  mode: ImportMode,
): Promise<number> {
  const { cols } = keyParts(table);
  if (!cols) {
    await db.run(
      `CREATE OR REPLACE TEMP TABLE ${CONFLICTS} AS SELECT NULL::BIGINT AS row_number, false AS stale WHERE false`,
    );
    return 0;
  }
  const names = checked.plan.map((p) => quoteIdent(p.spec.name)).join(', ');
  const dated = datedBy(checked, table);
  const stale = dated
    ? `(c.${quoteIdent(dated)} IS NOT NULL AND t.${quoteIdent(dated)} IS NOT NULL AND c.${quoteIdent(dated)} < t.${quoteIdent(dated)})`
    : 'false';
  const include = mode === 'append' ? 'true' : mode === 'upsert' ? stale : 'false';
  await db.run(`CREATE OR REPLACE TEMP TABLE ${CONFLICTS} AS
    SELECT c.*, ${mode === 'append' ? 'false' : stale} AS stale FROM (
      SELECT _row AS row_number, _line AS line, ${names} FROM ${CHECKED} WHERE _ok) c
    JOIN ${quoteIdent(table)} t USING (${cols})
    WHERE ${include} AND c.row_number NOT IN (SELECT row_number FROM ${DUPS})`);
  return (await db.rows<{ n: number }>(`SELECT count(*) AS n FROM ${CONFLICTS}`))[0]!.n;
}

/** All non-accepted rows, one line per problem, with the quarantine's columns and `skipped`. */
export async function createIssues(
  db: SqlRunner,
  checked: CheckedRows,
  table: TableName,
  onDuplicate: DuplicatePolicy,
  keyChecks: boolean,
): Promise<void> {
  const parts = [
    `SELECT row_number, line, '(row)' AS column_name, reason, raw AS value,
            to_json(raw) AS record, false AS skipped FROM ${BAD}`,
    `SELECT row_number, line, e.column_name, e.reason, e.value, _record AS record, false AS skipped
     FROM (SELECT _row AS row_number, _line AS line, _record, unnest(_errors) AS e
           FROM ${CHECKED} WHERE NOT _ok)`,
  ];
  if (keyChecks) {
    const { name, text } = keyParts(table);
    const keepFirst = onDuplicate === 'keep-first';
    const dated = datedBy(checked, table);
    const kept = dated ? `' (the latest ${dated}) was kept'` : `' was kept'`;
    const dupReason = keepFirst
      ? `'duplicate key (' || ${text} || '): skipped, the row ' || first_row || ${kept}`
      : `'duplicate key (' || ${text} || '): also on row ' || first_row`;
    parts.push(
      `SELECT row_number, line, ${name}, ${dupReason}, ${text}, ${typedRecord(checked)}, ${keepFirst} FROM ${DUPS}`,
      `SELECT row_number, line, ${name},
              CASE WHEN stale
                THEN 'key (' || ${text} || ') is stored with a later ${TABLES[table].newerBy ?? ''} than this row: skipped, the stored row was kept'
                ELSE 'key (' || ${text} || ') is already in the workspace; import with mode upsert to update it or replace to reload the table' END,
              ${text}, ${typedRecord(checked)}, stale FROM ${CONFLICTS}`,
    );
  }
  await db.run(`CREATE OR REPLACE TEMP TABLE ${ISSUES} AS ${parts.join('\nUNION ALL\n')}`);
}

/** Drops this import's temp tables from its connection. */
export async function dropTempTables(db: SqlRunner): Promise<void> {
  for (const t of [ISSUES, CONFLICTS, DUPS, BAD, CHECKED]) await db.run(`DROP TABLE IF EXISTS ${t}`);
}
