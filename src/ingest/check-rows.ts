import { ImportFileError, InternalInvariantError, TABLES } from '../schema/index.ts';
import type { SqlRunner } from '../store/index.ts';
import { type ColumnPlan, planColumns } from './columns.ts';
import { directlyReadable, type FileScan } from './file-scan.ts';
import type { ResolvedImportOptions } from './options.ts';
import { type StagedSource, stageSource } from './stage.ts';
import { checkedRowsSql } from './validate-sql.ts';

/** Temp table of typed rows, one per record DuckDB read, in file order. */
export const CHECKED = '_checked';

export interface CheckedRows {
  label: string;
  staged: StagedSource;
  plan: ColumnPlan[];
  unused: string[];
  /** Records of the source, bad ones included. */
  rowsRead: number;
  /** Rows in the checked table (records the normaliser could not split are not among them). */
  checkedRows: number;
  /** `_row`/`_line` hold the record numbers; false after the cheap first pass over a direct read. */
  numbered: boolean;
  /** The validation SQL over the numbered relation, for `numberRows`. */
  numberedSql: string;
}

/**
 * Reads the source into the temp table `_checked` (typed values, `_ok`, errors), checking that
 * DuckDB read every record there is. When DuckDB reads the user's file directly and fails, or
 * yields a different number of rows than the file has lines, the file goes through the
 * normaliser instead, which accounts for every record itself.
 */
export async function checkRows(
  db: SqlRunner,
  options: ResolvedImportOptions,
  scratchDir: string,
  /** The scan of the file, running beside the read; a direct read is trusted only once it confirms it. */
  scanning: Promise<FileScan> | null,
): Promise<CheckedRows> {
  const spec = TABLES[options.table];
  const onRows = (rows: number, fraction: number) =>
    options.onProgress?.({ stage: 'reading', rows, fraction });
  const request = { source: options.source, label: options.label, scratchDir, onRows };
  let staged = await stageSource(db, request);
  for (;;) {
    if (staged.rows === 0) throw noRows(staged, options.label);
    const { plan, unused } = planColumns(
      options.table,
      staged.header,
      options.mapping,
      options.constants,
      options.label,
    );
    options.onProgress?.({ stage: 'validating', rows: staged.rows ?? 0, fraction: 1 });
    const checkedSql = (relation: string) =>
      checkedRowsSql({ relation, plans: plan, rules: spec.rules ?? [], header: staged.header });
    const sql = checkedSql(staged.unnumbered ?? staged.relation);
    let failure: unknown = null;
    let checkedRows = -1;
    try {
      await db.run(`CREATE OR REPLACE TEMP TABLE ${CHECKED} AS ${sql}`);
      [{ n: checkedRows }] = (await db.rows<{ n: number }>(`SELECT count(*) AS n FROM ${CHECKED}`)) as [
        { n: number },
      ];
    } catch (err) {
      failure = err;
    }
    if (staged.direct && scanning) {
      const text = (await scanning).text;
      // The whole file must be what its start promised, and DuckDB must have read every line.
      if (
        failure === null &&
        directlyReadable(text) &&
        staged.headerLine !== undefined &&
        text.firstLine.equals(staged.headerLine)
      ) {
        staged = { ...staged, rows: text.lines - 1, relationRows: text.lines - 1 };
      } else {
        staged = await stageSource(db, { ...request, normalise: true });
        continue;
      }
    }
    const faithful =
      failure === null && (staged.relationRows === null || checkedRows === staged.relationRows);
    if (faithful) {
      const rowsRead = staged.rows ?? checkedRows;
      if (rowsRead === 0) throw noRows(staged, options.label);
      return {
        label: options.label,
        staged,
        plan,
        unused,
        rowsRead,
        checkedRows,
        numbered: staged.unnumbered === null,
        numberedSql: checkedSql(staged.relation),
      };
    }
    if (staged.direct) {
      staged = await stageSource(db, { ...request, normalise: true });
      continue;
    }
    if (failure !== null) throw staged.readFailure(failure);
    throw new InternalInvariantError(
      `reading "${options.label}": DuckDB returned ${checkedRows} rows of the ${staged.relationRows} staged; nothing was imported`,
    );
  }
}

const okCount = async (db: SqlRunner) =>
  (await db.rows<{ n: number; ok: number }>(
    `SELECT count(*) AS n, count(*) FILTER (WHERE _ok) AS ok FROM ${CHECKED}`,
  )) as [{ n: number; ok: number }];

/**
 * Gives the checked rows their record numbers, which only rows that end up in the quarantine
 * (and repeated keys, ranked by row) need: reads the source again, numbered, and checks it
 * yields the same rows and the same verdicts.
 */
export async function numberRows(db: SqlRunner, checked: CheckedRows): Promise<void> {
  if (checked.numbered) return;
  const [before] = await okCount(db);
  await db.run(`CREATE OR REPLACE TEMP TABLE ${CHECKED} AS ${checked.numberedSql}`);
  const [after] = await okCount(db);
  if (after.n !== before.n || after.ok !== before.ok) {
    throw new InternalInvariantError(
      `reading "${checked.label}" twice gave ${before.n} rows (${before.ok} valid), then ${after.n} (${after.ok} valid); nothing was imported`,
    );
  }
  checked.numbered = true;
}

function noRows(staged: StagedSource, label: string): ImportFileError {
  return staged.format === 'csv' || staged.format === 'tsv'
    ? new ImportFileError(`${label} has a header but no data rows`, 'file')
    : new ImportFileError(`${label} holds no rows`, 'file');
}
