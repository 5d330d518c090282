/**
 * @module adapters
 * Node implementations of the ports in `schema/ports.ts` and of the needs layer's ports: the
 * worker-thread pool and the task table its threads run, the need file store, MeCab as a
 * tokenizer, tar archives. Only `src/entry` (and tests) import this module.
 *
 * @example
 * const pool = new WorkerPool({ size: 2 });
 * const jobs = new JobQueue(store, opJobs(OPERATIONS, { ws, runner: pool, needModelsDir }));
 */
export { localFiles } from './local-files.ts';
export type { MecabInfo } from './mecab.ts';
export { findMecab, resolveTokenizer, tokenizeMecab } from './mecab.ts';
export { nodeNeedFiles } from './need-files.ts';
export { poolSteps } from './scale-steps.ts';
export type { TarEntry } from './tar.ts';
export { readLivedoor, readTar } from './tar.ts';
export { folderUploads } from './uploads.ts';
export type { WorkerPoolOptions } from './worker-pool.ts';
export { WorkerPool } from './worker-pool.ts';
