import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importTable } from '../src/ingest/index.ts';
import { generateSampleWorkspace } from '../src/sample/index.ts';
import { TABLES, type TableName } from '../src/schema/index.ts';
import { createTableSql, DuckDb, quoteIdent, Workspace } from '../src/store/index.ts';
import { type BenchModule, type BenchRow, type BenchSize, comparePair, runIfMain } from './lib.ts';

const SIZES: Record<BenchSize, { members: number; months: number }> = {
  smoke: { members: 400, months: 2 },
  full: { members: 20_000, months: 12 },
};

/** Sample tables for a size, generated once per machine into the temp folder. */
export async function sampleTables(size: BenchSize): Promise<string> {
  const { members, months } = SIZES[size];
  const dir = join(tmpdir(), `lookalike-bench-sample-${members}-${months}`);
  if (!existsSync(join(dir, 'manifest.json'))) {
    await generateSampleWorkspace({ outDir: dir, members, universe: members * 10, months, seed: 7 });
  }
  return join(dir, 'tables');
}

/** Empties a table for the next timed append: a fresh table (with or without its key), never DELETE. */
async function emptyTable(ws: Workspace, table: TableName, keyed: boolean): Promise<void> {
  await ws.db.run(`DROP TABLE ${quoteIdent(table)}`);
  await ws.db.run(
    keyed
      ? createTableSql(table)
      : `CREATE TABLE ${quoteIdent(table)} AS SELECT * FROM ${quoteIdent(`${table}_shape`)}`,
  );
}

/**
 * The price of the PRIMARY KEY: the same append of a keyed table's file into an empty table with
 * its key (ours) and into one without (peer), on the same workspace, alternating.
 */
async function constraintCost(ws: Workspace, file: string, size: BenchSize): Promise<BenchRow> {
  const table: TableName = 'tp_interests';
  await ws.db.run(
    `CREATE TABLE ${quoteIdent(`${table}_shape`)} AS SELECT * FROM ${quoteIdent(table)} WHERE false`,
  );
  let rows = 0;
  const append = async (keyed: boolean) => {
    await emptyTable(ws, table, keyed);
    const report = await importTable(ws, { table, source: { kind: 'file', path: file }, allowRepeat: true });
    rows = report.accepted;
  };
  const result = await comparePair(
    'key constraint',
    () => append(true),
    () => append(false),
    { rounds: size === 'smoke' ? 1 : 3, iterations: 1 },
  );
  await emptyTable(ws, table, true);
  return {
    bench: 'ingest',
    scenario: `append ${TABLES[table].name}.csv (${rows.toLocaleString('en-US')} rows, key ${TABLES[table].key!.join(' + ')}) into an empty table`,
    ours: 'importTable into the table with its PRIMARY KEY',
    oursMedianMs: result.oursMs,
    peer: 'the same importTable into the same table without the constraint',
    peerMedianMs: result.peerMs,
    ratio: result.ratio,
    extra: { 'rows/s': rows / (result.oursMs / 1000), 'constraint ms': result.oursMs - (result.peerMs ?? 0) },
  };
}

const bench: BenchModule = {
  name: 'ingest',
  async run(size) {
    const tables = await sampleTables(size);
    const file = join(tables, 'transactions.csv');
    const home = mkdtempSync(join(tmpdir(), 'lookalike-bench-ingest-'));
    const ws = await Workspace.open(home);
    const peerDb = await DuckDb.open(join(home, 'peer.duckdb'));
    let rows = 0;
    try {
      const result = await comparePair(
        'import transactions',
        async () => {
          rows = (
            await importTable(ws, {
              table: 'transactions',
              source: { kind: 'file', path: file },
              mode: 'replace',
            })
          ).accepted;
        },
        async () => {
          await peerDb.run(`CREATE OR REPLACE TABLE t AS SELECT * FROM read_csv('${file}', header = true)`);
        },
        { rounds: size === 'smoke' ? 1 : 3, iterations: 1 },
      );
      const mb = statSync(file).size / 1e6;
      return [
        {
          bench: 'ingest',
          scenario: `import transactions.csv (${rows.toLocaleString('en-US')} lines, ${mb.toFixed(0)} MB)`,
          ours: 'importTable: scan + hash, validate + quarantine + insert, one transaction',
          oursMedianMs: result.oursMs,
          peer: 'DuckDB read_csv into a table (no validation)',
          peerMedianMs: result.peerMs,
          ratio: result.ratio,
          extra: { 'rows/s': rows / (result.oursMs / 1000), 'MB/s': mb / (result.oursMs / 1000) },
        },
        await constraintCost(ws, join(tables, 'tp_interests.csv'), size),
      ];
    } finally {
      peerDb.close();
      ws.close();
      rmSync(home, { recursive: true, force: true });
    }
  },
};

export default bench;

await runIfMain(bench, import.meta.url);
