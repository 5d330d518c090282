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
export { Workspace, DEFAULT_HOME, resolveHome } from './workspace.ts';
export type { ColumnDescription, TableDescription } from './workspace.ts';
export { DuckDb } from './duckdb.ts';
export type { ColumnarResult, NumericResult, Row, SqlParams, SqlRunner, SqlValue } from './duckdb.ts';
export { MemoryArtifactStore, checkKey, getJson, putJson, toBytes } from './artifacts.ts';
export type { ArtifactStore } from './artifacts.ts';
export { FsArtifactStore, writeFileAtomic } from './fs-artifacts.ts';
export { queryArrow, appendArrow } from './arrow.ts';
export { DUCKDB_TYPES, createTableSql, quoteIdent, quoteLiteral } from './ddl.ts';
