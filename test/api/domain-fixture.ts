import { join } from 'node:path';
import { expect } from 'vitest';
import { nodeNeedFiles, WorkerPool } from '../../src/adapters/index.ts';
import type { Job } from '../../src/jobs/index.ts';
import { JobQueue, MemoryJobStore, opJobs } from '../../src/jobs/index.ts';
import { trainLookalike } from '../../src/lookalike/index.ts';
import { OPERATIONS } from '../../src/ops/index.ts';
import { personaMembers, type SampleWs, sampleWorkspace } from '../lookalike/helpers.ts';
import { type TestApi, testApi } from './helpers.ts';

export interface DomainApi extends TestApi {
  s: SampleWs;
  pool: WorkerPool | null;
  /** Waits for the job a 202 response started and returns it finished. */
  finish: (res: Response, key?: string) => Promise<Job>;
  cleanup: () => Promise<void>;
}

/**
 * An app over a small generated sample workspace with every domain route and job handler.
 * `workers: true` runs the heavy steps on a real worker-thread pool.
 */
export async function domainApi(
  options: { workers?: boolean; seed?: number; members?: number; universe?: number; months?: number } = {},
): Promise<DomainApi> {
  const s = await sampleWorkspace({
    members: options.members ?? 1200,
    universe: options.universe ?? 8000,
    months: options.months ?? 4,
    seed: options.seed ?? 11,
  });
  const pool = options.workers ? new WorkerPool({ size: 1 }) : null;
  const needModelsDir = join(s.dir, 'home', 'models', 'needs');
  const jobs = new JobQueue(new MemoryJobStore(), {
    ...opJobs(OPERATIONS, {
      ws: s.ws,
      needModelsDir,
      needFiles: nodeNeedFiles,
      ...(pool ? { runner: pool } : {}),
    }),
  });
  const api = await testApi({
    workspace: s.ws,
    jobs,
    needs: { modelsDir: needModelsDir, files: nodeNeedFiles },
    ...(pool ? { runner: pool } : {}),
  });
  const finish = async (res: Response, key = 'admin') => {
    expect(res.status).toBe(202);
    const job = (await res.json()) as Job;
    expect(res.headers.get('location')).toBe(`/v1/jobs/${job.id}`);
    await jobs.idle();
    return (await (await api.call(`/v1/jobs/${job.id}`, { key })).json()) as Job;
  };
  return {
    ...api,
    s,
    pool,
    finish,
    cleanup: async () => {
      await jobs.idle();
      await pool?.close();
      s.cleanup();
    },
  };
}

export const problemOf = async (res: Response) => {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as { type: string; status: number; detail: string; field?: string };
};

export function completed(job: Job): Record<string, unknown> {
  if (job.state !== 'completed') throw new Error(`job ${job.id} ${job.state}: ${JSON.stringify(job)}`);
  return job.result as Record<string, unknown>;
}

/** A third-party lookalike of the busy_family persona, trained in process (no job), for routes that read a model. */
export async function trainPersonaModel(api: DomainApi, id: string): Promise<void> {
  await trainLookalike(api.s.ws, {
    id,
    seed: { kind: 'members', memberIds: personaMembers(api.s, 'busy_family') },
    universe: 'third_party',
    backend: 'wasm',
    randomSeed: 2,
    unlabelledSample: 4000,
    bootstrap: 100,
  });
}
