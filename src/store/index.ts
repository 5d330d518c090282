/**
 * @module store
 * The workspace: a DuckDB database for the tables of DESIGN §3 and an artifact store for
 * models, segmentations, audiences and exports. Writes are atomic: DB transactions for
 * tables, write-then-rename for artifacts.
 *
 * @example
 * const ws = await Workspace.open('.lookalike');
 * const counts = await ws.rowCounts(); // { members: 20000, ... }
 * const arrowTable = await queryArrow(ws.db, 'SELECT * FROM members');
 */

export { appendArrow, queryArrow } from './arrow.ts';
export type { ArtifactStore, PutOptions } from './artifacts.ts';
export { checkKey, getJson, MemoryArtifactStore, putJson, toBytes } from './artifacts.ts';
export { createTableSql, DUCKDB_TYPES, keyTextSql, quoteIdent, quoteLiteral } from './ddl.ts';
export type { ColumnarResult, NumericResult, Row, SqlParams, SqlRunner, SqlValue } from './duckdb.ts';
export { DuckDb } from './duckdb.ts';
export { DuckDbAuditLog, DuckDbKeyStore } from './duckdb-keys.ts';
export { FsArtifactStore, writeFileAtomic } from './fs-artifacts.ts';
export type { ColumnDescription, KeyMigration, TableDescription } from './workspace.ts';
export { DEFAULT_HOME, resolveHome, Workspace } from './workspace.ts';
