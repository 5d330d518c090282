/**
 * The Cloudflare executor in workerd: a multi-shard snapshot in (local) R2 scored through the
 * shard Queue by this Worker's queue() consumer, one shard failing once (its file is truncated
 * until the first failure is recorded) and retried, gives the same frontier and members as the
 * local executor over the same snapshot. Also times one full-size shard step here, the input of
 * the 100M estimate in the README.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeMembers } from '../../src/audience/members-file.ts';
import type { Csr } from '../../src/features/csr.ts';
import type { CalibrationData } from '../../src/lookalike/calibration.ts';
import type { TpFeatureSpec } from '../../src/lookalike/feature-spec.ts';
import { logitsRange, type PortableModel } from '../../src/lookalike/kernel.ts';
import { useWasmKernel, wasmKernel } from '../../src/lookalike/kernel-wasm.ts';
import { Rng } from '../../src/lookalike/rng.ts';
import kernelWasm from '../../src/lookalike/wasm/kernel.wasm';
import { inProcessSteps, scoreSnapshotLocally } from '../../src/scale/executor.ts';
import { startQueuedRun } from '../../src/scale/queue.ts';
import {
  type PlanRunInput,
  readCut,
  readRunMembers,
  runShardPass,
  runStatus,
  type ShardMessage,
} from '../../src/scale/run.ts';
import { type SnapshotManifest, shardCsrKey, writeSnapshot } from '../../src/scale/snapshot.ts';
import { MemoryArtifactStore } from '../../src/store/artifacts.ts';
import { R2ArtifactStore, type R2BucketLike } from '../../src/store/r2.ts';

interface TestEnv {
  ARTIFACTS: R2BucketLike;
  SCALE_SHARDS: { sendBatch(messages: Iterable<{ body: ShardMessage }>): Promise<unknown> };
}
const testEnv = env as unknown as TestEnv;
const r2 = new R2ArtifactStore(testEnv.ARTIFACTS);
/** Local R2 may outlive a test run: every run ID here is new. */
const tag = crypto.randomUUID().slice(0, 8);

/** A third-party spec with `terms` search terms (columns: 3 + 2 + 1 + 2 + terms). */
const specWith = (terms: number): TpFeatureSpec => ({
  kind: 'third_party',
  version: 1,
  genders: ['female', 'male', 'unknown'],
  ageBands: ['30s', 'unknown'],
  regions: ['kanto'],
  interests: ['baking', 'cars'],
  terms: Array.from({ length: terms }, (_, i) => `t${String(i).padStart(4, '0')}`),
  visitCap: 50,
  minTermDf: 1,
});

/** Random sparse rows: one gender, one age band, and about `perRow` other non-zeros. */
function randomRows(rng: Rng, rows: number, cols: number, perRow: number): Csr {
  const rowPtr = new Int32Array(rows + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let r = 0; r < rows; r++) {
    const cols2 = new Set<number>([rng.int(3), 3 + rng.int(2)]);
    const k = rng.int(2 * perRow);
    for (let j = 0; j < k; j++) cols2.add(5 + rng.int(cols - 5));
    for (const c of [...cols2].sort((a, b) => a - b)) {
      indices.push(c);
      values.push(c < 6 ? 1 : Math.fround(Math.log1p(1 + rng.int(20))));
    }
    rowPtr[r + 1] = indices.length;
  }
  return { rows, cols, rowPtr, indices: Int32Array.from(indices), values: Float32Array.from(values) };
}

function logistic(spec: TpFeatureSpec, cols: number, rng: Rng): PortableModel {
  return {
    format: 'lookalike-portable/1',
    architecture: 'logistic',
    spec,
    layers: [
      {
        inputs: cols,
        units: 1,
        activation: 'linear',
        weights: Float32Array.from({ length: cols }, () => Math.fround(rng.normal())),
        bias: Float32Array.of(-1.5),
      },
    ],
  };
}

async function snapshotOf(
  store: MemoryArtifactStore | R2ArtifactStore,
  spec: TpFeatureSpec,
  x: Csr,
  shardRows: number,
) {
  const ids = Array.from({ length: x.rows }, (_, i) => `tp_${String(i).padStart(7, '0')}`);
  return writeSnapshot(
    store,
    {
      universe: 'third_party',
      dataVersion: 'v1|third_party||synthetic',
      spec,
      rows: x.rows,
      cols: x.cols,
      batch: async (from, to) => {
        const rowPtr = Int32Array.from(x.rowPtr.subarray(from, to + 1), (p) => p - x.rowPtr[from]!);
        const a = x.rowPtr[from]!;
        const b = x.rowPtr[to]!;
        return {
          x: {
            rows: to - from,
            cols: x.cols,
            rowPtr,
            indices: x.indices.slice(a, b),
            values: x.values.slice(a, b),
          },
          ids: ids.slice(from, to),
        };
      },
    },
    shardRows,
    () => Date.parse('2026-12-01T00:00:00Z'),
  );
}

const spec = specWith(20);
const rng = new Rng(21, 0);
const x = randomRows(rng, 1800, 28, 3);
const model = logistic(spec, 28, rng);
let calibration: CalibrationData;
let snapshot: SnapshotManifest;

beforeAll(async () => {
  // Held-out "seed" rows: the best-scoring fifth of a sample, so the frontier has signal.
  const z = new Float32Array(x.rows);
  logitsRange(model, x, z);
  const sorted = Float32Array.from(z).sort().reverse();
  calibration = {
    heldOut: Float32Array.from({ length: 60 }, (_, i) => sorted[i * 6]!),
    heldOutWeights: new Float32Array(60).fill(1),
    unlabelled: Float32Array.from({ length: 300 }, (_, i) => z[i * 6]!),
    replicates: 50,
    seed: 3,
    confidence: 0.9,
    delta: 0.1,
  };
  snapshot = await snapshotOf(r2, spec, x, 400);
});

const input = (runId: string): PlanRunInput => ({
  runId,
  snapshot,
  model,
  calibration,
  excludedIds: ['tp_0000007', 'tp_0000450', 'tp_0001799', 'tp_9999999'],
  targetSize: 250,
});

describe('scoring a snapshot through the shard queue', () => {
  it('retries a shard that fails once and matches the local executor', async () => {
    expect(snapshot.shards).toHaveLength(5);
    // The local executor over the same snapshot, in memory.
    const memory = new MemoryArtifactStore();
    await snapshotOf(memory, spec, x, 400);
    const local = await scoreSnapshotLocally(memory, input(`run_local_${tag}`), inProcessSteps(memory));

    // Shard 2 arrives truncated (as an interrupted upload would): its first attempt fails.
    const key = shardCsrKey(snapshot.key, 2);
    const good = (await r2.get(key))!;
    await r2.put(key, good.subarray(0, good.length - 16));
    const sent = await startQueuedRun(r2, testEnv.SCALE_SHARDS, input(`run_queue_${tag}`));
    expect(sent).toBe(5);
    await vi.waitUntil(async () => (await runStatus(r2, `run_queue_${tag}`)).failedAttempts >= 1, {
      timeout: 20_000,
      interval: 50,
    });
    await r2.put(key, good);
    await vi.waitUntil(async () => (await runStatus(r2, `run_queue_${tag}`)).state !== 'running', {
      timeout: 30_000,
      interval: 100,
    });

    const status = await runStatus(r2, `run_queue_${tag}`);
    expect(status).toMatchObject({
      state: 'completed',
      shards: 5,
      pass1Done: 5,
      pass2Done: 5,
      merged: true,
      dead: [],
      failedAttempts: 1,
    });
    const attempts = await r2.list(`scale-runs/run_queue_${tag}/attempts/`);
    expect(attempts).toEqual([`scale-runs/run_queue_${tag}/attempts/p1-00002-a1.json`]);
    expect(await r2.get(attempts[0]!).then((b) => new TextDecoder().decode(b!))).toContain('(truncated?)');

    const cut = await readCut(r2, `run_queue_${tag}`);
    expect(cut).toEqual(local.cut);
    expect(cut!.scored).toBe(1800 - 3);
    const members = decodeMembers((await readRunMembers(r2, `run_queue_${tag}`))!);
    expect(members.ids).toEqual(local.members.ids);
    expect([...members.scores]).toEqual([...local.members.scores]);
    expect([...members.ranks]).toEqual([...local.members.ranks]);

    // Independently: the 250 best rows by logit (ties by ID), leaving out the excluded three.
    const z = new Float32Array(x.rows);
    logitsRange(model, x, z);
    const expected = Array.from({ length: x.rows }, (_, i) => i)
      .filter((i) => ![7, 450, 1799].includes(i))
      .sort((a, b) => z[b]! - z[a]! || a - b)
      .slice(0, 250)
      .map((i) => `tp_${String(i).padStart(7, '0')}`);
    expect(members.ids).toEqual(expected);
  }, 60_000);

  it('marks a run failed through the dead letter queue when a shard never reads', async () => {
    const key = shardCsrKey(snapshot.key, 4);
    const good = (await r2.get(key))!;
    await r2.put(key, good.subarray(0, 40));
    try {
      await startQueuedRun(r2, testEnv.SCALE_SHARDS, input(`run_dead_${tag}`));
      await vi.waitUntil(async () => (await runStatus(r2, `run_dead_${tag}`)).state === 'failed', {
        timeout: 30_000,
        interval: 100,
      });
      const status = await runStatus(r2, `run_dead_${tag}`);
      expect(status.dead).toEqual([
        { pass: 1, shard: 4, error: 'ran out of retries on the shard queue (moved to lookalike-scale-dead)' },
      ]);
      // max_retries = 3: four attempts, each recorded with its reason.
      expect(status.failedAttempts).toBe(4);
      expect(status.merged).toBe(false);
    } finally {
      await r2.put(key, good);
    }
  }, 60_000);

  it('times one full-size shard step (250,000 rows, ~14 non-zeros each) in workerd', async () => {
    const big = specWith(2000);
    const cols = 3 + 2 + 1 + 2 + 2000;
    const rows = randomRows(new Rng(5, 1), 250_000, cols, 12);
    const snap = await snapshotOf(r2, big, rows, 250_000);
    // Format 2: u16 indices and 1-byte value codes, 3 bytes a non-zero plus the row pointers.
    const csr = (await r2.get(shardCsrKey(snap.key, 0)))!;
    const nnz = rows.indices.length;
    expect(csr.length - (4 * 250_001 + 3 * nnz)).toBeLessThan(1024);
    const m = logistic(big, cols, new Rng(6, 2));
    const plan: PlanRunInput = {
      runId: `run_timing_${tag}`,
      snapshot: snap,
      model: m,
      calibration,
      excludedIds: [],
      targetSize: 1000,
    };
    const { planRun } = await import('../../src/scale/run.ts');
    await planRun(r2, plan);
    // Time moves in workerd only across I/O; each step starts with an R2 read and ends with a
    // write, so this is the step's wall time with its local R2 I/O (an upper bound of its CPU).
    // With the wasm kernel (as the Worker entry installs it) and with the TypeScript loop alone.
    const timeSteps = async (): Promise<number[]> => {
      const times: number[] = [];
      for (let k = 0; k < 3; k++) {
        await r2.delete(`scale-runs/run_timing_${tag}/pass1/00000.bin`);
        const t0 = Date.now();
        expect(await runShardPass(r2, { runId: `run_timing_${tag}`, pass: 1, shard: 0 })).toBe(true);
        await r2.get(`scale-runs/run_timing_${tag}/plan.json`);
        times.push(Date.now() - t0);
      }
      return times;
    };
    useWasmKernel(kernelWasm);
    expect(wasmKernel()).not.toBeNull();
    const wasm = await timeSteps();
    useWasmKernel(null);
    const ts = await timeSteps();
    useWasmKernel(kernelWasm);
    console.log(
      `scale shard step in workerd: 250,000 rows, ${nnz} non-zeros (${(nnz / 250_000).toFixed(1)} per row), ${csr.length} bytes of CSR; ms per run, wasm coded kernel: ${wasm.join(', ')}; TypeScript loop: ${ts.join(', ')}`,
    );
    expect([...wasm, ...ts]).toHaveLength(6);
  }, 120_000);
});
