import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { ImportFileError } from '../schema/index.ts';
import type { SqlRunner } from '../store/index.ts';
import { quoteIdent, quoteLiteral } from '../store/index.ts';
import { normalizeArrow } from './arrow-normalize.ts';
import { checkReadable, type Encoding, type EncodingOption, openTextSource } from './byte-source.ts';
import { type BadRecord, normalizeCsv } from './csv-normalize.ts';
import { normalizeNdjson } from './ndjson-normalize.ts';

export const FORMATS = ['csv', 'tsv', 'ndjson', 'parquet', 'arrow'] as const;
export type Format = (typeof FORMATS)[number];

/** Where rows come from: a user's file, or a trusted SQL query written by a dataset preset. */
export type ImportSource =
  | { kind: 'file'; path: string; format?: Format; encoding?: EncodingOption; delimiter?: string }
  | { kind: 'query'; sql: string; label: string };

export interface StagedSource {
  label: string;
  format: Format | 'query';
  encoding: Encoding | null;
  compressed: boolean;
  /** Source column names; staging column `c<i>` holds `header[i]`. */
  header: string[];
  /** Records read, including bad ones. */
  rows: number;
  bad: BadRecord[];
  blankLines: number;
  ignoredKeys: string[];
}

export const STAGE_TABLE = '_stage';

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

/** Infers the format from the file name (ignoring `.gz`), then from magic bytes. */
export async function detectFormat(path: string): Promise<Format> {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  const ext = name.slice(name.lastIndexOf('.') + 1);
  if (EXTENSIONS[ext]) return EXTENSIONS[ext];
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(8);
    await handle.read(head, 0, 8, 0);
    if (head.subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet';
    if (head.subarray(0, 6).toString('latin1') === 'ARROW1' || head.readUInt32LE(0) === 0xffffffff)
      return 'arrow';
  } finally {
    await handle.close();
  }
  return 'csv';
}

async function loadStagingCsv(db: SqlRunner, path: string, width: number): Promise<void> {
  const columns = ['_row', '_line', ...Array.from({ length: width }, (_, i) => `c${i}`)]
    .map((c) => `${quoteLiteral(c)}: '${c.startsWith('_') ? 'BIGINT' : 'VARCHAR'}'`)
    .join(', ');
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${STAGE_TABLE} AS SELECT * FROM read_csv(${quoteLiteral(path)},
       header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', new_line = '\\n',
       strict_mode = true, columns = {${columns}})`,
  );
}

/** The report of a source DuckDB read whole into the staging table (no line-level problems). */
async function stagedTable(
  db: SqlRunner,
  label: string,
  format: 'query' | 'parquet',
  header: string[],
): Promise<StagedSource> {
  const [{ n }] = (await db.rows<{ n: number }>(`SELECT count(*) AS n FROM ${STAGE_TABLE}`)) as [
    { n: number },
  ];
  return {
    label,
    format,
    encoding: null,
    compressed: false,
    header,
    rows: n,
    bad: [],
    blankLines: 0,
    ignoredKeys: [],
  };
}

async function stageQuery(db: SqlRunner, sql: string, label: string): Promise<StagedSource> {
  let names: string[];
  try {
    names = (await db.rows<{ column_name: string }>(`DESCRIBE ${sql}`)).map((r) => r.column_name);
  } catch (err) {
    throw new ImportFileError(`cannot read ${label}: ${(err as Error).message.split('\n')[0]}`, 'file');
  }
  const cols = names.map((n, i) => `CAST(${quoteIdent(n)} AS VARCHAR) AS c${i}`).join(', ');
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${STAGE_TABLE} AS
       SELECT row_number() OVER () AS _row, NULL::BIGINT AS _line, ${cols} FROM (${sql})`,
  );
  return stagedTable(db, label, 'query', names);
}

async function stageParquet(db: SqlRunner, path: string): Promise<StagedSource> {
  const src = `read_parquet(${quoteLiteral(path)}, file_row_number = true)`;
  let names: string[];
  try {
    names = (await db.rows<{ column_name: string }>(`DESCRIBE SELECT * FROM ${src}`))
      .map((r) => r.column_name)
      .filter((n) => n !== 'file_row_number');
  } catch (err) {
    throw new ImportFileError(
      `file "${path}" is not a readable Parquet file (${(err as Error).message.split('\n')[0]})`,
      'file',
    );
  }
  const cols = names.map((n, i) => `CAST(${quoteIdent(n)} AS VARCHAR) AS c${i}`).join(', ');
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${STAGE_TABLE} AS SELECT file_row_number + 1 AS _row, NULL::BIGINT AS _line, ${cols} FROM ${src}`,
  );
  return stagedTable(db, path, 'parquet', names);
}

/**
 * Loads any source into the temp table `_stage` (`_row`, `_line`, then every source column as
 * VARCHAR), so that one SQL validation pass serves every format.
 */
export async function stageSource(
  db: SqlRunner,
  source: ImportSource,
  scratchDir: string,
  onRows?: (rows: number, fraction: number) => void,
): Promise<StagedSource> {
  if (source.kind === 'query') return stageQuery(db, source.sql, source.label);
  const { path } = source;
  const fileBytes = await checkReadable(path);
  const format = source.format ?? (await detectFormat(path));
  if (format === 'parquet') return stageParquet(db, path);
  const stagingPath = join(scratchDir, 'stage.csv');
  if (format === 'arrow') {
    const result = await normalizeArrow(path, stagingPath, { onRows: (n) => onRows?.(n, 0) });
    await loadStagingCsv(db, stagingPath, result.header.length);
    return { label: path, format, encoding: null, compressed: false, ...result, ignoredKeys: [] };
  }
  const text = await openTextSource(path, source.encoding ?? 'auto');
  const progress = (n: number) => onRows?.(n, Math.min(1, text.bytesRead() / fileBytes));
  if (format === 'ndjson') {
    const result = await normalizeNdjson(text.chunks, stagingPath, { path, onRows: progress });
    await loadStagingCsv(db, stagingPath, result.header.length);
    return { label: path, format, encoding: text.encoding, compressed: text.compressed, ...result };
  }
  const delimiter = source.delimiter ?? (format === 'tsv' ? '\t' : ',');
  const result = await normalizeCsv(text.chunks, stagingPath, { path, delimiter, onRows: progress });
  await loadStagingCsv(db, stagingPath, result.header.length);
  return {
    label: path,
    format,
    encoding: text.encoding,
    compressed: text.compressed,
    ...result,
    ignoredKeys: [],
  };
}
