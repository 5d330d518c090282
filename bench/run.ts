/**
 * Runs every benchmark in bench/ and writes bench/results/latest.json and latest.md.
 *   npm run bench          full sizes (minutes)
 *   npm run bench:smoke    tiny sizes, so CI notices a bench that broke
 * Pass bench names to run a subset: `npm run bench -- ingest segment`. A subset replaces only its
 * own rows in the results and keeps the other benches' rows from the previous run.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { BenchModule, BenchRow, BenchSize } from './lib.ts';

const size = (process.argv[2] ?? 'smoke') as BenchSize;
if (size !== 'smoke' && size !== 'full') {
  console.error(`bench size must be smoke or full, got "${size}"`);
  process.exit(2);
}
const only = process.argv.slice(3);
const dir = import.meta.dirname;
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();

const rows: BenchRow[] = [];
const failures: string[] = [];
const started = Date.now();
for (const file of files) {
  const mod = (await import(join(dir, file))).default as BenchModule;
  if (only.length && !only.includes(mod.name)) continue;
  process.stderr.write(`bench ${mod.name} (${size}) ...\n`);
  try {
    const out = await mod.run(size);
    rows.push(...out);
    // Every row is a comparison: a ratio against a peer, or a stated reason there is none.
    for (const r of out)
      if (r.ratio === null && !r.note) failures.push(`${mod.name}: "${r.scenario}" has no peer and no note`);
    for (const r of out)
      process.stderr.write(
        `  ${r.scenario}: ours ${r.oursMedianMs.toFixed(1)} ms${r.ratio !== null ? `, ratio ${r.ratio.toFixed(2)} vs ${r.peer}` : ''}\n`,
      );
  } catch (err) {
    failures.push(`${mod.name}: ${(err as Error).stack ?? err}`);
    process.stderr.write(`  FAILED: ${(err as Error).message}\n`);
  }
}

const resultsDir = join(dir, 'results');
const suffix = size === 'smoke' ? 'smoke' : 'latest';
const ran = new Set(rows.map((r) => r.bench));
let keptFrom: string | null = null;
if (only.length && existsSync(join(resultsDir, `${suffix}.json`))) {
  const previous = JSON.parse(readFileSync(join(resultsDir, `${suffix}.json`), 'utf8')) as {
    rows: BenchRow[];
    date: string;
    keptFrom?: string;
  };
  keptFrom = previous.keptFrom ?? previous.date;
  const kept = previous.rows.filter((r) => !ran.has(r.bench) && !only.includes(r.bench));
  rows.splice(
    0,
    rows.length,
    ...[...kept, ...rows].sort((a, b) => (a.bench < b.bench ? -1 : a.bench > b.bench ? 1 : 0)),
  );
}

const fmt = (n: number | null, digits = 1) => (n === null ? '—' : n.toFixed(digits));
// A `|` inside a cell (`max |p - p_sklearn|`) would end the cell: Markdown wants it escaped.
const row = (cells: string[]) => `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
const md = [
  `| bench | scenario | ours | ours (median ms) | peer | peer (median ms) | ratio ours/peer | notes |`,
  `|---|---|---|---:|---|---:|---:|---|`,
  ...rows.map((r) =>
    row([
      r.bench,
      r.scenario,
      r.ours,
      fmt(r.oursMedianMs),
      r.peer ?? '—',
      fmt(r.peerMedianMs),
      fmt(r.ratio, 2),
      [
        r.note,
        ...Object.entries(r.extra ?? {}).map(
          ([k, v]) => `${k} ${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`,
        ),
      ]
        .filter(Boolean)
        .join('; '),
    ]),
  ),
].join('\n');

mkdirSync(resultsDir, { recursive: true });
const meta = {
  size,
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpu: cpus()[0]?.model,
  seconds: (Date.now() - started) / 1000,
  ...(keptFrom ? { only, keptFrom } : {}),
};
writeFileSync(
  join(resultsDir, `${suffix}.json`),
  `${JSON.stringify({ ...meta, rows, failures }, null, 2)}\n`,
);
writeFileSync(
  join(resultsDir, `${suffix}.md`),
  `${md}\n\n_${meta.date}, ${meta.cpus} cores (${meta.cpu}), Node ${meta.node}, ${meta.seconds.toFixed(0)} s${keptFrom ? ` for ${only.join(', ')}; the other rows are from earlier runs, the oldest of ${keptFrom}` : ''}._\n`,
);
process.stdout.write(`${md}\n`);
if (failures.length) {
  console.error(`\n${failures.length} bench(es) failed:\n${failures.join('\n')}`);
  process.exit(1);
}
