/**
 * Driving a run to its end in one process: every shard's pass 1 through a step runner (worker
 * threads on the Node server: `adapters/scale-steps.ts`; in-process in tests), the merge, every
 * shard's pass 2, then the members. The steps are the ones Queue consumers run on Cloudflare
 * (`queue.ts`), so both executors write the same files. Pure TypeScript.
 */
import { InvalidInputError, throwIfAborted } from '../schema/index.ts';
import type { ArtifactStore } from '../store/artifacts.ts';
import {
  assembleMembers,
  mergePass1,
  messagesFor,
  type PlanRunInput,
  planRun,
  type RunCut,
  type RunMembers,
  readPlan,
  recordAttempt,
  recordDead,
  runShardPass,
  type ShardMessage,
} from './run.ts';

/** Runs one shard step somewhere (a worker thread, this thread). */
export type StepRunner = (msg: ShardMessage) => Promise<void>;

/** A step runner on this thread. */
export const inProcessSteps =
  (store: ArtifactStore): StepRunner =>
  async (msg) => {
    await runShardPass(store, msg);
  };

export interface LocalRunOptions {
  /** Tries per shard step before the run fails (default 3, as the Queue's retries). */
  maxAttempts?: number;
  /** Shards done of the pass. */
  onProgress?: (fraction: number, message: string) => void;
  signal?: AbortSignal;
}

export interface LocalRunResult {
  cut: RunCut;
  members: RunMembers;
  seconds: { pass1: number; merge: number; pass2: number; members: number };
}

async function withRetries(
  store: ArtifactStore,
  run: StepRunner,
  msg: ShardMessage,
  maxAttempts: number,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await run(msg);
      return;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (attempt >= maxAttempts) {
        await recordDead(store, msg, message);
        throw new Error(
          `shard ${msg.shard} (pass ${msg.pass}) of run ${msg.runId} failed ${attempt} times: ${message}`,
        );
      }
      await recordAttempt(store, msg, attempt, message);
    }
  }
}

async function pass(
  store: ArtifactStore,
  run: StepRunner,
  msgs: readonly ShardMessage[],
  options: LocalRunOptions,
): Promise<void> {
  let done = 0;
  await Promise.all(
    msgs.map(async (m) => {
      throwIfAborted(options.signal, 'scoring');
      await withRetries(store, run, m, options.maxAttempts ?? 3);
      done++;
      options.onProgress?.(done / msgs.length, `pass ${m.pass}: ${done} of ${msgs.length} shards`);
    }),
  );
}

/**
 * Runs a planned run to its members with `run` doing the shard steps (all at once: the runner
 * bounds how many run in parallel, as the worker pool does).
 *
 * @throws Error when a shard step fails `maxAttempts` times (recorded under `dead/`).
 */
export async function executeRun(
  store: ArtifactStore,
  runId: string,
  run: StepRunner,
  options: LocalRunOptions = {},
): Promise<LocalRunResult> {
  const plan = await readPlan(store, runId);
  const t0 = performance.now();
  await pass(store, run, messagesFor(plan, 1), options);
  const t1 = performance.now();
  const cut = await mergePass1(store, runId);
  const t2 = performance.now();
  await pass(store, run, messagesFor(plan, 2), options);
  const t3 = performance.now();
  const members = await assembleMembers(store, runId);
  const t4 = performance.now();
  return {
    cut,
    members,
    seconds: {
      pass1: (t1 - t0) / 1000,
      merge: (t2 - t1) / 1000,
      pass2: (t3 - t2) / 1000,
      members: (t4 - t3) / 1000,
    },
  };
}

/**
 * Plans and runs a scoring run locally.
 *
 * @example
 * const { cut, members } = await scoreSnapshotLocally(store, { runId, snapshot, model, calibration, excludedIds, targetSize: 10_000 }, steps);
 */
export async function scoreSnapshotLocally(
  store: ArtifactStore,
  input: PlanRunInput,
  run: StepRunner,
  options: LocalRunOptions = {},
): Promise<LocalRunResult> {
  if (input.snapshot.shards.length === 0) throw new InvalidInputError('the snapshot has no rows', 'snapshot');
  await planRun(store, input);
  return executeRun(store, input.runId, run, options);
}
