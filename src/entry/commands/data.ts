import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  DATASET_PRESETS,
  DUPLICATE_POLICIES,
  ENCODINGS,
  FORMATS,
  IMPORT_MODES,
  type ImportReport,
  importDataset,
  importTablesDirectory,
} from '../../ingest/index.ts';
import { describeTableOp, importFileOp, listTablesOp } from '../../ops/index.ts';
import { generateSampleWorkspace } from '../../sample/index.ts';
import { InvalidInputError, TABLE_NAMES } from '../../schema/index.ts';
import { flagNumber, runCliOp } from '../cli-op.ts';
import {
  fmtNumber,
  type GlobalOptions,
  homeFrom,
  print,
  progressBar,
  textTable,
  withWorkspace,
} from '../cli-support.ts';

function reportLine(r: ImportReport): string {
  const extra = r.duplicatesSkipped ? `, ${fmtNumber(r.duplicatesSkipped)} duplicates skipped` : '';
  return `${r.table.padEnd(13)} ${fmtNumber(r.rowsRead).padStart(11)} read  ${fmtNumber(r.accepted).padStart(11)} accepted  ${fmtNumber(r.rejected).padStart(7)} rejected${extra}  (${fmtNumber(Math.round(r.rowsPerSecond))} rows/s, ${r.encoding ?? r.format})`;
}

function reportDetail(r: ImportReport): string {
  const lines = [reportLine(r)];
  if (r.rejections.length) {
    lines.push('  rejected rows by reason:');
    for (const j of r.rejections.slice(0, 10))
      lines.push(`    ${String(j.count).padStart(7)}  ${j.column}: ${j.reason}`);
    lines.push(`  first rejected rows (all are kept: lookalike quarantine --import ${r.importId}):`);
    for (const s of r.samples.slice(0, 5)) {
      lines.push(`    row ${s.row}${s.line ? ` (line ${s.line})` : ''}, ${s.column}: ${s.reason}`);
    }
  }
  if (r.ignoredColumns.length) lines.push(`  columns not imported: ${r.ignoredColumns.join(', ')}`);
  return lines.join('\n');
}

const importProgress = () => {
  const bar = progressBar('importing');
  return {
    onProgress: (p: { stage: string; rows: number; fraction: number }) =>
      bar.update(
        p.stage === 'reading' ? p.fraction * 0.8 : p.stage === 'validating' ? 0.85 : 0.95,
        `${p.stage} ${fmtNumber(p.rows)} rows`,
      ),
    stop: () => bar.stop(),
  };
};

function generateCommand(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('generate')
    .description('generate the deterministic Japanese sample workspace (tables/, truth/, manifest.json)')
    .option('--out <dir>', 'output folder (default: <home>/sample)')
    .option('--seed <n>', 'random seed', '42')
    .option('--members <n>', 'number of members', '20000')
    .option('--universe <n>', 'third-party universe size', '200000')
    .option('--months <n>', 'months of transactions', '12')
    .option(
      '--community-share <x>',
      'share of members in the brand community (actions table), 0-1 (default 0.05)',
    )
    .option('--import', 'import the generated tables into the workspace (replacing them)')
    .action(
      async (o: {
        out?: string;
        seed: string;
        members: string;
        universe: string;
        months: string;
        communityShare?: string;
        import?: boolean;
      }) => {
        const g = globals();
        const num = (v: string, name: string) => {
          const n = Number(v);
          if (!Number.isInteger(n) || n <= 0)
            throw new InvalidInputError(`--${name} must be a positive whole number, got "${v}"`, name);
          return n;
        };
        const outDir = resolve(o.out ?? `${homeFrom(g)}/sample`);
        const bar = progressBar('generating');
        const result = await generateSampleWorkspace({
          outDir,
          seed: num(o.seed, 'seed'),
          members: num(o.members, 'members'),
          universe: num(o.universe, 'universe'),
          months: num(o.months, 'months'),
          ...(o.communityShare !== undefined ? { communityShare: Number(o.communityShare) } : {}),
          onProgress: (p) => bar.update(p.total ? p.done / p.total : 0, p.stage),
        });
        bar.stop();
        let imports: ImportReport[] = [];
        if (o.import) {
          imports = await withWorkspace(g, (ws) =>
            importTablesDirectory(ws, `${outDir}/tables`, { mode: 'replace' }),
          );
        }
        print({ ...result, imports }, g, () =>
          [
            `generated ${outDir} in ${result.seconds.toFixed(1)} s (${result.personas} personas)`,
            textTable(Object.entries(result.tables).map(([table, t]) => ({ table, rows: t.rows }))),
            ...imports.map(reportLine),
          ].join('\n'),
        );
      },
    );
}

function importCommand(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('import')
    .description('import one table from a file (CSV/TSV, NDJSON, Parquet, Arrow IPC; plain or gzip)')
    .argument('<table>', `target table: ${TABLE_NAMES.join(', ')}`)
    .argument('<file>', 'file to import')
    .option('--map <pairs>', 'source=target column pairs, e.g. InvoiceNo=receipt_id,CustomerID=member_id')
    .option('--set <pairs>', 'target=value constants for every row, e.g. channel=ec')
    .option('--format <format>', `file format: ${FORMATS.join(', ')} (default: from the file name)`)
    .option('--encoding <encoding>', `text encoding: ${ENCODINGS.join(', ')}`, 'auto')
    .option('--delimiter <char>', 'field delimiter for text files')
    .option('--mode <mode>', `${IMPORT_MODES.join(', ')}`, 'append')
    .option(
      '--on-duplicate <policy>',
      `duplicate keys within the file: ${DUPLICATE_POLICIES.join(', ')}`,
      'reject',
    )
    .option('--max-rejected <fraction>', 'abort when more than this fraction of rows is rejected', '0.5')
    .option('--allow-repeat', 'append a file whose exact bytes were already imported into the table')
    .action(async (table: string, file: string, o: Record<string, string | boolean | undefined>) => {
      const g = globals();
      const delimiter = typeof o.delimiter === 'string' && o.delimiter === '\\t' ? '\t' : o.delimiter;
      // The operation's schema validates every flag; reports name the file as typed, not its resolved path.
      const report = await runCliOp(
        g,
        importFileOp,
        {
          table,
          path: resolve(file),
          label: file,
          format: o.format,
          encoding: o.encoding,
          delimiter,
          map: o.map,
          set: o.set,
          mode: o.mode,
          onDuplicate: o.onDuplicate,
          maxRejected: flagNumber(o.maxRejected as string | undefined),
          allowRepeat: o.allowRepeat === true,
        },
        { label: 'importing' },
      );
      print(report, g, () => reportDetail(report));
    });
}

function importDatasetCommand(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('import-dataset')
    .description(`import a known public dataset folder: ${Object.keys(DATASET_PRESETS).join(', ')}`)
    .argument('<preset>', 'dataset preset name')
    .argument('<dir>', 'folder holding the dataset files')
    .action(async (preset: string, dir: string) => {
      const g = globals();
      const progress = importProgress();
      const result = await withWorkspace(g, (ws) =>
        importDataset(ws, preset, resolve(dir), { onProgress: progress.onProgress }),
      ).finally(progress.stop);
      print(result, g, () => result.reports.map(reportDetail).join('\n'));
    });
}

function importDirCommand(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('import-dir')
    .description(
      'import every <table>.csv (or .csv.gz, .ndjson, .parquet, .arrow) in a folder, replacing those tables',
    )
    .argument('<dir>', 'folder, e.g. .lookalike/sample/tables')
    .action(async (dir: string) => {
      const g = globals();
      const progress = importProgress();
      const reports = await withWorkspace(g, (ws) =>
        importTablesDirectory(ws, resolve(dir), { onProgress: progress.onProgress }),
      ).finally(progress.stop);
      print(reports, g, () => reports.map(reportDetail).join('\n'));
    });
}

function tablesCommand(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('tables')
    .description('list the workspace tables with their row counts')
    .action(async () => {
      const g = globals();
      const { tables: counts } = await runCliOp(g, listTablesOp, {});
      print(counts, g, () => textTable(Object.entries(counts).map(([table, rows]) => ({ table, rows }))));
    });
}

function describeCommand(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('describe')
    .description('columns of one table with non-null counts, distinct counts and ranges')
    .argument('<table>', `one of ${TABLE_NAMES.join(', ')}`)
    .action(async (table: string) => {
      const g = globals();
      const d = await runCliOp(g, describeTableOp, { table });
      print(
        d,
        g,
        () =>
          `${d.table}: ${d.description}, ${fmtNumber(d.rows)} rows\n${textTable(d.columns as unknown as Record<string, unknown>[])}`,
      );
    });
}

function importsCommand(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('imports')
    .description('the import log: every import with its accepted and rejected counts')
    .action(async () => {
      const g = globals();
      const rows = await withWorkspace(g, (ws) =>
        ws.db.rows(
          `SELECT import_id, table_name, source, mode, rows_read, accepted, rejected, finished_at FROM _imports ORDER BY started_at`,
        ),
      );
      print(rows, g, () => textTable(rows));
    });
}

function quarantineCommand(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('quarantine')
    .description('rejected rows with row number, column and reason')
    .option('--import <id>', 'only rows of this import')
    .option('--limit <n>', 'rows to show', '50')
    .action(async (o: { import?: string; limit: string }) => {
      const g = globals();
      const limit = Math.max(1, Math.min(100_000, Number(o.limit) || 50));
      const rows = await withWorkspace(g, (ws) =>
        ws.db.rows(
          `SELECT import_id, table_name, row_number, column_name, reason, value FROM _quarantine
           ${o.import ? 'WHERE import_id = $id' : ''} ORDER BY import_id, row_number LIMIT ${limit}`,
          o.import ? { id: o.import } : undefined,
        ),
      );
      print(rows, g, () => textTable(rows));
    });
}

export function registerDataCommands(program: Command, globals: () => GlobalOptions): void {
  generateCommand(program, globals);
  importCommand(program, globals);
  importDatasetCommand(program, globals);
  importDirCommand(program, globals);
  tablesCommand(program, globals);
  describeCommand(program, globals);
  importsCommand(program, globals);
  quarantineCommand(program, globals);
}
