import { type ColumnType, TABLES, type TableName } from '../schema/index.ts';

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
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal for DuckDB SQL. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export function createTableSql(table: TableName, as = table): string {
  const cols = TABLES[table].columns.map((c) => `${quoteIdent(c.name)} ${DUCKDB_TYPES[c.type]}`);
  return `CREATE TABLE IF NOT EXISTS ${quoteIdent(as)} (${cols.join(', ')})`;
}

/** Bookkeeping tables: one row per import, and every quarantined row with its reason. */
export const SYSTEM_TABLES_SQL = [
  `CREATE TABLE IF NOT EXISTS _imports (
     import_id VARCHAR PRIMARY KEY, table_name VARCHAR, source VARCHAR, format VARCHAR, encoding VARCHAR,
     mode VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP, rows_read BIGINT, accepted BIGINT,
     rejected BIGINT, duplicates_skipped BIGINT, options JSON)`,
  `CREATE TABLE IF NOT EXISTS _quarantine (
     import_id VARCHAR, table_name VARCHAR, row_number BIGINT, column_name VARCHAR, reason VARCHAR,
     value VARCHAR, record JSON)`,
];
