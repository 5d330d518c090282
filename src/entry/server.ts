import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { folderUploads, localFiles, nodeNeedFiles, WorkerPool } from '../adapters/index.ts';
import { type ApiApp, createApiKey, createApp, type RateLimits } from '../api/index.ts';
import { DuckDbJobStore, type JobHandler, JobQueue, opJobs } from '../jobs/index.ts';
import { useStoredLogits } from '../lookalike/index.ts';
import { TokenizerPool, workspaceNeedModelsDir } from '../needs/index.ts';
import { OPERATIONS, parseInput, refreshAudienceOp, submitDueRefreshes } from '../ops/index.ts';
import { snapshotLogits } from '../scale/index.ts';
import { type ApiKeyStore, ROLES, type Role } from '../schema/index.ts';
import { DuckDbAuditLog, DuckDbKeyStore, type Workspace, writeFileAtomic } from '../store/index.ts';
import { DEMO_DESTINATION } from './bootstrap.ts';
import { studioAssets, swaggerAssets } from './node-services.ts';

export const VERSION = '0.1.0';

export interface Server {
  app: ApiApp;
  keys: DuckDbKeyStore;
  /** Key IDs of the local CLI's operator keys (see `server-info.ts`). */
  operatorKeys: Set<string>;
  jobs: JobQueue;
  /** Worker threads of the heavy steps (k-means, TF.js training, need-model training, tokenizing). */
  pool: WorkerPool;
  interrupted: number;
  /** Waits for running jobs, then ends the worker threads. */
  close(): Promise<void>;
}

/** The client's socket address; requests that did not come through a socket (app.request) share one. */
function socketAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Where models retrained over the API are published: the workspace, never the shipped `models/`. */
export const needModelsDir = (ws: Workspace) => workspaceNeedModelsDir(ws);

/**
 * Composes the Node app over a workspace: DuckDB-backed keys, audit and jobs, the domain job
 * handlers on a worker-thread pool, every route.
 */
export async function buildServer(
  ws: Workspace,
  options: {
    concurrency?: number;
    pool?: WorkerPool;
    rateLimits?: RateLimits;
    /** Start the pool's threads now, load the shard scorer on each and keep them (a long-lived server). */
    warmPool?: boolean;
  } = {},
): Promise<Server> {
  // Models on unchanged data score from a universe snapshot when one is stored.
  useStoredLogits(ws, snapshotLogits(ws));
  const keys = await DuckDbKeyStore.open(ws.db);
  const audit = await DuckDbAuditLog.open(ws.db);
  const uploads = folderUploads(ws.tmpDir);
  const pool = options.pool ?? new WorkerPool({ keepAlive: options.warmPool ?? false });
  // In the background: a cold thread costs 1-2 s, paid now instead of by the first scoring run.
  if (options.warmPool && !options.pool) void pool.warm(['scale-shard']).catch(() => undefined);
  const modelsDir = needModelsDir(ws);
  const tokenizers = new TokenizerPool(pool);
  const handlers: Record<string, JobHandler> = opJobs(OPERATIONS, {
    ws,
    runner: pool,
    needModelsDir: modelsDir,
    needFiles: nodeNeedFiles,
    uploads,
  });
  const jobs = new JobQueue(await DuckDbJobStore.open(ws.db), handlers, {
    concurrency: options.concurrency ?? 1,
  });
  const interrupted = (await jobs.recover()).length;
  // Scheduled audience refreshes: the definitions hold the schedule, so it survives a restart.
  const scheduler = setInterval(() => {
    submitDueRefreshes(ws.artifacts, new Date(), (input) =>
      jobs.submit(refreshAudienceOp.name, parseInput(refreshAudienceOp, input), {
        keyId: 'scheduler',
        role: 'admin',
        destination: null,
      }),
    ).catch((err: unknown) => console.error('scheduled audience refreshes failed', err));
  }, 60_000);
  scheduler.unref();
  const operatorKeys = new Set<string>();
  const app = createApp({
    version: VERSION,
    keys,
    audit,
    jobs,
    uploads,
    workspace: ws,
    runner: pool,
    operatorKeys,
    files: localFiles(),
    needs: { modelsDir, pool: tokenizers, files: nodeNeedFiles },
    docsAsset: swaggerAssets(),
    studioAsset: studioAssets(),
    clientAddress: socketAddress,
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
  });
  return {
    app,
    keys,
    operatorKeys,
    jobs,
    pool,
    interrupted,
    close: async () => {
      clearInterval(scheduler);
      await jobs.idle();
      if (!options.pool) await pool.close();
      // Audit entries are written after their responses: store the last ones before the
      // workspace closes underneath them.
      await audit.flush();
    },
  };
}

/**
 * Demo keys, one per role, created on the first start of a workspace and kept (plain) in
 * `<home>/demo-keys.json` so every start can print them. Only for the local sample workspace.
 */
export async function demoKeys(ws: Workspace, store: ApiKeyStore): Promise<Record<Role, string>> {
  const path = join(ws.home, 'demo-keys.json');
  if (existsSync(path)) return JSON.parse(await readFile(path, 'utf8')) as Record<Role, string>;
  const out = {} as Record<Role, string>;
  for (const role of ROLES) {
    const { key } = await createApiKey(store, {
      name: `demo ${role}`,
      role,
      destination: role === 'ad_platform' ? DEMO_DESTINATION : null,
    });
    out[role] = key;
  }
  await writeFileAtomic(path, `${JSON.stringify(out, null, 2)}\n`);
  return out;
}
