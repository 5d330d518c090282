import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importTable } from '../src/ingest/index.ts';
import { generateSampleWorkspace } from '../src/sample/index.ts';
import { DuckDb, Workspace } from '../src/store/index.ts';
import { type BenchModule, type BenchSize, comparePair } from './lib.ts';

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

const bench: BenchModule = {
  name: 'ingest',
  async run(size) {
    const file = join(await sampleTables(size), 'transactions.csv');
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
          ours: 'importTable: normalise + validate + quarantine + insert, one transaction',
          oursMedianMs: result.oursMs,
          peer: 'DuckDB read_csv into a table (no validation)',
          peerMedianMs: result.peerMs,
          ratio: result.ratio,
          extra: { 'rows/s': rows / (result.oursMs / 1000), 'MB/s': mb / (result.oursMs / 1000) },
        },
      ];
    } finally {
      peerDb.close();
      ws.close();
      rmSync(home, { recursive: true, force: true });
    }
  },
};

export default bench;
