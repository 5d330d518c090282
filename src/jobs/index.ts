/**
 * @module jobs
 * Long work off the request path: a persisted job queue with progress, cancellation and
 * restart recovery; CPU-heavy steps go to a `TaskRunner` (the Node one is `adapters/WorkerPool`).
 *
 * @example
 * const queue = new JobQueue(await DuckDbJobStore.open(ws.db), { 'train-model': handler });
 * await queue.recover();
 * const job = await queue.submit('train-model', { seed: 1 }, 'key_abc');
 */

export { DuckDbJobStore } from './duckdb-store.ts';
export type { Job, JobContext, JobHandler, JobListOptions, JobProgress, JobState, JobStore } from './job.ts';
export { defineJob, interruptedJob, isFinished, JOB_STATES } from './job.ts';
export { MemoryJobStore } from './memory-store.ts';
export type { OpJobBase } from './op-jobs.ts';
export { cancellingProgress, opJobs } from './op-jobs.ts';
export { JobQueue } from './queue.ts';
