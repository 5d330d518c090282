import { createWorkerApp } from '../api/worker-app.ts';
import { useWasmKernel } from '../lookalike/kernel-wasm.ts';
import kernelWasm from '../lookalike/wasm/kernel.wasm';
import { MemoryAuditLog, MemoryKeyStore } from '../ops/keys/api-keys.ts';
import {
  consumeDeadLetters,
  consumeShardBatch,
  type MessageBatchLike,
  type QueueSenderLike,
} from '../scale/queue.ts';
import type { ShardMessage } from '../scale/run.ts';
import type { ApiKeyRecord, AuditEntry, AuditLog } from '../schema/index.ts';
import { R2ArtifactStore, type R2BucketLike } from '../store/r2.ts';

export interface WorkerEnv {
  ARTIFACTS: R2BucketLike;
  /** JSON array of API key records (hashes only), written by `lookalike worker-sync`. */
  API_KEYS?: string;
  VERSION?: string;
  /** Smallest audience released to a destination (default 100). */
  EXPORT_MIN_SIZE?: string;
  /** Shard messages of scoring runs (producer binding of the `lookalike-scale-shards` queue). */
  SCALE_SHARDS?: QueueSenderLike<ShardMessage>;
  /** Name of the dead letter queue of the shard queue (default `lookalike-scale-dead`). */
  SCALE_DEAD_QUEUE?: string;
  /** Seconds before a failed shard message is delivered again (default 5). */
  SCALE_RETRY_DELAY_SECONDS?: string;
}

/** Audit entries go to the Worker's logs (Workers Logs / Logpush keep them). */
class LogAuditLog implements AuditLog {
  private readonly memory = new MemoryAuditLog();
  async record(entry: AuditEntry): Promise<void> {
    console.log(JSON.stringify({ audit: entry }));
    await this.memory.record(entry);
  }
  list(options: { keyId?: string; limit: number }): Promise<AuditEntry[]> {
    return this.memory.list(options);
  }
}

// workerd runs only WebAssembly bundled with the Worker (compiling bytes at run time is
// forbidden), so the scoring kernel comes in as a module import rather than from its base64 copy.
useWasmKernel(kernelWasm);

let cached: { env: WorkerEnv; app: ReturnType<typeof createWorkerApp> } | null = null;

function appFor(env: WorkerEnv) {
  if (cached?.env === env) return cached.app;
  const keys = new MemoryKeyStore();
  for (const record of JSON.parse(env.API_KEYS ?? '[]') as ApiKeyRecord[]) void keys.insert(record);
  const app = createWorkerApp({
    version: env.VERSION ?? '0.1.0',
    keys,
    audit: new LogAuditLog(),
    artifacts: new R2ArtifactStore(env.ARTIFACTS),
    clientAddress: (c) => c.req.header('cf-connecting-ip') ?? 'unknown',
    ...(env.EXPORT_MIN_SIZE ? { exportMinSize: Number(env.EXPORT_MIN_SIZE) } : {}),
  });
  cached = { env, app };
  return app;
}

export default {
  fetch(request: Request, env: WorkerEnv, ctx: unknown): Response | Promise<Response> {
    return appFor(env).fetch(request, env, ctx as never);
  },
  /** Shard steps of scoring runs, and their dead letters (see src/scale/queue.ts). */
  async queue(batch: MessageBatchLike<unknown>, env: WorkerEnv): Promise<void> {
    const store = new R2ArtifactStore(env.ARTIFACTS);
    if (batch.queue === (env.SCALE_DEAD_QUEUE ?? 'lookalike-scale-dead'))
      return consumeDeadLetters(store, batch);
    if (!env.SCALE_SHARDS) throw new Error('the SCALE_SHARDS queue binding is missing (see wrangler.toml)');
    await consumeShardBatch(store, env.SCALE_SHARDS, batch, {
      retryDelaySeconds: Number(env.SCALE_RETRY_DELAY_SECONDS ?? 5),
      log: (line) => console.log(line),
    });
  },
};
