/**
 * Starting a model's snapshot scoring on Cloudflare (Workers + Queues + R2) from the machine that
 * holds the workspace: the snapshot is found (or built once for the data version and spec) and
 * copied to the run's store, the run is planned there, and the pass 1 messages are sent to the
 * shard queue. The Queue consumers do the rest; `lookalike.scoreRunStatus` on a store synced back
 * (or the Worker's logs) follows it. The same rules as `lookalike.scoreSnapshot` (size, shard
 * rows, the model's exclusions); only the executor differs.
 *
 * Where the files go and how messages are sent are the runtime's: the CLI passes a `cloud`
 * target (a folder synced to the R2 bucket, Cloudflare's HTTP API for Queues).
 */
import { type QueueSenderLike, type ShardMessage, startCloudRun } from '../../scale/index.ts';
import { AppError } from '../../schema/index.ts';
import type { ArtifactStore } from '../../store/artifacts.ts';
import { defineOp, type OpContext, wsOf } from '../operation.ts';
import { planSnapshotRun, ScoreSnapshotInput } from './score-snapshot.ts';

/** Where a Cloudflare run's files go and how its messages are sent. */
export interface CloudTarget {
  /** The R2 bucket, or a folder laid out like it (`<folder>/<key>`) that is synced to it. */
  store: ArtifactStore;
  /** The shard queue; null stages the run without sending (send after the folder is synced). */
  queue: QueueSenderLike<ShardMessage> | null;
  /** Where the store is, for messages (a folder path or an R2 bucket name). */
  describe: string;
}

/** A context with a Cloudflare target: the CLI's, for this operation. */
export interface CloudOpContext extends OpContext {
  cloud?: CloudTarget;
}

/** The same input, defaults and limits as `lookalike.scoreSnapshot`. */
export const ScoreCloudInput = ScoreSnapshotInput;

export const scoreCloudOp = defineOp({
  name: 'lookalike.scoreCloud',
  summary: 'Start scoring a model’s universe snapshot on Cloudflare (upload to R2, plan, enqueue the shards)',
  input: ScoreCloudInput,
  roles: ['data_scientist'],
  long: false,
  // Writes the bucket folder and sends with the operator's Cloudflare token: never over HTTP.
  localOnly: true,
  run: async (ctx: CloudOpContext, input) => {
    const ws = wsOf(ctx);
    const cloud = ctx.cloud;
    if (!cloud) {
      throw new AppError(
        'unavailable',
        'starting a Cloudflare run needs a target (R2 bucket folder and queue): run it from the CLI',
        503,
      );
    }
    const { plan, snapshot } = await planSnapshotRun(ctx, input);
    ctx.progress(0.5, `uploading to ${cloud.describe}`);
    const runId = plan.runId;
    const started = await startCloudRun(ws.artifacts, cloud.store, plan, cloud.queue);
    return {
      runId,
      target: cloud.describe,
      snapshot,
      upload: started.upload,
      messages: started.messages.length,
      sent: started.sent,
      members: `scale-runs/${runId}/members.arrow`,
    };
  },
});
