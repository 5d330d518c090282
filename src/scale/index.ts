/**
 * @module scale
 * Scoring universes too large to rebuild per model: snapshots of a universe's feature rows as
 * CSR shards in the artifact store, and scoring runs that map the one lookalike kernel over the
 * shards (worker threads locally, Queue consumers on Cloudflare), merge per-shard histograms
 * into one frontier and cut, and write the audience in a second pass.
 *
 * @example
 * const { manifest } = await ensureSnapshot(ws, model.model.spec, 'third_party');
 * const { cut, members } = await scoreSnapshotLocally(ws.artifacts, {
 *   runId, snapshot: manifest, model: model.model, calibration: model.calibration,
 *   excludedIds: await modelExclusions(ws, model), targetSize: 10_000,
 * }, steps);
 */
export type { EnsureSnapshotResult } from './build.ts';
export { ensureSnapshot, modelExclusions } from './build.ts';
export type { CloudRunStart, HttpQueueOptions, SnapshotUpload } from './cloud-start.ts';
export { httpQueueSender, sendStagedRun, startCloudRun, uploadSnapshot } from './cloud-start.ts';
export { CorruptFileError, decodeColumns, encodeColumns } from './columns-file.ts';
export type { LocalRunOptions, LocalRunResult, StepRunner } from './executor.ts';
export { executeRun, inProcessSteps, scoreSnapshotLocally } from './executor.ts';
export type { ConsumeOptions, MessageBatchLike, QueueMessageLike, QueueSenderLike } from './queue.ts';
export { consumeDeadLetters, consumeShardBatch, startQueuedRun } from './queue.ts';
export { RankedHistogram } from './ranked-histogram.ts';
export type { PlanRunInput, RunCut, RunMembers, RunPlan, RunStatus, ShardMessage } from './run.ts';
export {
  assembleMembers,
  mergePass1,
  planRun,
  RUN_PREFIX,
  readCut,
  readPlan,
  readRunMembers,
  runShardPass,
  runStatus,
  TOP_LIST,
} from './run.ts';
export { BINS, keyOf, logitOf } from './score-keys.ts';
export type { CodedCsr } from './shard-codec.ts';
export { decodeShard, encodeShardColumns, MAX_CODES, shardLogits } from './shard-codec.ts';
export type { Shard, ShardEntry, SnapshotManifest, SnapshotSource } from './snapshot.ts';
export {
  DEFAULT_SHARD_ROWS,
  readShard,
  readShardCoded,
  readShardIds,
  readSnapshotManifest,
  SNAPSHOT_FORMAT,
  SNAPSHOT_PREFIX,
  snapshotKey,
  specHash,
  writeSnapshot,
} from './snapshot.ts';
export { snapshotLogits } from './stored-logits.ts';
