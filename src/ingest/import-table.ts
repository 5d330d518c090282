import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ImportFileError, InvalidInputError, isTableName, TABLES, type TableName } from '../schema/index.ts';
import { quoteIdent, quoteLiteral, type SqlRunner, type Workspace } from '../store/index.ts';
import { planColumns } from './columns.ts';
import { type ImportSource, STAGE_TABLE, stageSource } from './stage.ts';
import { checkedRowsSql } from './validate-sql.ts';

export const IMPORT_MODES = ['append', 'replace', 'upsert'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];
export const DUPLICATE_POLICIES = ['reject', 'keep-first'] as const;
export type DuplicatePolicy = (typeof DUPLICATE_POLICIES)[number];

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
  onProgress?: (p: { stage: 'reading' | 'validating' | 'writing'; rows: number; fraction: number }) => void;
}

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
  source: string;
  format: string;
  encoding: string | null;
  compressed: boolean;
  mode: ImportMode;
  rowsRead: number;
  accepted: number;
  rejected: number;
  duplicatesSkipped: number;
  blankLines: number;
  tableRowsBefore: number;
  tableRowsAfter: number;
  columns: { target: string; from: string }[];
  ignoredColumns: string[];
  rejections: RejectionSummary[];
  samples: RejectionSample[];
  seconds: number;
  rowsPerSecond: number;
}

const CHECKED = '_checked';
const ISSUES = '_issues';
const SAMPLE_LIMIT = 20;

function describeSource(from: ReturnType<typeof planColumns>['plan'][number]['from']): string {
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

async function count(db: SqlRunner, sql: string): Promise<number> {
  const [row] = await db.rows<{ n: number }>(`SELECT count(*) AS n FROM (${sql})`);
  return row?.n ?? 0;
}

/**
 * Imports one table from a file or preset query, as one transaction: either every accepted
 * row, the quarantine of every rejected row and the import log are written together, or
 * (on any error, or too many rejects) nothing in the workspace changes.
 *
 * @throws ImportFileError when the file as a whole cannot be imported (unreadable, wrong
 *   encoding, truncated compression, missing required columns, too many rejected rows).
 * @example
 * const report = await importTable(ws, {
 *   table: 'transactions',
 *   source: { kind: 'file', path: 'online_retail.csv.gz' },
 *   mapping: { InvoiceNo: 'receipt_id', StockCode: 'product_id', CustomerID: 'member_id' },
 *   constants: { channel: 'ec' },
 * });
 */
export async function importTable(ws: Workspace, options: ImportOptions): Promise<ImportReport> {
  if (!isTableName(options.table)) {
    throw new InvalidInputError(
      `unknown table "${options.table}"; tables are ${Object.keys(TABLES).join(', ')}`,
      'table',
    );
  }
  const mode = options.mode ?? 'append';
  if (!['append', 'replace', 'upsert'].includes(mode)) {
    throw new InvalidInputError(`unknown import mode "${mode}"; use append, replace or upsert`, 'mode');
  }
  const spec = TABLES[options.table];
  if (mode === 'upsert' && !spec.key) {
    throw new InvalidInputError(
      `${spec.name} has no key, so it cannot be upserted; use append or replace`,
      'mode',
    );
  }
  const onDuplicate = options.onDuplicate ?? 'reject';
  const maxRejected = options.maxRejectedFraction ?? 0.5;
  const importId = `imp_${new Date()
    .toISOString()
    .replace(/[-:.TZ]/g, '')
    .slice(0, 14)}_${randomUUID().slice(0, 8)}`;
  const scratch = join(ws.tmpDir, importId);
  await mkdir(scratch, { recursive: true });
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const progress = options.onProgress;
  const target = quoteIdent(spec.name);

  try {
    return await ws.db.transaction(async (tx) => {
      const staged = await stageSource(tx, options.source, scratch, (rows, fraction) =>
        progress?.({ stage: 'reading', rows, fraction }),
      );
      if (staged.rows === 0) {
        throw new ImportFileError(`${staged.label} has a header but no data rows`, 'file');
      }
      const { plan, unused } = planColumns(
        spec.name,
        staged.header,
        options.mapping,
        options.constants,
        staged.label,
      );
      progress?.({ stage: 'validating', rows: staged.rows, fraction: 1 });

      await tx.run(
        `CREATE OR REPLACE TEMP TABLE ${CHECKED} AS ${checkedRowsSql(STAGE_TABLE, plan, spec.rules)}`,
      );

      // Every problem found, one row each: structural ones from reading, then per-column ones.
      await tx.run(`CREATE OR REPLACE TEMP TABLE ${ISSUES} (row_number BIGINT, line BIGINT, column_name VARCHAR,
                      reason VARCHAR, value VARCHAR, duplicate BOOLEAN)`);
      if (staged.bad.length) {
        await tx.append(ISSUES, [
          staged.bad.map((b) => b.row),
          staged.bad.map((b) => b.line),
          staged.bad.map(() => '(row)'),
          staged.bad.map((b) => `row ${b.reason}`),
          staged.bad.map((b) => b.raw),
          staged.bad.map(() => false),
        ]);
      }
      await tx.run(`INSERT INTO ${ISSUES} SELECT _row, _line, e.column_name, e.reason, e.value, false
                    FROM (SELECT _row, _line, unnest(errors) AS e FROM ${CHECKED})`);

      if (spec.key) {
        const keyCols = spec.key.map(quoteIdent).join(', ');
        const keyTextOf = (alias: string) =>
          spec.key!.map((k) => `'${k}=' || CAST(${alias}${quoteIdent(k)} AS VARCHAR)`).join(` || ', ' || `);
        const keyText = keyTextOf('');
        // Second and later rows of one key in the file.
        await tx.run(`INSERT INTO ${ISSUES}
          SELECT _row, _line, ${quoteLiteral(spec.key.join(','))},
                 ${onDuplicate === 'keep-first' ? `'duplicate key (' || ${keyText} || '): skipped, the row ' || first_row || ' was kept'` : `'duplicate key (' || ${keyText} || '): also on row ' || first_row`},
                 ${keyText}, ${onDuplicate === 'keep-first' ? 'true' : 'false'}
          FROM (SELECT *, min(_row) OVER (PARTITION BY ${keyCols}) AS first_row,
                       row_number() OVER (PARTITION BY ${keyCols} ORDER BY _row) AS rn
                FROM ${CHECKED} WHERE len(errors) = 0) WHERE rn > 1`);
        if (mode === 'append') {
          await tx.run(`INSERT INTO ${ISSUES}
            SELECT c._row, c._line, ${quoteLiteral(spec.key.join(','))},
                   'key (' || ${keyTextOf('c.')} || ') is already in the workspace; import with mode upsert to update it or replace to reload the table',
                   ${keyTextOf('c.')}, false
            FROM ${CHECKED} c SEMI JOIN ${target} t USING (${keyCols})
            WHERE len(c.errors) = 0`);
        }
      }

      const [totals] = await tx.rows<{ bad_rows: number; dup_rows: number }>(
        `SELECT count(DISTINCT row_number) FILTER (WHERE NOT duplicate) AS bad_rows,
                count(DISTINCT row_number) FILTER (WHERE duplicate) AS dup_rows FROM ${ISSUES}`,
      );
      const rejected = totals?.bad_rows ?? 0;
      const duplicatesSkipped = totals?.dup_rows ?? 0;
      const rowsRead = staged.rows;
      const rejections = await tx.rows<{ column: string; reason: string; count: number }>(
        `SELECT column_name AS "column", regexp_replace(reason, '^"[^"]*" ', '') AS reason, count(*) AS count
         FROM ${ISSUES} WHERE NOT duplicate GROUP BY ALL ORDER BY count DESC, "column" LIMIT 50`,
      );
      if (rowsRead > 0 && rejected / rowsRead > maxRejected) {
        const top = rejections.slice(0, 3).map((r) => `${r.column}: ${r.reason} (${r.count} rows)`);
        throw new ImportFileError(
          `${staged.label}: ${rejected} of ${rowsRead} rows (${((100 * rejected) / rowsRead).toFixed(1)}%) failed validation, ` +
            `more than the allowed ${(100 * maxRejected).toFixed(0)}%, so nothing was imported. Most common: ${top.join('; ')}`,
          'file',
          { rejections },
        );
      }
      const samples = await tx.rows<{
        row: number;
        line: number | null;
        column: string;
        reason: string;
        value: string | null;
      }>(
        `SELECT row_number AS "row", line, column_name AS "column", reason, value FROM ${ISSUES}
         WHERE NOT duplicate ORDER BY row_number LIMIT ${SAMPLE_LIMIT}`,
      );

      progress?.({ stage: 'writing', rows: rowsRead, fraction: 1 });
      const tableRowsBefore = await count(tx, `SELECT 1 FROM ${target}`);
      const names = plan.map((p) => quoteIdent(p.spec.name)).join(', ');
      const good = `SELECT * FROM ${CHECKED} WHERE _row NOT IN (SELECT row_number FROM ${ISSUES})`;
      if (mode === 'replace') await tx.run(`DELETE FROM ${target}`);
      if (mode === 'upsert' && spec.key) {
        const keyCols = spec.key.map(quoteIdent).join(', ');
        await tx.run(`DELETE FROM ${target} WHERE (${keyCols}) IN (SELECT (${keyCols}) FROM (${good}))`);
      }
      const accepted = await tx.run(
        `INSERT INTO ${target} (${names}) SELECT ${names} FROM (${good}) ORDER BY _row`,
      );

      const sourceNames = staged.header.map((h, i) => `${quoteLiteral(h)}, c${i}`).join(', ');
      await tx.run(
        `INSERT INTO _quarantine
         SELECT ${quoteLiteral(importId)}, ${quoteLiteral(spec.name)}, i.row_number, i.column_name, i.reason, i.value,
                CASE WHEN s._row IS NULL THEN to_json(i.value) ELSE json_object(${sourceNames}) END
         FROM ${ISSUES} i LEFT JOIN ${STAGE_TABLE} s ON s._row = i.row_number`,
      );
      const tableRowsAfter = await count(tx, `SELECT 1 FROM ${target}`);
      const seconds = (performance.now() - started) / 1000;
      const report: ImportReport = {
        importId,
        table: spec.name,
        source: staged.label,
        format: staged.format,
        encoding: staged.encoding,
        compressed: staged.compressed,
        mode,
        rowsRead,
        accepted,
        rejected,
        duplicatesSkipped,
        blankLines: staged.blankLines,
        tableRowsBefore,
        tableRowsAfter,
        columns: plan.map((p) => ({ target: p.spec.name, from: describeSource(p.from) })),
        ignoredColumns: [...unused, ...staged.ignoredKeys],
        rejections,
        samples,
        seconds,
        rowsPerSecond: rowsRead / Math.max(seconds, 1e-9),
      };
      await tx.run(
        `INSERT INTO _imports VALUES ($1, $2, $3, $4, $5, $6, $7::TIMESTAMP, now()::TIMESTAMP, $8, $9, $10, $11, $12::JSON)`,
        [
          importId,
          spec.name,
          staged.label,
          staged.format,
          staged.encoding,
          mode,
          startedAt.replace('T', ' ').replace('Z', ''),
          rowsRead,
          accepted,
          rejected,
          duplicatesSkipped,
          JSON.stringify({ mapping: options.mapping ?? {}, constants: options.constants ?? {}, onDuplicate }),
        ],
      );
      return report;
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
