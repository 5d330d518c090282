import { z } from '@hono/zod-openapi';
import type { Job } from '../jobs/index.ts';

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'https://lookalike.dev/problems/invalid-input' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().openapi({ example: 'k: must be at least 2' }),
    field: z.string().optional(),
  })
  .passthrough()
  .openapi('Problem');

const problemContent = { 'application/problem+json': { schema: ProblemSchema } };

/** Standard error responses, so every route documents the statuses it can return. */
export const errors = {
  400: { description: 'Malformed request', content: problemContent },
  401: { description: 'Missing, invalid or revoked API key', content: problemContent },
  403: { description: 'The key has not the role for this', content: problemContent },
  404: { description: 'No such resource', content: problemContent },
  409: { description: 'Conflicts with the current state', content: problemContent },
  413: { description: 'Body larger than the limit', content: problemContent },
  415: { description: 'Unsupported content type', content: problemContent },
  422: { description: 'Invalid input: the field and the reason', content: problemContent },
  429: { description: 'Rate limited', content: problemContent },
} as const;

export const pick = <K extends keyof typeof errors>(...codes: K[]) =>
  Object.fromEntries(codes.map((c) => [c, errors[c]])) as Pick<typeof errors, K>;

export const RoleSchema = z.enum(['admin', 'data_scientist', 'marketer', 'ad_platform']).openapi('Role');

export const JobSchema = z
  .object({
    id: z.string().openapi({ example: 'job_1f2e3d4c5b6a7980' }),
    kind: z.string(),
    state: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']),
    progress: z.object({ fraction: z.number(), message: z.string() }),
    params: z.any().meta({ description: 'the operation input the job runs (as parsed, defaults applied)' }),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    result: z.any().optional().meta({ description: 'the operation result, once completed' }),
    error: ProblemSchema.optional(),
  })
  .openapi('Job');

export type JobView = z.output<typeof JobSchema>;

/** A job as the API shows it: the record, in the shape `JobSchema` documents. */
export function jobView(job: Job): JobView {
  const view: JobView = {
    id: job.id,
    kind: job.kind,
    state: job.state,
    progress: job.progress,
    params: job.params,
    createdBy: job.createdBy,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
  };
  if (job.state === 'completed') view.result = job.result;
  if (job.state === 'failed') view.error = job.error;
  return view;
}

export const JobAccepted = {
  202: {
    description: 'Accepted: the work runs as a job; poll the Location or stream /events',
    content: { 'application/json': { schema: JobSchema } },
    headers: {
      Location: { description: 'the job: `/v1/jobs/{id}`', schema: { type: 'string' as const } },
    },
  },
};

export const bearer = [{ bearerAuth: [] }];

/** The `{id}` path parameter, with an example. */
export const pathId = (example: string) =>
  z.object({
    id: z
      .string()
      .min(1)
      .max(200)
      .openapi({ param: { name: 'id', in: 'path' }, example }),
  });

/** A calendar day: `z.iso.date()` refuses impossible ones (2026-02-31, 2026-99-99), not only bad shapes. */
export const Day = z.iso.date('expected a calendar day as YYYY-MM-DD (e.g. 2026-02-28)');

/** Caps a JSON body: 413 problem past `maxBytes` (checked on Content-Length and while reading). */
