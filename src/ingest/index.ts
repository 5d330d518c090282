/**
 * @module ingest
 * Imports the tables of DESIGN §3 from CSV/TSV (UTF-8 with or without BOM, Shift_JIS,
 * UTF-16LE; plain or gzip), NDJSON, Parquet and Arrow IPC, with column mapping, type
 * coercion and a quarantine for rows that fail validation. One import is one transaction.
 *
 * @example
 * const report = await importTable(ws, { table: 'members', source: { kind: 'file', path: 'members.csv' } });
 * console.log(report.accepted, report.rejected);
 */
export { importTable, IMPORT_MODES, DUPLICATE_POLICIES } from './import-table.ts';
export type { DuplicatePolicy, ImportMode, ImportOptions, ImportReport, RejectionSample, RejectionSummary } from './import-table.ts';
export { FORMATS, detectFormat } from './stage.ts';
export type { Format, ImportSource } from './stage.ts';
export { ENCODINGS } from './byte-source.ts';
export type { Encoding, EncodingOption } from './byte-source.ts';
export { parsePairs, planColumns, looseName } from './columns.ts';
export { importDataset, importTablesDirectory, DATASET_PRESETS } from './presets.ts';
export type { DatasetPreset, DatasetImportReport } from './presets.ts';
