/**
 * The Cloudflare executor's portable half: a producer sends one message per shard; a consumer
 * runs each message's step, and whoever completes a pass's last shard merges (pass 1: the
 * frontier and the cut, then the pass 2 messages) or assembles the members (pass 2). Failures
 * are recorded and retried with a delay; messages that exhaust their retries reach the dead
 * letter queue, whose consumer marks the run failed. Only the Worker entry binds these to real
 * Queues and R2. Pure TypeScript.
 *
 * Two consumers may both see a pass complete and both merge: every step writes the same bytes
 * whoever runs it, so the second merge (and its duplicate pass 2 messages) changes nothing.
 */
import type { ArtifactStore } from '../store/artifacts.ts';
import {
  assembleMembers,
  mergePass1,
  messagesFor,
  type PlanRunInput,
  planRun,
  RUN_PREFIX,
  readPlan,
  recordAttempt,
  recordDead,
  runKey,
  runShardPass,
  type ShardMessage,
} from './run.ts';

/** The parts of a Queue message the consumer uses. */
export interface QueueMessageLike<T> {
  readonly body: T;
  readonly attempts: number;
  ack(): void;
  retry(options?: { delaySeconds?: number }): void;
}

export interface MessageBatchLike<T> {
  readonly queue: string;
  readonly messages: readonly QueueMessageLike<T>[];
}

/** The producer side of a Queue binding. */
export interface QueueSenderLike<T> {
  sendBatch(messages: Iterable<{ body: T }>): Promise<unknown>;
}

/** Cloudflare's limit on messages per `sendBatch` (the HTTP producer sends batches of the same size). */
const SEND_BATCH = 100;

export async function sendAll(
  queue: QueueSenderLike<ShardMessage>,
  msgs: readonly ShardMessage[],
): Promise<void> {
  for (let i = 0; i < msgs.length; i += SEND_BATCH) {
    await queue.sendBatch(msgs.slice(i, i + SEND_BATCH).map((body) => ({ body })));
  }
}

/**
 * Producer: writes the run's plan and enqueues one pass 1 message per shard.
 *
 * @returns the number of messages sent.
 */
export async function startQueuedRun(
  store: ArtifactStore,
  queue: QueueSenderLike<ShardMessage>,
  input: PlanRunInput,
): Promise<number> {
  const msgs = await planRun(store, input);
  await sendAll(queue, msgs);
  return msgs.length;
}

function isShardMessage(body: unknown): body is ShardMessage {
  const m = body as ShardMessage;
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.runId === 'string' &&
    (m.pass === 1 || m.pass === 2) &&
    Number.isInteger(m.shard)
  );
}

/** After a step: if its pass is complete, merge (pass 1) or assemble (pass 2). */
async function advance(
  store: ArtifactStore,
  queue: QueueSenderLike<ShardMessage>,
  msg: ShardMessage,
): Promise<void> {
  const plan = await readPlan(store, msg.runId);
  const dir = runKey(msg.runId, `pass${msg.pass}/`);
  const done = (await store.list(dir)).length;
  if (done < plan.shards) return;
  const keys = await store.list(`${RUN_PREFIX}/${msg.runId}/`);
  if (msg.pass === 1) {
    if (keys.includes(runKey(msg.runId, 'cut.json'))) return;
    await mergePass1(store, msg.runId);
    await sendAll(queue, messagesFor(plan, 2));
  } else if (!keys.includes(runKey(msg.runId, 'members.arrow'))) {
    await assembleMembers(store, msg.runId);
  }
}

export interface ConsumeOptions {
  /** Delay before a failed message is delivered again. Default 5 s. */
  retryDelaySeconds?: number;
  /** Logs a failure (the Worker's console). */
  log?: (line: string) => void;
}

/**
 * Consumer of the shard queue: runs each message's step, records failures and retries them.
 * A malformed message is acknowledged and logged (retrying cannot fix it).
 */
export async function consumeShardBatch(
  store: ArtifactStore,
  queue: QueueSenderLike<ShardMessage>,
  batch: MessageBatchLike<unknown>,
  options: ConsumeOptions = {},
): Promise<void> {
  for (const message of batch.messages) {
    const body = message.body;
    if (!isShardMessage(body)) {
      options.log?.(`scale: dropped a malformed message on ${batch.queue}: ${JSON.stringify(body)}`);
      message.ack();
      continue;
    }
    try {
      await runShardPass(store, body);
      await advance(store, queue, body);
      message.ack();
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      options.log?.(
        `scale: run ${body.runId} pass ${body.pass} shard ${body.shard} attempt ${message.attempts} failed: ${error}`,
      );
      await recordAttempt(store, body, message.attempts, error).catch(() => undefined);
      message.retry({ delaySeconds: options.retryDelaySeconds ?? 5 });
    }
  }
}

/** Consumer of the dead letter queue: marks each shard's run failed. */
export async function consumeDeadLetters(
  store: ArtifactStore,
  batch: MessageBatchLike<unknown>,
): Promise<void> {
  for (const message of batch.messages) {
    const body = message.body;
    if (isShardMessage(body)) {
      await recordDead(store, body, `ran out of retries on the shard queue (moved to ${batch.queue})`);
    }
    message.ack();
  }
}
