/**
 * Lookalike scoring at universe scale: representation (DuckDB aggregation to CSR), scores (the
 * pure-TS kernel), rank + frontier, and the whole `scoreUniverse` + `Frontier` path, for a
 * logistic model and an MLP, against sklearn's `predict_proba` on the same CSR with the same
 * weights (bench/peers/lookalike_sklearn.py, Debian /usr/bin/python3, one BLAS thread).
 *
 * Sizes: LOOKALIKE_BENCH_SIZES=1000000,10000000 (default 50000, a smoke run). The universe is the
 * base sample's third-party tables replicated under new IDs. Results: bench/results/.
 *
 *   npx tsx bench/lookalike.bench.ts
 *   LOOKALIKE_BENCH_SIZES=1000000,10000000 npx tsx bench/lookalike.bench.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { Frontier } from '../src/audience/index.ts';
import { importTablesDirectory } from '../src/ingest/index.ts';
import type { Csr } from '../src/lookalike/csr.ts';
import {
  buildCalibration,
  type LookalikeModel,
  loadLookalikeModel,
  rankDescending,
  scoreUniverse,
  sigmoid,
  trainLookalike,
} from '../src/lookalike/index.ts';
import { logitsRange } from '../src/lookalike/kernel.ts';
import { stageRows } from '../src/lookalike/rows.ts';
import { TpRowSource } from '../src/lookalike/tp-matrix.ts';
import { generateSampleWorkspace } from '../src/sample/index.ts';
import { Workspace } from '../src/store/index.ts';

const SIZES = (process.env.LOOKALIKE_BENCH_SIZES ?? '50000').split(',').map(Number);
const BASE_UNIVERSE = Number(
  process.env.LOOKALIKE_BENCH_BASE ?? (Math.max(...SIZES) >= 1_000_000 ? 100_000 : 20_000),
);
const BATCH = 500_000;
const root = mkdtempSync(join(tmpdir(), 'lookalike-bench-'));
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const rate = (rows: number, ms: number) => Math.round(rows / (ms / 1000));

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const out = await f();
  return [out, performance.now() - t];
}

/** Replaces the third-party tables with `reps` copies of the base ones (copy 0 keeps its IDs and links). */
async function replicate(ws: Workspace, reps: number): Promise<void> {
  for (const t of ['tp_profiles', 'tp_interests', 'tp_searches']) {
    await ws.db.run(`CREATE TABLE IF NOT EXISTS base_${t} AS SELECT * FROM ${t}`);
    await ws.db.run(`DELETE FROM ${t}`);
    await ws.db.run(
      `INSERT INTO ${t} SELECT b.* REPLACE (CASE WHEN r.k = 0 THEN b.tp_id ELSE b.tp_id || 'r' || r.k::VARCHAR END AS tp_id)
       FROM base_${t} b, range(${reps}) r(k)`,
    );
  }
}

/** The model's universe as one CSR, built the way `scoreUniverse` builds it, batch by batch. */
async function universeCsr(ws: Workspace, model: LookalikeModel): Promise<Csr> {
  const { runner, close } = await ws.db.connect();
  try {
    const staged = await stageRows(
      runner,
      'SELECT tp_id AS id FROM tp_profiles WHERE tp_id NOT IN (SELECT tp_id FROM id_links)',
    );
    if (model.model.spec.kind !== 'third_party') throw new Error('third-party model expected');
    const src = new TpRowSource(runner, model.model.spec, staged.table, staged.rows);
    const parts: Csr[] = [];
    for (let from = 0; from < staged.rows; from += BATCH)
      parts.push(await src.batch(from, Math.min(staged.rows, from + BATCH)));
    await src.close();
    const nnz = parts.reduce((s, p) => s + p.indices.length, 0);
    const rowPtr = new Int32Array(staged.rows + 1);
    const indices = new Int32Array(nnz);
    const values = new Float32Array(nnz);
    let r = 0;
    let o = 0;
    for (const p of parts) {
      for (let i = 0; i < p.rows; i++) rowPtr[r + i + 1] = o + p.rowPtr[i + 1]!;
      indices.set(p.indices, o);
      values.set(p.values, o);
      r += p.rows;
      o += p.indices.length;
    }
    return { rows: staged.rows, cols: parts[0]!.cols, rowPtr, indices, values };
  } finally {
    close();
  }
}

function weightsBytes(m: LookalikeModel): Uint8Array {
  const parts = m.model.layers.flatMap((l) => [l.weights, l.bias]);
  const all = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return new Uint8Array(all.buffer);
}

const bytes = (a: Int32Array | Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

async function main(): Promise<void> {
  console.log(`sizes ${SIZES.join(', ')}; base universe ${BASE_UNIVERSE}; scratch ${root}`);
  await generateSampleWorkspace({
    outDir: join(root, 'sample'),
    members: BASE_UNIVERSE / 10,
    universe: BASE_UNIVERSE,
    months: 2,
    seed: 3,
  });
  const ws = await Workspace.open(join(root, 'home'));
  await importTablesDirectory(ws, join(root, 'sample', 'tables'), { mode: 'replace' });
  const seed = { kind: 'purchase' as const, categories: ['H05'] };
  const models: Record<string, LookalikeModel> = {};
  for (const arch of ['logistic', 'mlp'] as const) {
    const r = await trainLookalike(ws, {
      seed,
      universe: 'third_party',
      architectures: { [arch]: {} },
      backend: 'wasm',
      id: `bench_${arch}`,
    });
    models[arch] = await loadLookalikeModel(ws.artifacts, r.id);
  }
  const report: Record<string, unknown>[] = [];
  for (const size of SIZES) {
    const reps = Math.max(1, Math.ceil(size / BASE_UNIVERSE));
    await replicate(ws, reps);
    const [x, representationMs] = await timed(() => universeCsr(ws, models.logistic!));
    const n = x.rows;
    console.log(
      `\n== universe ${n} profiles (${x.indices.length} non-zeros, ${(x.indices.length / n).toFixed(1)} per profile)`,
    );
    const iterations = n >= 2_000_000 ? 2 : 5;
    const bench = new Bench({
      name: `lookalike ${n}`,
      time: 0,
      iterations,
      warmupIterations: 1,
      throws: true,
    });
    const out = new Float32Array(n);
    const probabilities = new Float32Array(n);
    for (const [name, m] of Object.entries(models)) {
      // Probabilities, like predict_proba: logits, then the logistic function.
      bench.add(`kernel ${name}`, () => {
        logitsRange(m.model, x, out, 0, n);
        for (let i = 0; i < n; i++) probabilities[i] = 1 / (1 + Math.exp(-out[i]!));
      });
    }
    const ranked: { order: Uint32Array } = { order: new Uint32Array(0) };
    bench.add('rank', () => {
      ranked.order = rankDescending(out);
    });
    const cal = buildCalibration(models.logistic!.calibration);
    bench.add('frontier (build + 200-point grid)', () => {
      const sorted = new Float32Array(n);
      for (let k = 0; k < n; k++) sorted[k] = out[ranked.order[k]!]!;
      new Frontier(sorted, cal).grid(200);
    });
    await bench.run();
    console.table(bench.table());
    const ms = Object.fromEntries(
      bench.tasks.map((t) => [t.name, t.result.state === 'completed' ? t.result.latency.mean : Number.NaN]),
    );

    // The whole path a job runs: stage, build rows, score, rank, frontier.
    const endToEnd: Record<string, number> = {};
    for (const [name, m] of Object.entries(models)) {
      const [, e2e] = await timed(async () => {
        const scored = await scoreUniverse(ws, m, { batchRows: BATCH });
        new Frontier(scored.sorted, buildCalibration(m.calibration)).grid(200);
        await scored.close();
      });
      endToEnd[name] = e2e;
    }

    // sklearn on the same rows and weights.
    const dir = join(root, `peer_${n}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'indptr.i32'), bytes(x.rowPtr));
    writeFileSync(join(dir, 'indices.i32'), bytes(x.indices));
    writeFileSync(join(dir, 'values.f32'), bytes(x.values));
    for (const [name, m] of Object.entries(models)) {
      writeFileSync(join(dir, `${name}.weights.f32`), weightsBytes(m));
      const first = new Float32Array(Math.min(n, 1000));
      logitsRange(m.model, x, first, 0, first.length);
      writeFileSync(join(dir, `${name}.ours.f32`), bytes(first.map((z) => sigmoid(z))));
    }
    writeFileSync(
      join(dir, 'meta.json'),
      JSON.stringify({
        rows: n,
        cols: x.cols,
        repeats: n >= 2_000_000 ? 2 : 3,
        models: Object.entries(models).map(([name, m]) => ({
          name,
          layers: m.model.layers.map((l) => ({ inputs: l.inputs, units: l.units })),
        })),
      }),
    );
    const peer = JSON.parse(
      execFileSync('/usr/bin/python3', [join(import.meta.dirname, 'peers', 'lookalike_sklearn.py'), dir], {
        env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
        maxBuffer: 1 << 20,
      }).toString(),
    ) as { models: Record<string, { ms: number; maxAbsDiffFirstRows: number }>; sklearn: string };
    rmSync(dir, { recursive: true, force: true });
    const rows = Object.keys(models).map((name) => {
      const kernel = ms[`kernel ${name}`]!;
      const sk = peer.models[name]!.ms;
      return {
        profiles: n,
        model: name,
        'representation (DuckDB -> CSR)': seconds(representationMs),
        'kernel scores': seconds(kernel),
        'kernel profiles/s/core': rate(n, kernel),
        'sklearn predict_proba': seconds(sk),
        'sklearn profiles/s/core': rate(n, sk),
        'ratio ours/sklearn': Number((kernel / sk).toFixed(2)),
        'max |p - p_sklearn|': peer.models[name]!.maxAbsDiffFirstRows.toExponential(1),
        'rank + frontier': seconds(ms.rank! + ms['frontier (build + 200-point grid)']!),
        'end to end': seconds(endToEnd[name]!),
        'end to end profiles/s': rate(n, endToEnd[name]!),
      };
    });
    console.table(rows);
    report.push(...rows.map((r) => ({ ...r, sklearnVersion: peer.sklearn })));
  }
  ws.close();
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  const file = join(import.meta.dirname, 'results', `lookalike-${SIZES.join('-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), sizes: SIZES, report }, null, 2)}\n`,
  );
  console.log(`results: ${file}`);
}

try {
  await main();
} finally {
  rmSync(root, { recursive: true, force: true });
}
