/**
 * Starting a Cloudflare run from outside: the operation copies the snapshot (manifest last) and
 * the plan to an R2-like store and sends the pass 1 messages; Queue consumers over that store then
 * produce the very cut and members file the local executor writes for the same run. A staged run
 * is sent later; the HTTP producer speaks Cloudflare's Queues API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueFrom } from '../../src/entry/commands/cloud.ts';
import type { LookalikeModel } from '../../src/lookalike/index.ts';
import { type CloudOpContext, parseInput, scoreCloudOp } from '../../src/ops/index.ts';
import {
  consumeShardBatch,
  ensureSnapshot,
  httpQueueSender,
  inProcessSteps,
  modelExclusions,
  type QueueSenderLike,
  readCut,
  readRunMembers,
  type ShardMessage,
  SNAPSHOT_PREFIX,
  scoreSnapshotLocally,
  sendStagedRun,
} from '../../src/scale/index.ts';
import { sendAll } from '../../src/scale/queue.ts';
import { MemoryArtifactStore } from '../../src/store/artifacts.ts';
import { personaModel, type SampleWs, sampleWorkspace } from '../lookalike/helpers.ts';

let s: SampleWs;
let model: LookalikeModel;

beforeAll(async () => {
  s = await sampleWorkspace({ members: 1200, universe: 9_000, months: 4, seed: 11 });
  model = await personaModel(s, 'busy_family', { randomSeed: 5, bootstrap: 50 });
});
afterAll(() => s?.cleanup());

/** A queue that keeps what it is sent. */
function memoryQueue(): QueueSenderLike<ShardMessage> & { sent: ShardMessage[]; calls: number } {
  const q = {
    sent: [] as ShardMessage[],
    calls: 0,
    async sendBatch(messages: Iterable<{ body: ShardMessage }>) {
      q.calls++;
      for (const m of messages) q.sent.push(m.body);
    },
  };
  return q;
}

/** Delivers queued messages to the consumer until the queue is empty (pass 2 messages included). */
async function drain(store: MemoryArtifactStore, queue: ReturnType<typeof memoryQueue>): Promise<number> {
  let delivered = 0;
  while (queue.sent.length) {
    const body = queue.sent.shift()!;
    let acked = false;
    await consumeShardBatch(store, queue, {
      queue: 'lookalike-scale-shards',
      messages: [
        {
          body,
          attempts: 1,
          ack: () => {
            acked = true;
          },
          retry: () => undefined,
        },
      ],
    });
    expect(acked).toBe(true);
    delivered++;
  }
  return delivered;
}

/** A store that records the order of its writes. */
class RecordingStore extends MemoryArtifactStore {
  readonly order: string[] = [];
  override async put(key: string, data: Uint8Array | string): Promise<void> {
    this.order.push(key);
    await super.put(key, data);
  }
}

const ctxWith = (cloud: CloudOpContext['cloud']): CloudOpContext => ({
  ws: s.ws,
  cloud,
  needModelsDir: '/nonexistent',
  progress: () => undefined,
});

describe('starting a Cloudflare run from outside', () => {
  it('uploads the snapshot (manifest last) and plan, and the queue consumers match the local executor', async () => {
    const bucket = new RecordingStore();
    const queue = memoryQueue();
    const input = parseInput(scoreCloudOp, { modelId: model.manifest.id, size: 600, shardRows: 2000 });
    const r = await scoreCloudOp.run(ctxWith({ store: bucket, queue, describe: 'memory' }), {
      ...input,
      runId: 'run_cloud',
    });
    expect(r.snapshot).toMatchObject({ rows: 9000, shards: 5 });
    expect(r.messages).toBe(5);
    expect(r.sent).toBe(true);
    expect(queue.sent.map((m) => [m.pass, m.shard])).toEqual([0, 1, 2, 3, 4].map((i) => [1, i]));
    // Every snapshot file, each shard's features and IDs, then the manifest.
    const snap = r.snapshot.key;
    const snapWrites = bucket.order.filter((k) => k.startsWith(`${SNAPSHOT_PREFIX}/${snap}/`));
    expect(r.upload).toMatchObject({ files: 11, reused: false });
    expect(snapWrites).toHaveLength(11);
    expect(snapWrites.at(-1)).toBe(`${SNAPSHOT_PREFIX}/${snap}/manifest.json`);
    let bytes = 0;
    for (const k of snapWrites) {
      const src = await s.ws.artifacts.get(k);
      expect(await bucket.get(k)).toEqual(src);
      bytes += src!.byteLength;
    }
    expect(r.upload.bytes).toBe(bytes);

    // 5 pass 1 steps, then the merge sends 5 pass 2 steps.
    expect(await drain(bucket, queue)).toBe(10);
    const { manifest } = await ensureSnapshot(s.ws, model.model.spec, 'third_party', 2000);
    const local = await scoreSnapshotLocally(
      s.ws.artifacts,
      {
        runId: 'run_cloud',
        snapshot: manifest,
        model: model.model,
        calibration: model.calibration,
        excludedIds: await modelExclusions(s.ws, model),
        targetSize: 600,
        frontierSteps: 50,
      },
      inProcessSteps(s.ws.artifacts),
    );
    expect(local.members.ids).toHaveLength(600);
    expect(await readCut(bucket, 'run_cloud')).toEqual(await readCut(s.ws.artifacts, 'run_cloud'));
    const members = await readRunMembers(bucket, 'run_cloud');
    expect(members).not.toBeNull();
    expect(members).toEqual(await readRunMembers(s.ws.artifacts, 'run_cloud'));
  });

  it('reuses a snapshot the target already holds, and a staged run is sent later', async () => {
    const bucket = new RecordingStore();
    const base = parseInput(scoreCloudOp, { modelId: model.manifest.id, size: 300, shardRows: 2000 });
    const first = await scoreCloudOp.run(ctxWith({ store: bucket, queue: memoryQueue(), describe: 'm' }), {
      ...base,
      runId: 'run_a',
    });
    expect(first.upload.reused).toBe(false);
    const writes = bucket.order.length;
    const staged = await scoreCloudOp.run(ctxWith({ store: bucket, queue: null, describe: 'm' }), {
      ...base,
      runId: 'run_b',
    });
    expect(staged.upload).toEqual({ files: 0, bytes: 0, reused: true });
    expect(staged.sent).toBe(false);
    // Only the run's own files were written the second time.
    expect(bucket.order.slice(writes).every((k) => k.startsWith('scale-runs/run_b/'))).toBe(true);
    const queue = memoryQueue();
    expect(await sendStagedRun(bucket, 'run_b', queue)).toBe(5);
    expect(queue.sent.every((m) => m.runId === 'run_b' && m.pass === 1)).toBe(true);
    await drain(bucket, queue);
    expect((await readRunMembers(bucket, 'run_b'))?.byteLength).toBeGreaterThan(0);
  });

  it('needs a target: elsewhere than the CLI it answers 503', async () => {
    const input = parseInput(scoreCloudOp, { modelId: model.manifest.id });
    await expect(scoreCloudOp.run(ctxWith(undefined), input)).rejects.toThrow('run it from the CLI');
    expect(scoreCloudOp.localOnly).toBe(true);
  });
});

describe('HTTP producer (Cloudflare Queues API)', () => {
  const msgs = (n: number): ShardMessage[] =>
    Array.from({ length: n }, (_, i) => ({ runId: 'r1', pass: 1, shard: i }));

  it('posts batches of at most 100 JSON messages with the token', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const fetchFake = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response('{"success":true}', { status: 200 });
    }) as unknown as typeof fetch;
    const queue = httpQueueSender({ accountId: 'acc1', queueId: 'q9', token: 'tok', fetch: fetchFake });
    // The producers' batching (startQueuedRun, sendStagedRun) over 150 messages: 100 + 50.
    await sendAll(queue, msgs(150));
    expect(calls.map((c) => c.url)).toEqual(
      Array(2).fill('https://api.cloudflare.com/client/v4/accounts/acc1/queues/q9/messages/batch'),
    );
    expect(calls[0]!.init.method).toBe('POST');
    expect((calls[0]!.init.headers as Record<string, string>).authorization).toBe('Bearer tok');
    const body = JSON.parse(calls[1]!.init.body as string) as {
      messages: { body: ShardMessage; content_type: string }[];
    };
    expect(body.messages).toHaveLength(50);
    expect(body.messages[0]).toEqual({ body: { runId: 'r1', pass: 1, shard: 100 }, content_type: 'json' });
  });

  it('reports a refused batch with the status and Cloudflare’s messages', async () => {
    const fetchFake = (async () =>
      new Response(
        JSON.stringify({ success: false, errors: [{ code: 10000, message: 'Authentication error' }] }),
        {
          status: 403,
        },
      )) as unknown as typeof fetch;
    const queue = httpQueueSender({ accountId: 'a', queueId: 'q', token: 'bad', fetch: fetchFake });
    await expect(queue.sendBatch([{ body: msgs(1)[0]! }])).rejects.toThrow(
      'the Queues API refused the shard messages (HTTP 403): Authentication error',
    );
  });

  it('the CLI names what is missing before doing any work', () => {
    expect(() => queueFrom({}, {})).toThrow('CLOUDFLARE_ACCOUNT_ID');
    expect(() => queueFrom({ accountId: 'a' }, {})).toThrow('SCALE_QUEUE_ID');
    expect(() => queueFrom({ accountId: 'a', queueId: 'q' }, {})).toThrow('CLOUDFLARE_API_TOKEN');
    expect(
      queueFrom({}, { CLOUDFLARE_ACCOUNT_ID: 'a', SCALE_QUEUE_ID: 'q', CLOUDFLARE_API_TOKEN: 't' }),
    ).toBeTruthy();
  });
});
