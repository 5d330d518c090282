import { ImportFileError, InternalInvariantError, TABLES, type TableName } from '../schema/index.ts';
import { quoteIdent, quoteLiteral, type SqlRunner, type Workspace } from '../store/index.ts';
import { nodeFiles } from '../store/node-files.ts';
import { checkReadable } from './byte-source.ts';
import { CHECKED, type CheckedRows, checkRows, numberRows } from './check-rows.ts';
import type { ColumnPlan } from './columns.ts';
import { scanFile } from './file-scan.ts';
import {
  CONFLICTS,
  createBadRecords,
  createConflicts,
  createDuplicates,
  createIssues,
  DUPS,
  dropTempTables,
  ISSUES,
  repeatedKeyCount,
} from './issues.ts';
import {
  type ImportMode,
  type ImportOptions,
  type ResolvedImportOptions,
  resolveImportOptions,
} from './options.ts';
import { refuseRepeatedContent } from './repeat-check.ts';
import { writeRows } from './write-rows.ts';

export interface RejectionSummary {
  column: string;
  reason: string;
  count: number;
}

export interface RejectionSample {
  row: number;
  line: number | null;
  column: string;
  reason: string;
  value: string | null;
}

export interface ImportReport {
  importId: string;
  table: TableName;
  /** The source as the user named it. */
  source: string;
  format: string;
  encoding: string | null;
  compressed: boolean;
  /** `duckdb`: DuckDB read the file (or query) as it is; `normaliser`: a streaming normaliser staged it first. */
  reader: 'duckdb' | 'normaliser';
  mode: ImportMode;
  /** Records read, bad ones included; always `accepted + rejected + duplicatesSkipped`. */
  rowsRead: number;
  accepted: number;
  rejected: number;
  /** Rows skipped for their key: repeats under `keep-first`, and upserts dated before the stored row (`newerBy` tables). */
  duplicatesSkipped: number;
  blankLines: number;
  tableRowsBefore: number;
  tableRowsAfter: number;
  columns: { target: string; from: string }[];
  ignoredColumns: string[];
  rejections: RejectionSummary[];
  samples: RejectionSample[];
  /** SHA-256 of the file's bytes (null for preset queries). */
  contentSha256: string | null;
  seconds: number;
  rowsPerSecond: number;
}

const SAMPLE_LIMIT = 20;

function describeSource(from: ColumnPlan['from']): string {
  switch (from.kind) {
    case 'source':
      return `column ${from.name}`;
    case 'constant':
      return `constant "${from.value}"`;
    case 'default':
      return `default "${from.value}"`;
    case 'derived':
      return `derived: ${from.sql}`;
    case 'absent':
      return 'absent (null)';
  }
}

const countOf = async (db: SqlRunner, sql: string) =>
  (await db.rows<{ n: number }>(`SELECT count(*) AS n FROM (${sql})`))[0]!.n;

function invariant(holds: boolean, message: string, extra: Record<string, unknown> = {}): void {
  if (!holds) throw new InternalInvariantError(`${message}; nothing was imported`, extra);
}

/**
 * Imports one table from a file or preset query. Imports into one table run one at a time
 * (the workspace's table lock); each is one transaction: either every accepted row, the
 * quarantine of every rejected row and the import log are written together, or (on any error,
 * or too many rejects) nothing in the workspace changes. The counts are checked before the
 * transaction commits: every record read is accepted, rejected or skipped as a duplicate.
 *
 * @throws InvalidInputError for options that break a rule (unknown table, mode, fraction).
 * @throws ImportFileError when the file as a whole cannot be imported (unreadable, wrong
 *   encoding, truncated compression, missing required columns, too many rejected rows).
 * @throws RepeatedImportError when appending bytes already imported into the table.
 * @example
 * const report = await importTable(ws, {
 *   table: 'transactions',
 *   source: { kind: 'file', path: 'online_retail.csv.gz' },
 *   mapping: { InvoiceNo: 'receipt_id', StockCode: 'product_id', CustomerID: 'member_id' },
 *   constants: { channel: 'ec' },
 * });
 */
export async function importTable(ws: Workspace, options: ImportOptions): Promise<ImportReport> {
  const resolved = resolveImportOptions(options);
  return ws.withTableLock(resolved.table, () => runImport(ws, resolved));
}

async function runImport(ws: Workspace, options: ResolvedImportOptions): Promise<ImportReport> {
  const importId = `imp_${new Date()
    .toISOString()
    .replace(/[-:.TZ]/g, '')
    .slice(0, 14)}_${crypto.randomUUID().slice(0, 8)}`;
  const scratch = nodeFiles.join(ws.tmpDir, importId);
  await nodeFiles.mkdir(scratch);
  const started = performance.now();
  const startedAt = new Date().toISOString();
  // One connection of its own: temp tables (the staged and checked rows) stay out of the
  // workspace, and only the final writes run inside the transaction.
  const { runner: db, close } = await ws.db.connect();
  try {
    // The scan (content hash, and whether the file is plain one-record-per-line text) runs
    // beside DuckDB's read; the read is trusted only once the scan confirms it.
    if (options.source.kind === 'file') await checkReadable(options.source.path, options.label);
    const scanning =
      options.source.kind === 'file'
        ? scanFile(options.source.path, options.label, (fraction) =>
            options.onProgress?.({ stage: 'reading', rows: 0, fraction }),
          )
        : null;
    scanning?.catch(() => undefined);
    let checked: CheckedRows;
    try {
      checked = await checkRows(db, options, scratch, scanning);
    } catch (err) {
      // A file the scan could not read (gone, unreadable) explains any later failure best.
      throw (
        (await scanning?.then(
          () => null,
          (scanError: unknown) => scanError,
        )) ?? err
      );
    }
    const sha256 = scanning ? (await scanning).sha256 : null;
    if (sha256 && options.mode === 'append' && !options.allowRepeat)
      await refuseRepeatedContent(db, options.table, sha256, options.label);
    const keyed = Boolean(TABLES[options.table].key);
    const [{ invalid }] = (await db.rows<{ invalid: number }>(
      `SELECT count(*) AS invalid FROM ${CHECKED} WHERE NOT _ok`,
    )) as [{ invalid: number }];
    const repeated = await repeatedKeyCount(db, options.table);
    if (invalid > 0 || repeated > 0) await numberRows(db, checked);
    await createBadRecords(db, checked);
    await createDuplicates(db, checked, options.table, repeated > 0);
    options.onProgress?.({ stage: 'writing', rows: checked.rowsRead, fraction: 1 });
    await db.run('BEGIN TRANSACTION');
    try {
      const report = await writeImport(db, options, checked, {
        importId,
        startedAt,
        started,
        sha256,
        keyed,
      });
      await db.run('COMMIT');
      return report;
    } catch (err) {
      await db.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  } finally {
    await dropTempTables(db).catch(() => undefined);
    close();
    await nodeFiles.remove(scratch);
  }
}

async function writeImport(
  db: SqlRunner,
  options: ResolvedImportOptions,
  checked: CheckedRows,
  run: ImportRun,
): Promise<ImportReport> {
  const { table, mode, label } = options;
  if ((await createConflicts(db, checked, table, mode)) > 0 && !checked.numbered) {
    await numberRows(db, checked);
    await createConflicts(db, checked, table, mode);
  }
  await createIssues(db, checked, table, options.onDuplicate, run.keyed);
  const issues = await summariseIssues(db, options, checked.rowsRead);
  const { totals } = issues;
  const { rowsRead } = checked;
  const { accepted, tableRowsBefore, tableRowsAfter } = await writeChecked(db, options, checked, totals);
  await quarantine(db, options, run, totals.issues);

  const seconds = (performance.now() - run.started) / 1000;
  const { staged, plan, unused } = checked;
  const report: ImportReport = {
    importId: run.importId,
    table,
    source: label,
    format: staged.format,
    encoding: staged.encoding,
    compressed: staged.compressed,
    reader: staged.normalised ? 'normaliser' : 'duckdb',
    mode,
    rowsRead,
    accepted,
    rejected: totals.rejected,
    duplicatesSkipped: totals.skipped,
    blankLines: staged.blankLines,
    tableRowsBefore,
    tableRowsAfter,
    columns: plan.map((p) => ({ target: p.spec.name, from: describeSource(p.from) })),
    ignoredColumns: [...unused, ...staged.ignoredKeys],
    rejections: issues.rejections,
    samples: issues.samples,
    contentSha256: run.sha256,
    seconds,
    rowsPerSecond: rowsRead / Math.max(seconds, 1e-9),
  };
  await logImport(db, options, run, report);
  return report;
}

interface ImportRun {
  importId: string;
  startedAt: string;
  started: number;
  sha256: string | null;
  keyed: boolean;
}

type IssueTotals = {
  rejected: number;
  skipped: number;
  issues: number;
};

/** Counts the problems, refusing the whole file past `maxRejectedFraction`, with the commonest and a sample. */
async function summariseIssues(db: SqlRunner, options: ResolvedImportOptions, rowsRead: number) {
  const [totals] = (await db.rows<IssueTotals>(
    `SELECT count(DISTINCT row_number) FILTER (WHERE NOT skipped) AS rejected,
            count(DISTINCT row_number) FILTER (WHERE skipped) AS skipped, count(*) AS issues FROM ${ISSUES}`,
  )) as [IssueTotals];
  const rejections = await db.rows<{ column: string; reason: string; count: number }>(
    `SELECT column_name AS "column", regexp_replace(reason, '^"[^"]*" ', '') AS reason, count(*) AS count
     FROM ${ISSUES} WHERE NOT skipped GROUP BY ALL ORDER BY count DESC, "column" LIMIT 50`,
  );
  if (totals.rejected / rowsRead > options.maxRejectedFraction) {
    const top = rejections.slice(0, 3).map((r) => `${r.column}: ${r.reason} (${r.count} rows)`);
    throw new ImportFileError(
      `${options.label}: ${totals.rejected} of ${rowsRead} rows (${((100 * totals.rejected) / rowsRead).toFixed(1)}%) failed validation, ` +
        `more than the allowed ${(100 * options.maxRejectedFraction).toFixed(0)}%, so nothing was imported. Most common: ${top.join('; ')}`,
      'file',
      { rejections },
    );
  }
  const samples = await db.rows<{
    row: number;
    line: number | null;
    column: string;
    reason: string;
    value: string | null;
  }>(
    `SELECT row_number AS "row", line, column_name AS "column", reason, value FROM ${ISSUES}
     WHERE NOT skipped ORDER BY row_number, column_name LIMIT ${SAMPLE_LIMIT}`,
  );
  return { totals, rejections, samples };
}

/** Writes the accepted rows, checking that every row read is accounted for exactly once. */
async function writeChecked(
  db: SqlRunner,
  options: ResolvedImportOptions,
  checked: CheckedRows,
  totals: IssueTotals,
) {
  const { table, mode, label } = options;
  const { rowsRead } = checked;
  const target = quoteIdent(table);
  const [expected] = (await db.rows<{ ok: number; excluded: number }>(
    `SELECT (SELECT count(*) FROM ${CHECKED} WHERE _ok) AS ok,
            (SELECT count(*) FROM (SELECT row_number FROM ${DUPS} UNION ALL SELECT row_number FROM ${CONFLICTS})) AS excluded`,
  )) as [{ ok: number; excluded: number }];
  const tableRowsBefore = await countOf(db, `SELECT 1 FROM ${target}`);
  const written = await writeRows(db, checked, table, mode, expected.excluded > 0);
  const tableRowsAfter = await countOf(db, `SELECT 1 FROM ${target}`);
  const accepted = written.inserted;
  invariant(
    accepted === expected.ok - expected.excluded,
    `${table}: inserted ${accepted} rows, expected ${expected.ok - expected.excluded}`,
  );
  const grewBy = mode === 'replace' ? tableRowsAfter : tableRowsAfter - tableRowsBefore + written.replaced;
  invariant(grewBy === accepted, `${table}: the table changed by ${grewBy} rows for ${accepted} accepted`, {
    tableRowsBefore,
    tableRowsAfter,
  });
  invariant(
    rowsRead === accepted + totals.rejected + totals.skipped,
    `${label}: ${rowsRead} rows read but ${accepted} accepted + ${totals.rejected} rejected + ${totals.skipped} skipped`,
  );
  return { accepted, tableRowsBefore, tableRowsAfter };
}

/** Keeps every problem of the import in `_quarantine`, checking all of them arrived. */
async function quarantine(db: SqlRunner, options: ResolvedImportOptions, run: ImportRun, issues: number) {
  const quarantined = await db.run(
    `INSERT INTO _quarantine SELECT ${quoteLiteral(run.importId)}, ${quoteLiteral(options.table)}, row_number, column_name,
            reason, value, record FROM ${ISSUES}`,
  );
  const stored = await countOf(
    db,
    `SELECT 1 FROM _quarantine WHERE import_id = ${quoteLiteral(run.importId)}`,
  );
  invariant(
    quarantined === issues && stored === issues,
    `quarantine of ${options.label}: ${issues} problems, ${quarantined} written, ${stored} stored`,
  );
}

/** Records the import in `_imports`, the log repeated-content checks and the import list read. */
async function logImport(
  db: SqlRunner,
  options: ResolvedImportOptions,
  run: ImportRun,
  report: ImportReport,
) {
  await db.run(
    `INSERT INTO _imports (import_id, table_name, source, format, encoding, mode, started_at, finished_at,
                           rows_read, accepted, rejected, duplicates_skipped, options, content_sha256)
     VALUES ($1, $2, $3, $4, $5, $6, $7::TIMESTAMP, now()::TIMESTAMP, $8, $9, $10, $11, $12::JSON, $13)`,
    [
      run.importId,
      options.table,
      options.label,
      report.format,
      report.encoding,
      options.mode,
      run.startedAt.replace('T', ' ').replace('Z', ''),
      report.rowsRead,
      report.accepted,
      report.rejected,
      report.duplicatesSkipped,
      JSON.stringify({
        mapping: options.mapping,
        constants: options.constants,
        onDuplicate: options.onDuplicate,
        allowRepeat: options.allowRepeat,
        reader: report.reader,
      }),
      run.sha256,
    ],
  );
}
