/**
 * Starting a Cloudflare run from outside the Worker: the snapshot is copied from the workspace's
 * artifact store to the run's store (R2, or a folder later synced to R2), the run is planned
 * there, and the pass 1 messages go to the shard queue, here through Cloudflare's HTTP API for
 * Queues. The Queue consumers (`queue.ts`) then run exactly as for a run the Worker started.
 * Pure TypeScript (`fetch` is injected), so Node, tests and workerd share it.
 */
import type { ArtifactStore } from '../store/artifacts.ts';
import { type QueueSenderLike, sendAll } from './queue.ts';
import { messagesFor, type PlanRunInput, planRun, readPlan, type ShardMessage } from './run.ts';
import { readSnapshotManifest, SNAPSHOT_PREFIX, type SnapshotManifest } from './snapshot.ts';

export interface SnapshotUpload {
  /** Files copied (0 when the target already held the complete snapshot). */
  files: number;
  bytes: number;
  /** The target already held this snapshot (its manifest): nothing was copied. */
  reused: boolean;
}

/**
 * Copies a snapshot's files to `to`, the manifest last, so a reader of the target never sees a
 * manifest before the shards it lists. A snapshot whose manifest the target already holds is
 * complete there (snapshot keys name the data version, spec and format) and is not copied again.
 *
 * @throws Error when a file the manifest lists is missing from `from`.
 */
export async function uploadSnapshot(
  from: ArtifactStore,
  to: ArtifactStore,
  manifest: SnapshotManifest,
): Promise<SnapshotUpload> {
  if (await readSnapshotManifest(to, manifest.key)) return { files: 0, bytes: 0, reused: true };
  const dir = `${SNAPSHOT_PREFIX}/${manifest.key}/`;
  const keys = await from.list(dir);
  const manifestKey = `${dir}manifest.json`;
  if (!keys.includes(manifestKey))
    throw new Error(`snapshot ${manifest.key} has no manifest in the source store`);
  let bytes = 0;
  for (const key of [...keys.filter((k) => k !== manifestKey), manifestKey]) {
    const data = await from.get(key);
    if (!data) throw new Error(`snapshot file ${key} disappeared while it was copied`);
    await to.put(key, data);
    bytes += data.byteLength;
  }
  return { files: keys.length, bytes, reused: false };
}

export interface CloudRunStart {
  upload: SnapshotUpload;
  /** The pass 1 messages, one per shard (sent when a queue was given). */
  messages: ShardMessage[];
  sent: boolean;
}

/**
 * Uploads the run's snapshot to `to`, plans the run there and, with a queue, sends its pass 1
 * messages. Without a queue the run is staged only: send `messages` once `to` has reached R2
 * (a synced folder), or the consumers would find no files and retry into the dead letter queue.
 */
export async function startCloudRun(
  from: ArtifactStore,
  to: ArtifactStore,
  input: PlanRunInput,
  queue: QueueSenderLike<ShardMessage> | null,
): Promise<CloudRunStart> {
  const upload = await uploadSnapshot(from, to, input.snapshot);
  const messages = await planRun(to, input);
  if (queue) await sendAll(queue, messages);
  return { upload, messages, sent: queue !== null };
}

/**
 * Sends the pass 1 messages of a run staged in `store` (planned there without a queue), once its
 * files have reached R2. Resending is harmless: steps whose results exist are skipped.
 *
 * @returns the number of messages sent.
 * @throws NotFoundError when `store` holds no plan for `runId`.
 */
export async function sendStagedRun(
  store: ArtifactStore,
  runId: string,
  queue: QueueSenderLike<ShardMessage>,
): Promise<number> {
  const messages = messagesFor(await readPlan(store, runId), 1);
  await sendAll(queue, messages);
  return messages.length;
}

export interface HttpQueueOptions {
  accountId: string;
  queueId: string;
  /** An API token with Queues Edit permission. */
  token: string;
  /** Default `globalThis.fetch`; tests pass their own. */
  fetch?: typeof fetch;
  /** Default https://api.cloudflare.com/client/v4. */
  apiBase?: string;
}

/**
 * A queue sender over Cloudflare's HTTP API for Queues (`POST /accounts/{account}/queues/{queue}/
 * messages/batch`, JSON bodies): what a producer outside Workers uses. `sendAll` keeps each call
 * within the API's 100 messages.
 *
 * @throws Error naming the HTTP status and Cloudflare's error messages when a batch is refused.
 */
export function httpQueueSender(options: HttpQueueOptions): QueueSenderLike<ShardMessage> {
  const base = options.apiBase ?? 'https://api.cloudflare.com/client/v4';
  const url = `${base}/accounts/${encodeURIComponent(options.accountId)}/queues/${encodeURIComponent(options.queueId)}/messages/batch`;
  const doFetch = options.fetch ?? globalThis.fetch;
  return {
    async sendBatch(messages) {
      const res = await doFetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          messages: [...messages].map((m) => ({ body: m.body, content_type: 'json' })),
        }),
      });
      if (res.ok) return;
      const text = await res.text();
      let detail = text.slice(0, 300);
      try {
        const errors = (JSON.parse(text) as { errors?: { message?: string }[] }).errors ?? [];
        if (errors.length) detail = errors.map((e) => e.message).join('; ');
      } catch {
        // Not JSON: keep the text.
      }
      throw new Error(`the Queues API refused the shard messages (HTTP ${res.status}): ${detail}`);
    },
  };
}
