import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { isFinished, type Job, type JobQueue } from '../../jobs/index.ts';
import { NotFoundError } from '../../schema/index.ts';
import type { ApiApp, ApiDeps } from '../app-types.ts';
import type { ApiEnv } from '../auth.ts';
import { bearer, JobSchema, pick } from '../schemas.ts';

const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'job_1f2e3d4c5b6a7980' }),
});

const get = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}',
  tags: ['jobs'],
  summary: 'State, progress, result or error of a job',
  security: bearer,
  request: { params: IdParam },
  responses: {
    200: { description: 'The job', content: { 'application/json': { schema: JobSchema } } },
    ...pick(401, 404, 429),
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/jobs',
  tags: ['jobs'],
  summary: 'Recent jobs',
  security: bearer,
  request: {
    query: z.object({
      kind: z.string().optional(),
      state: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
    }),
  },
  responses: {
    200: {
      description: 'Most recent first',
      content: { 'application/json': { schema: z.object({ jobs: z.array(JobSchema) }) } },
    },
    ...pick(401, 422, 429),
  },
});

const events = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}/events',
  tags: ['jobs'],
  summary: 'Server-sent events: the job now, then every change until it finishes',
  security: bearer,
  request: { params: IdParam },
  responses: {
    200: {
      description: 'text/event-stream of `job` events (data: Job JSON)',
      content: { 'text/event-stream': { schema: z.string() } },
    },
    ...pick(401, 404, 429),
  },
});

const cancel = createRoute({
  method: 'post',
  path: '/v1/jobs/{id}/cancel',
  tags: ['jobs'],
  summary: 'Cancel a queued or running job',
  security: bearer,
  request: { params: IdParam },
  responses: {
    200: {
      description: 'The job after the request (a running job stops at its next safe point)',
      content: { 'application/json': { schema: JobSchema } },
    },
    ...pick(401, 403, 404, 409, 429),
  },
});

/** An ad platform sees only the jobs it created; people see every job. */
async function visibleJob(queue: JobQueue, c: Context<ApiEnv>, id: string): Promise<Job> {
  const job = await queue.get(id);
  const p = c.get('principal');
  if (p.role === 'ad_platform' && job.createdBy !== p.keyId) throw new NotFoundError('job', id);
  return job;
}

/** The route definitions of this module, for the typed client (`AppType`). */
export const jobsRoutes = { get, list, events, cancel } as const;

export function registerJobRoutes(app: ApiApp, deps: ApiDeps): void {
  const queue = deps.jobs;
  if (!queue) return;
  app.openapi(get, async (c) => c.json((await visibleJob(queue, c, c.req.valid('param').id)) as never, 200));
  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const p = c.get('principal');
    const jobs = (
      await queue.list({
        ...(q.kind ? { kind: q.kind } : {}),
        ...(q.state ? { state: q.state } : {}),
        limit: q.limit,
      })
    ).filter((j) => p.role !== 'ad_platform' || j.createdBy === p.keyId);
    return c.json({ jobs } as never, 200);
  });
  app.openapi(cancel, async (c) => {
    const job = await visibleJob(queue, c, c.req.valid('param').id);
    return c.json((await queue.cancel(job.id)) as never, 200);
  });
  app.openapi(events, async (c) => {
    const first = await visibleJob(queue, c, c.req.valid('param').id);
    return streamSSE(c, async (stream) => {
      let seq = 0;
      const send = (job: Job) =>
        stream.writeSSE({ event: 'job', data: JSON.stringify(job), id: String(seq++) });
      await new Promise<void>((resolve) => {
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          unsubscribe();
          resolve();
        };
        // Subscribe before re-reading, so a change between the two is never missed.
        const unsubscribe = queue.subscribe(first.id, (job) => {
          void send(job).then(() => {
            if (isFinished(job)) finish();
          });
        });
        stream.onAbort(finish);
        void queue.get(first.id).then(async (now) => {
          await send(now);
          if (isFinished(now)) finish();
        });
      });
    }) as never;
  });
}
