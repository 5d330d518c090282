import { type ColumnType, InvalidInputError, TABLES, type TableName } from '../schema/index.ts';

/** DuckDB storage type of each logical column type. */
export const DUCKDB_TYPES: Readonly<Record<ColumnType, string>> = {
  id: 'VARCHAR',
  text: 'VARCHAR',
  enum: 'VARCHAR',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  integer: 'BIGINT',
  number: 'DOUBLE',
  boolean: 'BOOLEAN',
};

/** Quotes an identifier for DuckDB SQL; identifiers from files are never trusted. */
export function quoteIdent(name: string): string {
  refuseNul(name);
  return `"${name.replaceAll('"', '""')}"`;
}

/** DuckDB reads SQL as a C string: a NUL would cut the statement short. */
function refuseNul(text: string): void {
  if (text.includes('\u0000')) {
    throw new InvalidInputError('text may not contain the NUL character (U+0000)');
  }
}

/** Quotes a string literal for DuckDB SQL. */
export function quoteLiteral(value: string): string {
  refuseNul(value);
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * The table of a contract. A table with a key gets it as its PRIMARY KEY, so no write path
 * (an import, a script, a second process) can store two rows of one key: DuckDB refuses the
 * statement instead.
 */
export function createTableSql(table: TableName, as: string = table): string {
  const spec = TABLES[table];
  const cols = spec.columns.map((c) => `${quoteIdent(c.name)} ${DUCKDB_TYPES[c.type]}`);
  if (spec.key) cols.push(`PRIMARY KEY (${spec.key.map(quoteIdent).join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS ${quoteIdent(as)} (${cols.join(', ')})`;
}

/** Bookkeeping tables: one row per import, and every quarantined row with its reason. */
export const SYSTEM_TABLES_SQL = [
  `CREATE TABLE IF NOT EXISTS _imports (
     import_id VARCHAR PRIMARY KEY, table_name VARCHAR, source VARCHAR, format VARCHAR, encoding VARCHAR,
     mode VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP, rows_read BIGINT, accepted BIGINT,
     rejected BIGINT, duplicates_skipped BIGINT, options JSON, content_sha256 VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS _quarantine (
     import_id VARCHAR, table_name VARCHAR, row_number BIGINT, column_name VARCHAR, reason VARCHAR,
     value VARCHAR, record JSON)`,
  // Workspaces made before content hashes were logged gain the column (NULL for old imports).
  `ALTER TABLE _imports ADD COLUMN IF NOT EXISTS content_sha256 VARCHAR`,
];

/** Tables whose contract has a key but whose stored table lacks the PRIMARY KEY (older workspaces). */
export function tablesMissingKeySql(tables: readonly TableName[]): string {
  const keyed = tables.filter((t) => TABLES[t].key);
  return `SELECT t.name FROM (VALUES ${keyed.map((t) => `(${quoteLiteral(t)})`).join(', ')}) t(name)
          WHERE NOT EXISTS (SELECT 1 FROM duckdb_constraints() c
                            WHERE c.table_name = t.name AND c.schema_name = 'main' AND c.constraint_type = 'PRIMARY KEY')`;
}

/** `'member_id=' || member_id || ', ' || ...`: a key as readable text, for reasons and values. */
export function keyTextSql(table: TableName, alias = ''): string {
  return (TABLES[table].key ?? [])
    .map((k) => `'${k}=' || coalesce(CAST(${alias}${quoteIdent(k)} AS VARCHAR), '(empty)')`)
    .join(` || ', ' || `);
}

/**
 * Statements that give an existing table its PRIMARY KEY, in one transaction: rows that would
 * break it (a key seen on an earlier stored row, or an empty key part) move to `_quarantine`
 * under `migrationId`, with the whole row as JSON, and the first stored row of each key stays.
 * DuckDB's `ALTER TABLE ... ADD PRIMARY KEY` ignores rows deleted earlier in the same
 * transaction, so the table is rebuilt under a new name and swapped in instead.
 */
export function keyMigrationSql(table: TableName, migrationId: string): string[] {
  const spec = TABLES[table];
  const key = spec.key ?? [];
  const keyCols = key.map(quoteIdent).join(', ');
  const target = quoteIdent(table);
  const rebuilt = quoteIdent(`${table}__keyed`);
  const names = spec.columns.map((c) => quoteIdent(c.name)).join(', ');
  const emptyKey = key.map((k) => `${quoteIdent(k)} IS NULL`).join(' OR ');
  const ranked = `SELECT rowid AS stored_row, *,
                         row_number() OVER (PARTITION BY ${keyCols} ORDER BY rowid) AS rank_in_key,
                         min(rowid) OVER (PARTITION BY ${keyCols}) AS first_row
                  FROM ${target}`;
  return [
    `CREATE OR REPLACE TEMP TABLE _key_migration AS SELECT * FROM (${ranked}) WHERE rank_in_key > 1 OR ${emptyKey}`,
    `INSERT INTO _quarantine
       SELECT ${quoteLiteral(migrationId)}, ${quoteLiteral(table)}, stored_row + 1, ${quoteLiteral(key.join(','))},
              CASE WHEN ${emptyKey} THEN 'key (' || ${keyTextSql(table)} || ') has an empty part; removed when the key constraint was added'
                   ELSE 'duplicate key (' || ${keyTextSql(table)} || '): removed when the key constraint was added; stored row ' || (first_row + 1) || ' was kept' END,
              ${keyTextSql(table)},
              to_json(struct_pack(${spec.columns.map((c) => `${quoteIdent(c.name)} := ${quoteIdent(c.name)}`).join(', ')}))
       FROM _key_migration`,
    `DROP TABLE IF EXISTS ${rebuilt}`,
    createTableSql(table, `${table}__keyed`),
    `INSERT INTO ${rebuilt} (${names}) SELECT ${names} FROM ${target}
       WHERE rowid NOT IN (SELECT stored_row FROM _key_migration) ORDER BY rowid`,
    `DROP TABLE ${target}`,
    `ALTER TABLE ${rebuilt} RENAME TO ${target}`,
  ];
}
