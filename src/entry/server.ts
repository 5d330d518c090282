import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ApiApp, createApiKey, createApp, importJob, type RateLimits } from '../api/index.ts';
import {
  DuckDbJobStore,
  domainJobs,
  type JobHandler,
  JobQueue,
  WORKER_SCRIPT,
  WorkerPool,
} from '../jobs/index.ts';
import { TokenizerPool } from '../needs/index.ts';
import { ROLES, type Role } from '../schema/index.ts';
import { DuckDbAuditLog, DuckDbKeyStore, type Workspace, writeFileAtomic } from '../store/index.ts';
import { swaggerAssets, workspaceDataService } from './node-services.ts';

export const VERSION = '0.1.0';

export interface Server {
  app: ApiApp;
  jobs: JobQueue;
  /** Worker threads of the heavy job steps (k-means, TF.js training, need-model training). */
  pool: WorkerPool;
  interrupted: number;
  /** Waits for running jobs, then ends the worker threads. */
  close(): Promise<void>;
}

/** Where models retrained over the API are published: the workspace, never the shipped `models/`. */
export const needModelsDir = (ws: Workspace) => join(ws.home, 'models', 'needs');

/**
 * Composes the Node app over a workspace: DuckDB-backed keys, audit and jobs, the domain job
 * handlers on a worker-thread pool, every route.
 */
export async function buildServer(
  ws: Workspace,
  options: { concurrency?: number; pool?: WorkerPool; rateLimits?: RateLimits } = {},
): Promise<Server> {
  const keys = await DuckDbKeyStore.open(ws.db);
  const audit = await DuckDbAuditLog.open(ws.db);
  const data = workspaceDataService(ws);
  const pool = options.pool ?? new WorkerPool(WORKER_SCRIPT);
  const modelsDir = needModelsDir(ws);
  const tokenizers = new TokenizerPool({ size: 1 });
  const handlers: Record<string, JobHandler> = {
    import: importJob(data),
    ...domainJobs(ws, { pool, needModelsDir: modelsDir, tokenizers }),
  };
  const jobs = new JobQueue(await DuckDbJobStore.open(ws.db), handlers, {
    concurrency: options.concurrency ?? 1,
  });
  const interrupted = (await jobs.recover()).length;
  const app = createApp({
    version: VERSION,
    keys,
    audit,
    jobs,
    data,
    workspace: ws,
    needs: { modelsDir, pool: tokenizers },
    docsAsset: swaggerAssets(),
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
  });
  return {
    app,
    jobs,
    pool,
    interrupted,
    close: async () => {
      await jobs.idle();
      await tokenizers.close();
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
export async function demoKeys(ws: Workspace): Promise<Record<Role, string>> {
  const path = join(ws.home, 'demo-keys.json');
  if (existsSync(path)) return JSON.parse(await readFile(path, 'utf8')) as Record<Role, string>;
  const store = await DuckDbKeyStore.open(ws.db);
  const out = {} as Record<Role, string>;
  for (const role of ROLES) {
    const { key } = await createApiKey(store, {
      name: `demo ${role}`,
      role,
      destination: role === 'ad_platform' ? 'demo-dsp' : null,
    });
    out[role] = key;
  }
  await writeFileAtomic(path, `${JSON.stringify(out, null, 2)}\n`);
  return out;
}
