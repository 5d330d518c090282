/**
 * @module jobs
 * Long work off the request path: a persisted job queue with progress, cancellation and
 * restart recovery, and a worker-thread pool for CPU-heavy tasks.
 *
 * @example
 * const queue = new JobQueue(await DuckDbJobStore.open(ws.db), { 'train-model': handler });
 * await queue.recover();
 * const job = await queue.submit('train-model', { seed: 1 }, 'key_abc');
 */

export { DuckDbJobStore } from './duckdb-store.ts';
export type { DomainJobOptions, NeedsTrainParams, NeedsTrainResult } from './handlers.ts';
export {
  audienceJob,
  DOMAIN_JOBS,
  domainJobs,
  lookalikeJob,
  needsTrainJob,
  poolTrainer,
  segmentationJob,
} from './handlers.ts';
export type { Job, JobContext, JobHandler, JobProgress, JobState, JobStore } from './job.ts';
export { defineJob, interruptedJob, isFinished, JOB_STATES } from './job.ts';
export { MemoryJobStore } from './memory-store.ts';
export { JobCancelledError, JobQueue } from './queue.ts';
export { WorkerPool } from './worker-pool.ts';

/** The worker script of the default pool. */
export const WORKER_SCRIPT = new URL('./worker-main.ts', import.meta.url);
