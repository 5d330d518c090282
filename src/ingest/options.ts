import { InvalidInputError, isTableName, TABLE_NAMES, TABLES, type TableName } from '../schema/index.ts';
import { ENCODINGS, type EncodingOption } from './byte-source.ts';

export const FORMATS = ['csv', 'tsv', 'ndjson', 'parquet', 'arrow'] as const;
export type Format = (typeof FORMATS)[number];

export const IMPORT_MODES = ['append', 'replace', 'upsert'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];
export const DUPLICATE_POLICIES = ['reject', 'keep-first'] as const;
export type DuplicatePolicy = (typeof DUPLICATE_POLICIES)[number];

/** Longest display label of a file (the API takes it from the upload's name). */
export const MAX_LABEL_LENGTH = 200;

/** Where rows come from: a user's file, or a trusted SQL query written by a dataset preset. */
export type ImportSource =
  | {
      kind: 'file';
      path: string;
      /** The file as the user named it (upload name, path as typed); reports and errors use it, never `path`. */
      label?: string;
      format?: Format;
      encoding?: EncodingOption;
      delimiter?: string;
    }
  | { kind: 'query'; sql: string; label: string };

export interface ImportProgress {
  stage: 'reading' | 'validating' | 'writing';
  rows: number;
  fraction: number;
}

export interface ImportOptions {
  table: TableName;
  source: ImportSource;
  /** Source column -> target column. */
  mapping?: Readonly<Record<string, string>>;
  /** Target column -> constant value for every row. */
  constants?: Readonly<Record<string, string>>;
  /** append: add rows, keys must be new; replace: the file becomes the table; upsert: new keys added, existing replaced. */
  mode?: ImportMode;
  /** What to do with a second row of the same key within the file. */
  onDuplicate?: DuplicatePolicy;
  /** Abort (writing nothing) when more than this fraction of rows is rejected. */
  maxRejectedFraction?: number;
  /**
   * Append a file whose bytes were already imported into the table. Without it, such an import
   * is refused (it would add every row a second time).
   */
  allowRepeat?: boolean;
  onProgress?: (p: ImportProgress) => void;
}

/** Options with every default applied and every value checked. */
export interface ResolvedImportOptions {
  table: TableName;
  source: ImportSource;
  /** What reports and errors call the source. */
  label: string;
  mapping: Readonly<Record<string, string>>;
  constants: Readonly<Record<string, string>>;
  mode: ImportMode;
  onDuplicate: DuplicatePolicy;
  maxRejectedFraction: number;
  allowRepeat: boolean;
  onProgress: ((p: ImportProgress) => void) | undefined;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidInputError(
      `${field} ${JSON.stringify(value)} is not valid; use one of ${allowed.join(', ')}`,
      field,
    );
  }
  return value as T;
}

function stringRecord(value: unknown, field: string): Readonly<Record<string, string>> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidInputError(`${field} must be an object of name -> name strings`, field);
  }
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string' || k.trim() === '' || (k + v).includes('\0')) {
      throw new InvalidInputError(
        `${field} entry ${JSON.stringify(k)}: expected a non-empty name and a string value without NUL characters, got ${JSON.stringify(v)}`,
        field,
      );
    }
  }
  return value as Record<string, string>;
}

function checkSource(source: unknown): ImportSource {
  if (source === null || typeof source !== 'object')
    throw new InvalidInputError('source must be a file or a query', 'source');
  const s = source as Record<string, unknown>;
  if (s.kind === 'query') {
    if (typeof s.sql !== 'string' || typeof s.label !== 'string')
      throw new InvalidInputError('a query source needs sql and label strings', 'source');
    return source as ImportSource;
  }
  if (s.kind !== 'file')
    throw new InvalidInputError(`source kind ${JSON.stringify(s.kind)} is not file or query`, 'source');
  if (typeof s.path !== 'string' || s.path === '')
    throw new InvalidInputError('a file source needs a path', 'source');
  if (
    s.label !== undefined &&
    (typeof s.label !== 'string' || s.label.length === 0 || s.label.length > MAX_LABEL_LENGTH)
  )
    throw new InvalidInputError(`the file label must be 1 to ${MAX_LABEL_LENGTH} characters`, 'filename');
  oneOf(s.format, FORMATS, 'format', 'csv');
  oneOf(s.encoding, ENCODINGS, 'encoding', 'auto');
  if (s.delimiter !== undefined) {
    const d = s.delimiter;
    if (typeof d !== 'string' || Buffer.byteLength(d) !== 1 || d === '"' || d === '\n' || d === '\r')
      throw new InvalidInputError(
        `delimiter ${JSON.stringify(d)} must be one single-byte character other than a quote or a line break`,
        'delimiter',
      );
  }
  return source as ImportSource;
}

/**
 * Checks every option of an import and applies the defaults, so callers (API, CLI, jobs, the
 * use-case layer) share one set of rules and one set of messages.
 *
 * @throws InvalidInputError naming the offending field.
 */
export function resolveImportOptions(options: ImportOptions): ResolvedImportOptions {
  if (typeof options.table !== 'string' || !isTableName(options.table)) {
    throw new InvalidInputError(
      `unknown table ${JSON.stringify(options.table)}; tables are ${TABLE_NAMES.join(', ')}`,
      'table',
    );
  }
  const source = checkSource(options.source);
  const maxRejectedFraction = options.maxRejectedFraction ?? 0.5;
  if (typeof maxRejectedFraction !== 'number' || !(maxRejectedFraction >= 0 && maxRejectedFraction <= 1)) {
    throw new InvalidInputError(
      `maxRejectedFraction must be a number between 0 and 1, got ${JSON.stringify(maxRejectedFraction)}`,
      'maxRejected',
    );
  }
  if (options.allowRepeat !== undefined && typeof options.allowRepeat !== 'boolean')
    throw new InvalidInputError('allowRepeat must be true or false', 'allowRepeat');
  const mode = oneOf(options.mode, IMPORT_MODES, 'mode', 'append');
  if (mode === 'upsert' && !TABLES[options.table].key) {
    throw new InvalidInputError(
      `${options.table} has no key, so it cannot be upserted; use append or replace`,
      'mode',
    );
  }
  return {
    table: options.table,
    source,
    label: source.kind === 'query' ? source.label : (source.label ?? source.path),
    mapping: stringRecord(options.mapping, 'map'),
    constants: stringRecord(options.constants, 'set'),
    mode,
    onDuplicate: oneOf(options.onDuplicate, DUPLICATE_POLICIES, 'onDuplicate', 'reject'),
    maxRejectedFraction,
    allowRepeat: options.allowRepeat ?? false,
    onProgress: options.onProgress,
  };
}
