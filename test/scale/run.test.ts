/**
 * Snapshots and sharded scoring against today's path: a snapshot of a sample universe, scored
 * by the local executor (in-process and in worker threads), gives exactly the members
 * `scoreUniverse` ranks first, and a frontier within a histogram bin of the exact one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolSteps, WorkerPool } from '../../src/adapters/index.ts';
import { Frontier } from '../../src/audience/index.ts';
import {
  buildCalibration,
  type LookalikeModel,
  scoreUniverse,
  sigmoid,
  trainLookalike,
} from '../../src/lookalike/index.ts';
import { parseInput, scoreRunStatusOp, scoreSnapshotOp } from '../../src/ops/index.ts';
import {
  CorruptFileError,
  ensureSnapshot,
  inProcessSteps,
  modelExclusions,
  planRun,
  runShardPass,
  runStatus,
  type SnapshotManifest,
  type StepRunner,
  scoreSnapshotLocally,
} from '../../src/scale/index.ts';
import { shardCsrKey } from '../../src/scale/snapshot.ts';
import { personaMembers, personaModel, type SampleWs, sampleWorkspace } from '../lookalike/helpers.ts';

let s: SampleWs;
let model: LookalikeModel;
let snapshot: SnapshotManifest;
const TARGET = 1500;

beforeAll(async () => {
  s = await sampleWorkspace({ members: 1500, universe: 12_000, months: 4, seed: 7 });
  model = await personaModel(s, 'busy_family', { randomSeed: 3, bootstrap: 100 });
  const first = await ensureSnapshot(s.ws, model.model.spec, 'third_party', 2500);
  expect(first.built).toBe(true);
  snapshot = first.manifest;
});
afterAll(() => s?.cleanup());

const input =
  (runId: string, targetSize = TARGET) =>
  async () => ({
    runId,
    snapshot,
    model: model.model,
    calibration: model.calibration,
    excludedIds: await modelExclusions(s.ws, model),
    targetSize,
  });

describe('universe snapshots', () => {
  it('shards the whole universe in ID order and is built once per data and spec', async () => {
    expect(snapshot.rows).toBe(12_000);
    expect(snapshot.shards.map((x) => x.rows)).toEqual([2500, 2500, 2500, 2500, 2000]);
    expect(snapshot.shards.map((x) => x.firstRow)).toEqual([0, 2500, 5000, 7500, 10_000]);
    // A second model on the same data and spec finds the snapshot: nothing is rebuilt.
    const other = await trainLookalike(s.ws, {
      universe: 'third_party',
      backend: 'wasm',
      bootstrap: 50,
      minSeedSize: 20,
      architectures: { logistic: {} },
      seed: { kind: 'members', memberIds: personaMembers(s, 'gourmet_drinker') },
      randomSeed: 9,
    });
    const again = await ensureSnapshot(s.ws, other.model.spec, 'third_party', 2500);
    expect(again.built).toBe(false);
    expect(again.manifest.key).toBe(snapshot.key);
    expect(again.manifest.createdAt).toBe(snapshot.createdAt);
  });
});

describe('sharded scoring', () => {
  it('finds the members scoreUniverse ranks first, with the same scores, and a frontier within a bin', async () => {
    const local = await scoreSnapshotLocally(
      s.ws.artifacts,
      await input('run_inproc')(),
      inProcessSteps(s.ws.artifacts),
    );
    const scored = await scoreUniverse(s.ws, model);
    try {
      expect(local.cut.scored).toBe(scored.size);
      expect(local.members.ids).toEqual(await scored.ids(0, TARGET));
      expect([...local.members.scores]).toEqual(
        Array.from(scored.sorted.subarray(0, TARGET), (z) => Math.fround(sigmoid(z))),
      );
      expect([...local.members.ranks]).toEqual(Array.from({ length: TARGET }, (_, i) => i + 1));
      const exact = new Frontier(scored.sorted, buildCalibration(model.calibration));
      const ours = local.cut.frontier;
      expect(ours.summary.universeSize).toBe(exact.summary.universeSize);
      expect(ours.target.size).toBe(TARGET);
      // Bins span under 0.8% of a logit: the estimates move by little.
      expect(Math.abs(ours.target.expectedPrecision - exact.at(TARGET).expectedPrecision)).toBeLessThan(0.02);
      expect(Math.abs(ours.summary.positiveShare - exact.summary.positiveShare)).toBeLessThan(0.01);
      // Above the top list the frontier is exact.
      expect(ours.points.find((p) => p.size === 1)).toEqual(exact.at(1));
    } finally {
      await scored.close();
    }
  });

  it('gives the same frontier and members in worker threads as in process', async () => {
    const a = await scoreSnapshotLocally(
      s.ws.artifacts,
      await input('run_a', 700)(),
      inProcessSteps(s.ws.artifacts),
    );
    const pool = new WorkerPool({ size: 2 });
    try {
      const b = await scoreSnapshotLocally(
        s.ws.artifacts,
        await input('run_b', 700)(),
        poolSteps(pool, s.ws.artifacts.root),
      );
      expect(b.cut).toEqual(a.cut);
      expect(b.members).toEqual(a.members);
    } finally {
      await pool.close();
    }
  });

  it('retries a shard that fails once and reports it; a shard that never reads fails the run', async () => {
    const steps = inProcessSteps(s.ws.artifacts);
    let failed = false;
    const flaky: StepRunner = async (msg) => {
      if (msg.pass === 1 && msg.shard === 3 && !failed) {
        failed = true;
        throw new Error('connection reset');
      }
      await steps(msg);
    };
    const a = await scoreSnapshotLocally(s.ws.artifacts, await input('run_flaky', 700)(), flaky);
    const b = await scoreSnapshotLocally(s.ws.artifacts, await input('run_clean', 700)(), steps);
    expect(a.members).toEqual(b.members);
    // A run ID names its results: planning it again is refused, never mixed.
    await expect(planRun(s.ws.artifacts, await input('run_clean', 700)())).rejects.toThrow(
      'scale run "run_clean" already exists: choose a new run id',
    );
    expect(await runStatus(s.ws.artifacts, 'run_flaky')).toMatchObject({
      state: 'completed',
      shards: 5,
      pass1Done: 5,
      pass2Done: 5,
      failedAttempts: 1,
      dead: [],
    });

    // A truncated shard file: every attempt fails with the reason; the run is failed.
    const key = shardCsrKey(snapshot.key, 2);
    const good = (await s.ws.artifacts.get(key))!;
    await s.ws.artifacts.put(key, good.subarray(0, good.length - 8));
    try {
      await expect(scoreSnapshotLocally(s.ws.artifacts, await input('run_broken')(), steps)).rejects.toThrow(
        /shard 2 \(pass 1\) of run run_broken failed 3 times: .*has \d+ bytes but its header describes \d+ \(truncated\?\)/,
      );
      const status = await runStatus(s.ws.artifacts, 'run_broken');
      expect(status.state).toBe('failed');
      expect(status.failedAttempts).toBe(2);
      expect(status.dead).toHaveLength(1);
      expect(status.dead[0]).toMatchObject({ pass: 1, shard: 2 });
    } finally {
      await s.ws.artifacts.put(key, good);
    }
    expect(CorruptFileError.name).toBe('CorruptFileError');
  });

  it('redoes a step whose result a machine crash cut short (results are not flushed to disk)', async () => {
    const store = s.ws.artifacts;
    await scoreSnapshotLocally(store, await input('run_crash', 700)(), inProcessSteps(store));
    const summary = 'scale-runs/run_crash/pass1/00001.bin';
    const logits = 'scale-runs/run_crash/logits/00003.bin';
    const picked = 'scale-runs/run_crash/pass2/00003.bin';
    const before = {
      summary: await store.get(summary),
      logits: await store.get(logits),
      picked: await store.get(picked),
    };
    expect(await runShardPass(store, { runId: 'run_crash', pass: 1, shard: 0 })).toBe(false);
    await store.put(summary, new Uint8Array(0));
    await store.put(logits, before.logits!.subarray(0, 100));
    await store.delete(picked);
    expect(await runShardPass(store, { runId: 'run_crash', pass: 1, shard: 1 })).toBe(true);
    expect(await store.get(summary)).toEqual(before.summary);
    // Pass 2 finds its shard's logits cut short and has pass 1 write them again first.
    expect(await runShardPass(store, { runId: 'run_crash', pass: 2, shard: 3 })).toBe(true);
    expect(await store.get(logits)).toEqual(before.logits);
    expect(await store.get(picked)).toEqual(before.picked);
  });
});

describe('the lookalike.scoreSnapshot operation', () => {
  it('scores from the existing snapshot as a job with progress by shard, and reports the run', async () => {
    const progress: string[] = [];
    const ctx = { ws: s.ws, needModelsDir: '', progress: (_f: number, m: string) => void progress.push(m) };
    const out = await scoreSnapshotOp.run(
      ctx,
      parseInput(scoreSnapshotOp, { modelId: model.manifest.id, size: 300, runId: 'run_op' }),
    );
    expect(scoreSnapshotOp.long).toBe(true);
    expect(out.snapshot).toEqual({ key: snapshot.key, rows: 12_000, shards: 5, built: false });
    expect(out.size).toBe(300);
    expect(out.status).toMatchObject({
      state: 'completed',
      pass1Done: 5,
      pass2Done: 5,
      failedAttempts: 0,
      dead: [],
    });
    expect(progress).toContain('pass 1: 5 of 5 shards');
    expect(progress).toContain('pass 2: 5 of 5 shards');
    expect(await scoreRunStatusOp.run(ctx, parseInput(scoreRunStatusOp, { runId: 'run_op' }))).toEqual(
      out.status,
    );
    await expect(
      scoreSnapshotOp.run(ctx, parseInput(scoreSnapshotOp, { modelId: 'lm_nope', size: 10 })),
    ).rejects.toThrow(/lm_nope/);
    expect(() => parseInput(scoreSnapshotOp, { modelId: model.manifest.id, size: 0 })).toThrow(/size/);
  });
});
