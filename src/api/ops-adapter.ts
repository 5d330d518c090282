/**
 * Routes are adapters over operations (`src/ops`): they validate with the operation's own schema
 * (through zod-openapi), build its context from the request, and either run it (short work) or
 * queue it as a job (long work, 202 + Location). Nothing about the operation is decided here.
 */
import { type Hook, OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { Job, JobQueue } from '../jobs/index.ts';
import type { ActiveJob, OpContext, Operation, OpInput } from '../ops/index.ts';
import { AppError } from '../schema/index.ts';
import type { ApiDeps } from './app-types.ts';
import { type ApiEnv, requireRole } from './auth.ts';
import { validationHook } from './problem.ts';

/** A sub-app of routes, with the app's one validation hook: modules chain `.openapi()` on it. */
export function routeGroup(): OpenAPIHono<ApiEnv> {
  return new OpenAPIHono<ApiEnv>({ defaultHook: problemOnInvalid });
}

/** The app's validation hook, in the shape zod-openapi calls it. */
export const problemOnInvalid: Hook<unknown, ApiEnv, string, Response | undefined> = (result, c) =>
  validationHook(result, c);

/** The route middleware that lets only the operation's roles (and admin) through. */
export function allow(op: Pick<Operation, 'roles'>): [MiddlewareHandler<ApiEnv>] {
  return [requireRole(...op.roles)];
}

/** A dependency this server was built without: the route exists (in the docs too) but cannot work. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new AppError('unavailable', `this server has no ${what}`, 503);
  return value;
}

/** Queued and running jobs of the server's queue (every kind, every caller). */
function activeJobsOf(jobs: JobQueue): () => Promise<ActiveJob[]> {
  return async () => {
    const out: ActiveJob[] = [];
    for (const state of ['queued', 'running'] as const) {
      for (const job of await jobs.list({ state, limit: 10_000 }))
        out.push({ id: job.id, kind: job.kind, state, params: job.params });
    }
    return out;
  };
}

/** The context an operation runs in for this request: the caller, the workspace, the worker threads. */
export function opContext(c: Context<ApiEnv>, deps: ApiDeps): OpContext {
  const p = c.get('principal');
  const jobs = deps.jobs;
  return {
    ...(deps.workspace ? { ws: deps.workspace } : {}),
    keys: deps.keys,
    audit: deps.audit,
    ...(deps.runner ? { runner: deps.runner } : {}),
    ...(deps.jobs ? { activeJobs: activeJobsOf(deps.jobs) } : {}),
    needModelsDir: deps.needs?.modelsDir ?? '',
    ...(deps.needs?.files ? { needFiles: deps.needs.files } : {}),
    ...(deps.uploads ? { uploads: deps.uploads } : {}),
    progress: () => undefined,
    signal: c.req.raw.signal,
    caller: { keyId: p.keyId, role: p.role, destination: p.destination },
    ...(jobs ? { recentJobs: (kind: string) => jobs.list({ kind, createdBy: p.keyId, limit: 500 }) } : {}),
  };
}

/** Runs a long operation's cheap checks now, then queues it as a job owned by the caller. */
export async function submitOp<O extends Operation>(
  c: Context<ApiEnv>,
  deps: ApiDeps,
  op: O,
  input: OpInput<O>,
): Promise<Job> {
  const jobs = need(deps.jobs, 'job queue');
  if (op.precheck) await op.precheck(opContext(c, deps), input);
  const p = c.get('principal');
  return jobs.submit(op.name, input, { keyId: p.keyId, role: p.role, destination: p.destination });
}
