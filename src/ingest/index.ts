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

export type { Encoding, EncodingOption } from './byte-source.ts';
export { ENCODINGS } from './byte-source.ts';
export { looseName, parsePairs, planColumns } from './columns.ts';
export type { ImportReport, RejectionSample, RejectionSummary } from './import-table.ts';
export { importTable } from './import-table.ts';
export { MAX_SOURCE_COLUMNS, RECORD_LIMIT_BYTES } from './limits.ts';
export type {
  DuplicatePolicy,
  Format,
  ImportMode,
  ImportOptions,
  ImportProgress,
  ImportSource,
  ResolvedImportOptions,
} from './options.ts';
export {
  DUPLICATE_POLICIES,
  FORMATS,
  IMPORT_MODES,
  MAX_LABEL_LENGTH,
  resolveImportOptions,
} from './options.ts';
export type { DatasetImportReport, DatasetPreset } from './presets.ts';
export { DATASET_PRESETS, importDataset, importTablesDirectory } from './presets.ts';
export { detectFormat } from './stage.ts';
