import { MemoryAuditLog, MemoryKeyStore } from '../api/keys.ts';
import { createWorkerApp } from '../api/worker-app.ts';
import type { ApiKeyRecord, AuditEntry, AuditLog } from '../schema/index.ts';
import { R2ArtifactStore, type R2BucketLike } from '../store/r2.ts';

export interface WorkerEnv {
  ARTIFACTS: R2BucketLike;
  /** JSON array of API key records (hashes only), written by `lookalike worker-sync`. */
  API_KEYS?: string;
  VERSION?: string;
  /** Smallest audience released to a destination (default 100). */
  EXPORT_MIN_SIZE?: string;
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
    ...(env.EXPORT_MIN_SIZE ? { exportMinSize: Number(env.EXPORT_MIN_SIZE) } : {}),
  });
  cached = { env, app };
  return app;
}

export default {
  fetch(request: Request, env: WorkerEnv, ctx: unknown): Response | Promise<Response> {
    return appFor(env).fetch(request, env, ctx as never);
  },
};
