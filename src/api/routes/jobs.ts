import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { isFinished, type Job, type JobQueue } from '../../jobs/index.ts';
import { NotFoundError } from '../../schema/index.ts';
import type { ApiDeps } from '../app-types.ts';
import type { ApiEnv } from '../auth.ts';
import { assertCanCancel, assertCanSee, canSeeAllJobs } from '../job-access.ts';
import { need, routeGroup } from '../ops-adapter.ts';
import { bearer, JobSchema, jobView, pick } from '../schemas.ts';

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
  description:
    'Admins and data scientists see every job; marketers and ad platforms see the jobs their own key started.',
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
  description: 'A key cancels the jobs it started; an admin key cancels any job (403 otherwise).',
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

async function visibleJob(queue: JobQueue, c: Context<ApiEnv>, id: string): Promise<Job> {
  const p = c.get('principal');
  try {
    return assertCanSee(p, await queue.get(id));
  } catch (err) {
    // The same answer for a job that does not exist and one the caller may not see.
    if (err instanceof NotFoundError) throw new NotFoundError('job', id);
    throw err;
  }
}

/** Job routes: the queue's state, progress (also as server-sent events) and cancellation. */
export function jobRoutes(deps: ApiDeps) {
  const queue = () => need(deps.jobs, 'job queue');
  return routeGroup()
    .openapi(get, async (c) => c.json(jobView(await visibleJob(queue(), c, c.req.valid('param').id)), 200))
    .openapi(list, async (c) => {
      const q = c.req.valid('query');
      const p = c.get('principal');
      const jobs = await queue().list({
        ...(q.kind ? { kind: q.kind } : {}),
        ...(q.state ? { state: q.state } : {}),
        ...(canSeeAllJobs(p) ? {} : { createdBy: p.keyId }),
        limit: q.limit,
      });
      return c.json({ jobs: jobs.map(jobView) }, 200);
    })
    .openapi(cancel, async (c) => {
      const job = await visibleJob(queue(), c, c.req.valid('param').id);
      assertCanCancel(c.get('principal'), job);
      return c.json(jobView(await queue().cancel(job.id)), 200);
    })
    .openapi(events, async (c) => {
      const first = await visibleJob(queue(), c, c.req.valid('param').id);
      return streamSSE(c, async (stream) => {
        let seq = 0;
        const send = (job: Job) =>
          stream.writeSSE({ event: 'job', data: JSON.stringify(jobView(job)), id: String(seq++) });
        await new Promise<void>((resolve) => {
          let done = false;
          const finish = () => {
            if (done) return;
            done = true;
            unsubscribe();
            resolve();
          };
          // Subscribe before re-reading, so a change between the two is never missed.
          const unsubscribe = queue().subscribe(first.id, (job) => {
            void send(job).then(() => {
              if (isFinished(job)) finish();
            });
          });
          stream.onAbort(finish);
          void queue()
            .get(first.id)
            .then(async (now) => {
              await send(now);
              if (isFinished(now)) finish();
            });
        });
      });
    });
}
