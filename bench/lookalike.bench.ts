/**
 * Lookalike training and universe scoring. One sample workspace (a 100k-profile third-party
 * universe in the full run) trains a logistic model and an MLP; its third-party tables are then
 * replicated under new IDs to 1M and 10M profiles, and for each size:
 *  - representation: DuckDB aggregation to CSR (`TpRowSource`, as `scoreUniverse` builds it)
 *    against DuckDB running the same joins and only counting (its share of the work);
 *  - kernel: logits + logistic function against scikit-learn `predict_proba` with the same
 *    weights on the same CSR (bench/peers/lookalike_sklearn.py, a long-lived Debian
 *    /usr/bin/python3 process with one BLAS thread, alternating rounds with ours), with the
 *    bytes-per-second limit of a plain read of the same arrays in this process, for three
 *    kernels: the pure-TS loops (`logitsRangeTs`, the fallback), the wasm SIMD kernel on a
 *    JS-heap CSR (`probabilitiesRange`: rows copied into its memory in cache-sized chunks, the
 *    default path), and the wasm kernel on resident rows (`residentCsr`: the CSR copied into the
 *    kernel's memory once, untimed, as scikit-learn's CSR sits in numpy arrays);
 *  - all cores: the wasm kernel over the worker pool (one slice per core, rows and scores in
 *    SharedArrayBuffers) against the same kernel on one thread of this process;
 *  - rank: `rankDescending` against numpy's stable argsort of the same logits;
 *  - frontier and the whole `scoreUniverse` + frontier path (1M only: no single peer).
 *
 *   npx tsx bench/lookalike.bench.ts [smoke|full]
 *   BENCH_LOOKALIKE_SIZES=1000000 npx tsx bench/lookalike.bench.ts full
 * Also runs under bench/run.ts as the `lookalike` bench.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerPool } from '../src/adapters/worker-pool.ts';
import { Frontier } from '../src/audience/index.ts';
import { type Csr, vstack } from '../src/features/index.ts';
import {
  buildCalibration,
  type LookalikeModel,
  loadLookalikeModel,
  rankDescending,
  scoreUniverse,
  sigmoid,
  trainLookalike,
} from '../src/lookalike/index.ts';
import { logitsRange, logitsRangeTs, probabilitiesRange } from '../src/lookalike/kernel.ts';
import { residentCoded, residentCsr, wasmKernel } from '../src/lookalike/kernel-wasm.ts';
import { stageRows } from '../src/lookalike/rows.ts';
import { TpRowSource } from '../src/lookalike/tp-matrix.ts';
import { encodeShardColumns } from '../src/scale/shard-codec.ts';
import type { Workspace } from '../src/store/index.ts';
import { lookalikeWorkspace } from './data-gen.ts';
import {
  type BenchModule,
  type BenchRow,
  type BenchSize,
  comparePair,
  compareSelfTimed,
  hasPythonModule,
  PythonPeerServer,
  runIfMain,
  timeMedian,
} from './lib.ts';

interface Plan {
  base: number;
  sizes: number[];
  rounds: number;
  iterations: number;
  minSeedSize: number;
}

const PLANS: Record<BenchSize, Plan> = {
  smoke: { base: 5_000, sizes: [20_000], rounds: 1, iterations: 1, minSeedSize: 20 },
  full: { base: 100_000, sizes: [1_000_000, 10_000_000], rounds: 3, iterations: 3, minSeedSize: 100 },
};
const BATCH = 500_000;
const PEER = join(import.meta.dirname, 'peers', 'lookalike_sklearn.py');
const SKLEARN = 'scikit-learn predict_proba, same weights, same CSR (1 BLAS thread)';

/** Replaces the third-party tables with `reps` copies of the base ones (copy 0 keeps its IDs and links). */
async function replicate(ws: Workspace, reps: number): Promise<void> {
  for (const t of ['tp_profiles', 'tp_interests', 'tp_searches']) {
    await ws.db.run(`CREATE TABLE IF NOT EXISTS base_${t} AS SELECT * FROM ${t}`);
    await ws.db.run(
      `CREATE OR REPLACE TABLE ${t} AS SELECT b.* REPLACE (CASE WHEN r.k = 0 THEN b.tp_id ELSE b.tp_id || 'r' || r.k::VARCHAR END AS tp_id)
       FROM base_${t} b, range(${reps}) r(k)`,
    );
  }
}

/** The model's universe as one CSR, built the way `scoreUniverse` builds it, batch by batch. */
async function universeCsr(ws: Workspace, model: LookalikeModel, peer = false): Promise<Csr | number> {
  const { runner, close } = await ws.db.connect();
  try {
    const staged = await stageRows(
      runner,
      'SELECT tp_id AS id FROM tp_profiles WHERE tp_id NOT IN (SELECT tp_id FROM id_links)',
    );
    if (model.model.spec.kind !== 'third_party') throw new Error('third-party model expected');
    const src = new TpRowSource(runner, model.model.spec, staged.table, staged.rows);
    try {
      if (peer) {
        // DuckDB's share: stage the vocabularies (inside prepare), then the same joins, counted.
        await src.prepare();
        const [row] = await runner.rows<{ n: number }>(`SELECT count(*) AS n FROM (${src.packedSql()})`);
        return row!.n;
      }
      const parts: Csr[] = [];
      for (let from = 0; from < staged.rows; from += BATCH)
        parts.push(await src.batch(from, Math.min(staged.rows, from + BATCH)));
      return vstack(parts);
    } finally {
      await src.close();
      await runner.run(`DROP TABLE IF EXISTS "${staged.table}"`);
    }
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

/** A plain read of every array the kernel reads: the memory-bandwidth limit in this process. */
function plainRead(x: Csr): number {
  let s = 0;
  const { rowPtr, indices, values } = x;
  for (let i = 0; i < rowPtr.length; i++) s += rowPtr[i]!;
  for (let i = 0; i < indices.length; i++) s += indices[i]! + values[i]!;
  return s;
}

/** Probabilities like predict_proba's with the pure-TS loops: logits, then the logistic function. */
function probabilitiesTs(m: LookalikeModel, x: Csr, out: Float32Array): void {
  logitsRangeTs(m.model, x, out, 0, x.rows);
  for (let i = 0; i < x.rows; i++) out[i] = sigmoid(out[i]!);
}

/** A copy of `x` whose arrays live in SharedArrayBuffers, so worker threads read it without copies. */
function sharedCsr(x: Csr): Csr {
  const share = <T extends Int32Array | Float32Array>(a: T, make: (b: SharedArrayBuffer) => T): T => {
    const out = make(new SharedArrayBuffer(a.byteLength));
    out.set(a);
    return out;
  };
  return {
    rows: x.rows,
    cols: x.cols,
    rowPtr: share(x.rowPtr, (b) => new Int32Array(b)),
    indices: share(x.indices, (b) => new Int32Array(b)),
    values: share(x.values, (b) => new Float32Array(b)),
  };
}

/** Probabilities of every row of `x` on all pool threads, one contiguous slice each. */
async function poolProbabilities(
  pool: WorkerPool,
  m: LookalikeModel,
  x: Csr,
  out: Float32Array,
): Promise<void> {
  const step = Math.ceil(x.rows / pool.size);
  const parts: Promise<number>[] = [];
  for (let from = 0; from < x.rows; from += step) {
    const to = Math.min(x.rows, from + step);
    parts.push(
      pool.run<number>('lookalike-score-rows', { model: m.model, x, out, from, to, probabilities: true }),
    );
  }
  await Promise.all(parts);
}

const fmt = (n: number) => n.toLocaleString('en-US');
const t0 = performance.now();
/** Phase lines on stderr, so a long full run shows where it is. */
const log = (msg: string) =>
  process.stderr.write(`  [lookalike ${((performance.now() - t0) / 1000).toFixed(0)} s] ${msg}\n`);

async function sizeRows(
  ws: Workspace,
  models: Record<string, LookalikeModel>,
  size: number,
  plan: Plan,
  scratch: string,
  endToEnd: boolean,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const big = size >= 5_000_000;
  const rounds = big ? Math.min(2, plan.rounds) : plan.rounds;
  const iterations = big ? 1 : plan.iterations;
  log(`replicating to ${fmt(size)} profiles`);
  await replicate(ws, Math.max(1, Math.ceil(size / plan.base)));
  log('representation');
  let x: Csr | null = null;
  const rep = await comparePair(
    `representation ${size}`,
    async () => {
      x = (await universeCsr(ws, models.logistic!)) as Csr;
    },
    () => universeCsr(ws, models.logistic!, true),
    { rounds: big ? 1 : Math.min(2, rounds), iterations: 1, warmup: false },
  );
  const csr = x as unknown as Csr;
  const n = csr.rows;
  const nnz = csr.indices.length;
  const scenario = `${fmt(n)} profiles (${(nnz / n).toFixed(1)} non-zeros each)`;
  rows.push({
    bench: 'lookalike',
    scenario: `representation: ${scenario}`,
    ours: 'TpRowSource: DuckDB joins packed to one DOUBLE per non-zero, read in 500k-row batches, unpacked to CSR',
    oursMedianMs: rep.oursMs,
    peer: 'DuckDB: the same joins, only counted (no transfer, no CSR)',
    peerMedianMs: rep.peerMs,
    ratio: rep.ratio,
    extra: { 'profiles/s': n / (rep.oursMs / 1000), 'non-zeros/s': nnz / (rep.oursMs / 1000) },
  });

  log('kernels against sklearn');
  const peerOk = hasPythonModule('sklearn');
  const dir = join(scratch, `peer_${n}`);
  let peer: PythonPeerServer | null = null;
  const scores = new Float32Array(n);
  if (peerOk) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'indptr.i32'), bytes(csr.rowPtr));
    writeFileSync(join(dir, 'indices.i32'), bytes(csr.indices));
    writeFileSync(join(dir, 'values.f32'), bytes(csr.values));
    for (const [name, m] of Object.entries(models)) {
      writeFileSync(join(dir, `${name}.weights.f32`), weightsBytes(m));
      probabilitiesRange(m.model, csr, scores);
      writeFileSync(join(dir, `${name}.ours.f32`), bytes(scores.subarray(0, Math.min(n, 100_000))));
    }
    logitsRange(models.logistic!.model, csr, scores, 0, n);
    writeFileSync(join(dir, 'logits.f32'), bytes(scores));
    writeFileSync(
      join(dir, 'meta.json'),
      JSON.stringify({
        rows: n,
        cols: csr.cols,
        models: Object.entries(models).map(([name, m]) => ({
          name,
          layers: m.model.layers.map((l) => ({ inputs: l.inputs, units: l.units })),
        })),
      }),
    );
    peer = new PythonPeerServer(PEER, [dir]);
    await peer.read();
  }
  const resident = residentCsr(csr);
  const threads = availableParallelism();
  const pool = new WorkerPool({ size: threads, idleTimeoutMs: 600_000 });
  try {
    const readMs = await timeMedian('plain read', () => plainRead(csr), 5);
    const gb = (nnz * 8 + (n + 1) * 4 + n * 4) / 1e9;
    const kernels: { key: string; ours: string; run: (m: LookalikeModel) => void; logisticOnly?: boolean }[] =
      [
        {
          key: '',
          ours: 'logitsRangeTs + logistic function, pure-TS Float32 CSR kernel (the fallback), one thread',
          run: (m) => probabilitiesTs(m, csr, scores),
        },
        {
          key: ', wasm',
          ours: 'probabilitiesRange: wasm SIMD kernel, rows copied from the JS-heap CSR in 16k-row chunks, one thread',
          run: (m) => probabilitiesRange(m.model, csr, scores),
        },
      ];
    if (resident)
      kernels.push({
        key: ', wasm resident',
        ours: 'wasm SIMD kernel on resident rows (CSR copied into the kernel memory once, untimed), one thread',
        run: (m) => resident.probabilities(m.model, scores),
      });
    // The rows as a snapshot shard stores them (u16 indices, 1-byte codes): what a scale run's
    // pass 1 scores, copied into the kernel's memory chunk by chunk inside the timing.
    const enc = encodeShardColumns(csr);
    const wasm = wasmKernel();
    if (wasm && enc.indices instanceof Uint16Array && enc.codes instanceof Uint8Array && enc.codebook) {
      const coded = {
        rows: n,
        rowPtr: csr.rowPtr,
        indices: enc.indices,
        codes: enc.codes,
        codebook: enc.codebook as Float32Array,
      };
      // Same probabilities as the plain path, bit for bit (same logits, same logistic function).
      const plain = new Float32Array(n);
      probabilitiesRange(models.logistic!.model, csr, plain);
      wasm.codedLogits(models.logistic!.model, coded, scores);
      wasm.sigmoidInPlace(scores);
      for (let i = 0; i < n; i++)
        if (!Object.is(plain[i], scores[i]))
          throw new Error(`coded scores differ from plain ones at row ${i}`);
      kernels.push({
        key: ', wasm coded',
        ours: `wasm SIMD kernel on the snapshot shard form (u16 indices, 1-byte codes into ${coded.codebook.length} values: 3 bytes a non-zero), copied in 16k-row chunks, + logistic function, one thread`,
        run: (m) => {
          wasm.codedLogits(m.model, coded, scores);
          wasm.sigmoidInPlace(scores);
        },
        logisticOnly: true,
      });
      const held = residentCoded(coded);
      if (held)
        kernels.push({
          key: ', wasm coded resident',
          ours: 'wasm SIMD kernel on the snapshot shard form held in the kernel memory (copied in once, untimed), + logistic function, one thread',
          run: (m) => {
            held.logits(m.model, scores);
            held.sigmoidInPlace(scores);
          },
          logisticOnly: true,
        });
    }
    for (const [name, m] of Object.entries(models)) {
      for (const k of kernels) {
        if (k.logisticOnly && m.model.layers.length !== 1) continue;
        const ours = () => k.run(m);
        let diff = Number.NaN;
        const r = peer
          ? await compareSelfTimed(
              `kernel ${name}${k.key} ${n}`,
              ours,
              async () => {
                const a = await peer!.ask<{ ms: number; maxAbsDiff: number }>(`score ${name}`);
                diff = a.maxAbsDiff;
                return a.ms;
              },
              { rounds, iterations },
            )
          : { oursMs: await timeMedian(name, ours, iterations), peerMs: null, ratio: null, ratios: [] };
        rows.push({
          bench: 'lookalike',
          scenario: `scores (${name}${k.key}): ${scenario}`,
          ours: k.ours,
          oursMedianMs: r.oursMs,
          peer: peer ? SKLEARN : null,
          peerMedianMs: r.peerMs,
          ratio: r.ratio,
          ...(peer ? {} : { note: 'scikit-learn not installed (apt-get install python3-sklearn): no peer' }),
          extra: {
            'profiles/s/core': n / (r.oursMs / 1000),
            ...(r.peerMs ? { 'sklearn profiles/s/core': n / (r.peerMs / 1000) } : {}),
            'kernel GB/s': gb / (r.oursMs / 1000),
            'plain read GB/s (limit)': gb / (readMs / 1000),
            ...(peer ? { 'max |p - p_sklearn| (first 100k)': diff } : {}),
            ...(r.ratios.length ? { 'ratio per round': r.ratios.map((v) => v.toFixed(2)).join(' ') } : {}),
          },
        });
      }

      log(`all cores (${name})`);
      const shared = sharedCsr(csr);
      const sharedOut = new Float32Array(new SharedArrayBuffer(n * 4));
      const all = await comparePair(
        `all cores ${name} ${n}`,
        () => poolProbabilities(pool, m, shared, sharedOut),
        () => probabilitiesRange(m.model, shared, sharedOut),
        { rounds, iterations },
      );
      probabilitiesRange(m.model, csr, scores);
      let same = true;
      for (let i = 0; i < n && same; i++) same = sharedOut[i] === scores[i];
      if (!same) throw new Error(`all-cores scores of ${name} differ from one-thread scores`);
      rows.push({
        bench: 'lookalike',
        scenario: `scores (${name}, wasm, all ${threads} cores): ${scenario}`,
        ours: `worker pool of ${threads} threads, one slice each, wasm SIMD kernel, rows and scores in SharedArrayBuffers`,
        oursMedianMs: all.oursMs,
        peer: 'the same wasm kernel on one thread of this process (same shared rows)',
        peerMedianMs: all.peerMs,
        ratio: all.ratio,
        note: 'ratio below 1 is the all-cores speed-up; the cores are shared with other processes',
        extra: {
          'profiles/s all cores': n / (all.oursMs / 1000),
          'profiles/s one core': n / (all.peerMs! / 1000),
          'speed-up': all.peerMs! / all.oursMs,
        },
      });
    }

    logitsRange(models.logistic!.model, csr, scores, 0, n);
    let order: Uint32Array = new Uint32Array(0);
    const rankOurs = () => {
      order = rankDescending(scores);
    };
    const rank = peer
      ? await compareSelfTimed(
          `rank ${n}`,
          rankOurs,
          async () => (await peer!.ask<{ ms: number }>('rank')).ms,
          {
            rounds,
            iterations,
          },
        )
      : { oursMs: await timeMedian('rank', rankOurs, iterations), peerMs: null, ratio: null };
    rows.push({
      bench: 'lookalike',
      scenario: `rank: ${fmt(n)} logits`,
      ours: 'rankDescending: stable LSD radix sort on the Float32 bits',
      oursMedianMs: rank.oursMs,
      peer: peer ? 'numpy argsort(-logits, kind="stable")' : null,
      peerMedianMs: rank.peerMs,
      ratio: rank.ratio,
      ...(peer ? {} : { note: 'numpy not installed: no peer' }),
      extra: { 'logits/s': n / (rank.oursMs / 1000) },
    });
    rankOurs();
    const sorted = new Float32Array(n);
    for (let k = 0; k < n; k++) sorted[k] = scores[order[k]!]!;
    const cal = buildCalibration(models.logistic!.calibration);
    const frontierMs = await timeMedian('frontier', () => new Frontier(sorted, cal).grid(200), iterations);
    rows.push({
      bench: 'lookalike',
      scenario: `frontier: ${fmt(n)} ranked logits, build + 200-point grid`,
      ours: 'Frontier (calibrated precision with intervals at every size)',
      oursMedianMs: frontierMs,
      peer: null,
      peerMedianMs: null,
      ratio: null,
      note: 'no peer: no library computes a calibrated size/precision frontier; bench audience times its parts',
      extra: { 'ranks/s': n / (frontierMs / 1000) },
    });
  } finally {
    peer?.close();
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }

  if (endToEnd) {
    log('end to end');
    for (const [name, m] of Object.entries(models)) {
      const ms = await timeMedian(
        `end to end ${name}`,
        async () => {
          const scored = await scoreUniverse(ws, m, { batchRows: BATCH });
          new Frontier(scored.sorted, buildCalibration(m.calibration)).grid(200);
          await scored.close();
        },
        1,
        false,
      );
      rows.push({
        bench: 'lookalike',
        scenario: `scoreUniverse + frontier (${name}): ${fmt(n)} profiles`,
        ours: 'stage + exclusions, representation, kernel, rank, frontier',
        oursMedianMs: ms,
        peer: null,
        peerMedianMs: null,
        ratio: null,
        note: 'no single peer: the sum of the rows above (each with its peer); one run',
        extra: { 'profiles/s': n / (ms / 1000) },
      });
    }
  }
  return rows;
}

const bench: BenchModule = {
  name: 'lookalike',
  async run(size) {
    const plan = PLANS[size];
    const sizes = process.env.BENCH_LOOKALIKE_SIZES?.split(',').map(Number) ?? plan.sizes;
    const scratch = mkdtempSync(join(tmpdir(), 'lookalike-bench-'));
    const ws = await lookalikeWorkspace(plan.base, join(scratch, 'ws'));
    try {
      const rows: BenchRow[] = [];
      const models: Record<string, LookalikeModel> = {};
      for (const arch of ['logistic', 'mlp'] as const) {
        log(`training ${arch}`);
        let id = '';
        const ms = await timeMedian(
          `train ${arch}`,
          async () => {
            id = (
              await trainLookalike(ws, {
                seed: { kind: 'purchase', categories: ['H05'] },
                universe: 'third_party',
                architectures: { [arch]: {} },
                backend: 'wasm',
                minSeedSize: plan.minSeedSize,
                bootstrap: 300,
              })
            ).id;
          },
          1,
          false,
        );
        models[arch] = await loadLookalikeModel(ws.artifacts, id);
        rows.push({
          bench: 'lookalike',
          scenario: `training (${arch}): ${fmt(plan.base)}-profile universe, purchase seed`,
          ours: 'trainLookalike: seed resolution, PU sample, TF.js (wasm) fit, validation, 300-replicate calibration',
          oursMedianMs: ms,
          peer: null,
          peerMedianMs: null,
          ratio: null,
          note: 'no peer: no library runs this pipeline; sklearn would fit a different model on different rows; one run',
        });
      }
      for (const n of sizes) rows.push(...(await sizeRows(ws, models, n, plan, scratch, n === sizes[0])));
      return rows;
    } finally {
      ws.close();
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};

export default bench;

await runIfMain(bench, import.meta.url);
