import { ImportFileError, InternalInvariantError } from '../schema/index.ts';
import type { SqlRunner } from '../store/index.ts';
import { quoteIdent, quoteLiteral } from '../store/index.ts';
import { nodeFiles } from '../store/node-files.ts';
import { normalizeArrow } from './arrow-normalize.ts';
import { type Encoding, type EncodingOption, openTextSource } from './byte-source.ts';
import { type BadRecord, checkHeader, normalizeCsv, parseHeader } from './csv-normalize.ts';
import { DIRECT_LINE_LIMIT, peekHeader } from './file-scan.ts';
import { MAX_SOURCE_COLUMNS, RECORD_LIMIT_BYTES } from './limits.ts';
import { normalizeNdjson } from './ndjson-normalize.ts';
import type { Format, ImportSource } from './options.ts';

/** Where the rows of a source are, for the one SQL validation pass that serves every format. */
export interface StagedSource {
  format: Format | 'query';
  encoding: Encoding | null;
  compressed: boolean;
  /** Source column names; relation column `c<i>` holds `header[i]`. */
  header: string[];
  /** Records read, including bad ones; null until DuckDB has counted a query or Parquet source. */
  rows: number | null;
  bad: BadRecord[];
  blankLines: number;
  ignoredKeys: string[];
  /**
   * A relation with `_row` (1-based record number), `_line` (where the record starts, or
   * NULL) and `c0..cN` as VARCHAR. Numbers are columns, not positions: DuckDB does not keep
   * file order through the validation query (a CTAS of it comes out shuffled).
   */
  relation: string;
  /**
   * The same relation with `_row` and `_line` NULL, when numbering costs something: numbering
   * rows in scan order (`row_number() OVER ()`) takes DuckDB's read off its parallel path, and
   * clean files need no row numbers at all.
   */
  unnumbered: string | null;
  /** The normaliser staged the source (else DuckDB reads it as it is). */
  normalised: boolean;
  /** Rows the relation yields when it is read faithfully; null when only DuckDB can tell. */
  relationRows: number | null;
  /** DuckDB reads the user's file as it is: if it fails or loses rows, the normaliser takes over. */
  direct: boolean;
  /** For a direct read: the header line it was planned from, which the full scan must see too. */
  headerLine?: Buffer;
  /** Turns a DuckDB failure reading the relation into the error the user sees. */
  readFailure: (err: unknown) => Error;
}

const EXTENSIONS: Record<string, Format> = {
  csv: 'csv',
  txt: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  ndjson: 'ndjson',
  jsonl: 'ndjson',
  json: 'ndjson',
  parquet: 'parquet',
  pq: 'parquet',
  arrow: 'arrow',
  arrows: 'arrow',
  ipc: 'arrow',
  feather: 'arrow',
};

/** Infers the format from the file name (the label's, as the user named it; `.gz` ignored), then from magic bytes. */
export async function detectFormat(path: string, label = path): Promise<Format> {
  for (const name of [label, path]) {
    const lower = name.toLowerCase().replace(/\.gz$/, '');
    const ext = lower.slice(lower.lastIndexOf('.') + 1);
    if (lower.includes('.') && EXTENSIONS[ext]) return EXTENSIONS[ext];
  }
  // Zero-padded to 8 bytes, so a shorter file compares as it did when read into a fresh buffer.
  const head = Buffer.alloc(8);
  head.set(await nodeFiles.head(path, 8));
  if (head.subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet';
  if (head.subarray(0, 6).toString('latin1') === 'ARROW1' || head.readUInt32LE(0) === 0xffffffff)
    return 'arrow';
  return 'csv';
}

/** The first line of a DuckDB message, with the server's path replaced by the user's name for the file. */
export function userMessage(err: unknown, path: string | null, label: string): string {
  const first = String((err as Error)?.message ?? err).split('\n')[0]!;
  return path ? first.replaceAll(path, label) : first;
}

function csvRelation(path: string, delimiter: string, columns: string[], maxLineBytes: number): string {
  const types = columns
    .map((c) => `${quoteLiteral(c)}: '${c.startsWith('_') ? 'BIGINT' : 'VARCHAR'}'`)
    .join(', ');
  return `read_csv(${quoteLiteral(path)}, header = true, auto_detect = false, delim = ${quoteLiteral(delimiter)},
            quote = '"', escape = '"', new_line = '\\n', strict_mode = true,
            max_line_size = ${maxLineBytes}, buffer_size = ${4 * maxLineBytes}, columns = {${types}})`;
}

const sourceColumns = (width: number) => Array.from({ length: width }, (_, i) => `c${i}`);

/** A normalised staging CSV: `_row,_line,c0..` written by one of the normalisers. */
function stagingRelation(stagingPath: string, width: number): string {
  // A staged line is a record within the limit plus its row and line numbers.
  return csvRelation(stagingPath, ',', ['_row', '_line', ...sourceColumns(width)], RECORD_LIMIT_BYTES + 64);
}

const stagingFailure = (label: string) => (err: unknown) =>
  // The staging file is ours: failing to read it back is a defect, not a property of the user's file.
  new InternalInvariantError(
    `reading the normalised copy of "${label}" failed: ${userMessage(err, null, label)}`,
  );

async function describeColumns(db: SqlRunner, relation: string, path: string | null, label: string) {
  try {
    return (await db.rows<{ column_name: string }>(`DESCRIBE SELECT * FROM ${relation}`)).map(
      (r) => r.column_name,
    );
  } catch (err) {
    throw new ImportFileError(`cannot read "${label}": ${userMessage(err, path, label)}`, 'file');
  }
}

/** Source columns as text, numbered in the order DuckDB reads them (`row_number() OVER ()` follows the scan). */
function asText(names: string[], from: string, row = 'row_number() OVER ()'): string {
  return `(SELECT ${row} AS _row, NULL::BIGINT AS _line, ${names.map((n, i) => `CAST(${quoteIdent(n)} AS VARCHAR) AS c${i}`).join(', ')} FROM ${from})`;
}

async function stageQuery(db: SqlRunner, sql: string, label: string): Promise<StagedSource> {
  const names = await describeColumns(db, `(${sql})`, null, label);
  return {
    format: 'query',
    encoding: null,
    compressed: false,
    header: names,
    rows: null,
    bad: [],
    blankLines: 0,
    ignoredKeys: [],
    relation: asText(names, `(${sql})`),
    unnumbered: asText(names, `(${sql})`, 'NULL::BIGINT'),
    normalised: false,
    relationRows: null,
    direct: false,
    readFailure: (err) =>
      new ImportFileError(`cannot read ${label}: ${userMessage(err, null, label)}`, 'file'),
  };
}

async function stageParquet(db: SqlRunner, path: string, label: string): Promise<StagedSource> {
  const src = `read_parquet(${quoteLiteral(path)}, file_row_number = true)`;
  const names = (
    await describeColumns(db, src, path, label).catch((err: ImportFileError) => {
      throw new ImportFileError(
        `file "${label}" is not a readable Parquet file (${err.message.replace(`cannot read "${label}": `, '')})`,
        'file',
      );
    })
  ).filter((n) => n !== 'file_row_number');
  checkHeader(names, label);
  let rows: number;
  try {
    const [meta] = await db.rows<{ n: number }>(
      `SELECT num_rows AS n FROM parquet_file_metadata(${quoteLiteral(path)})`,
    );
    rows = meta!.n;
  } catch (err) {
    throw new ImportFileError(
      `file "${label}" is not a readable Parquet file (${userMessage(err, path, label)})`,
      'file',
    );
  }
  return {
    format: 'parquet',
    encoding: null,
    compressed: false,
    header: names,
    rows: null,
    bad: [],
    blankLines: 0,
    ignoredKeys: [],
    relation: asText(names, src, 'file_row_number + 1'),
    unnumbered: null,
    normalised: false,
    relationRows: rows,
    direct: false,
    readFailure: (err) =>
      new ImportFileError(`Parquet file "${label}" is corrupt: ${userMessage(err, path, label)}`, 'file'),
  };
}

/**
 * The user's CSV as DuckDB can read it directly, when its start shows one record per line.
 * Provisional: the row count is unknown until the full scan (running beside the read)
 * confirms the whole file is directly readable; `checkRows` falls back to the normaliser if not.
 */
async function directCsv(path: string, label: string, delimiter: string): Promise<StagedSource | null> {
  const firstLine = await peekHeader(path);
  if (!firstLine) return null;
  const header = parseHeader(firstLine, 0, firstLine.length, delimiter.charCodeAt(0));
  checkHeader(header, label);
  const read = csvRelation(path, delimiter, sourceColumns(header.length), 2 * DIRECT_LINE_LIMIT);
  return {
    format: delimiter === '\t' ? 'tsv' : 'csv',
    encoding: 'utf-8',
    compressed: false,
    header,
    rows: null,
    bad: [],
    blankLines: 0,
    ignoredKeys: [],
    // One record per line: record r is on line r + 1. The row number follows DuckDB's scan of
    // the file, which keeps file order (test/ingest/direct-read.test.ts checks it against the normaliser).
    relation: `(SELECT _row, _row + 1 AS _line, * EXCLUDE (_row) FROM (SELECT row_number() OVER () AS _row, * FROM ${read}))`,
    unnumbered: `(SELECT NULL::BIGINT AS _row, NULL::BIGINT AS _line, * FROM ${read})`,
    normalised: false,
    relationRows: null,
    direct: true,
    headerLine: firstLine,
    readFailure: (err) => err as Error,
  };
}

/**
 * Makes a source readable as one relation of VARCHAR columns (`c0..cN`). A plain UTF-8 CSV
 * with one record per line is read by DuckDB where it lies; other text (gzip, Shift_JIS,
 * quoting, CR line ends, blank lines, long lines) and NDJSON/Arrow go through the streaming
 * normalisers into a staging CSV; Parquet and preset queries are read by DuckDB.
 */
export async function stageSource(
  db: SqlRunner,
  request: {
    source: ImportSource;
    label: string;
    scratchDir: string;
    /** Skip the direct read (it failed or lost rows). */
    normalise?: boolean;
    onRows?: (rows: number, fraction: number) => void;
  },
): Promise<StagedSource> {
  const { source, label, onRows } = request;
  if (source.kind === 'query') return stageQuery(db, source.sql, source.label);
  const { path } = source;
  const format = source.format ?? (await detectFormat(path, label));
  if (format === 'parquet') return stageParquet(db, path, label);
  const stagingPath = nodeFiles.join(request.scratchDir, 'stage.csv');
  if (format === 'arrow') {
    const result = await normalizeArrow(path, stagingPath, { label, onRows: (n) => onRows?.(n, 0) });
    return normalised(format, null, false, result, [], stagingPath, label);
  }
  const delimiter = source.delimiter ?? (format === 'tsv' ? '\t' : ',');
  const encoding: EncodingOption = source.encoding ?? 'auto';
  if (!request.normalise && format !== 'ndjson' && (encoding === 'auto' || encoding === 'utf-8')) {
    const direct = await directCsv(path, label, delimiter);
    if (direct) return { ...direct, format };
  }
  const text = await openTextSource(path, encoding, label);
  const progress = (n: number) => onRows?.(n, Math.min(1, text.bytesRead() / text.fileBytes));
  if (format === 'ndjson') {
    const result = await normalizeNdjson(text.chunks, stagingPath, { label, onRows: progress });
    return normalised(format, text.encoding, text.compressed, result, result.ignoredKeys, stagingPath, label);
  }
  const result = await normalizeCsv(text.chunks, stagingPath, { label, delimiter, onRows: progress });
  return normalised(format, text.encoding, text.compressed, result, [], stagingPath, label);
}

function normalised(
  format: Format,
  encoding: Encoding | null,
  compressed: boolean,
  result: { header: string[]; rows: number; bad: BadRecord[]; blankLines: number },
  ignoredKeys: string[],
  stagingPath: string,
  label: string,
): StagedSource {
  if (result.header.length > MAX_SOURCE_COLUMNS) checkHeader(result.header, label);
  return {
    format,
    encoding,
    compressed,
    header: result.header,
    rows: result.rows,
    bad: result.bad,
    blankLines: result.blankLines,
    ignoredKeys,
    relation: stagingRelation(stagingPath, result.header.length),
    unnumbered: null,
    normalised: true,
    relationRows: result.rows - result.bad.length,
    direct: false,
    readFailure: stagingFailure(label),
  };
}
