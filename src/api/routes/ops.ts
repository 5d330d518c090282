/**
 * `POST /v1/ops/{name}`: runs any operation by name with its own input schema, for the CLI that
 * runs beside the server (DuckDB lets one process write the workspace, so the CLI goes through
 * the server that holds it). Admin keys only; operations that read the server's files
 * (`localOnly`) only with the operator key the server wrote to its `server.json`.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { findOperation, OPERATIONS, parseInput } from '../../ops/index.ts';
import { AppError, NotFoundError } from '../../schema/index.ts';
import type { ApiDeps } from '../app-types.ts';
import { requireRole } from '../auth.ts';
import { opContext, routeGroup, submitOp } from '../ops-adapter.ts';
import { bearer, JobAccepted, jobView, pick } from '../schemas.ts';

const run = createRoute({
  method: 'post',
  path: '/v1/ops/{name}',
  tags: ['operator'],
  summary: 'Run an operation by name (the CLI beside the server)',
  description:
    'The body is the operation input, checked by the same schema as its own route. Short operations answer 200 ' +
    'with their result; long ones 202 with a job. Admin keys only.',
  security: bearer,
  middleware: [requireRole('admin')],
  request: {
    params: z.object({ name: z.string().min(1).max(100).openapi({ example: 'segment.list' }) }),
    body: { required: true, content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } },
  },
  responses: {
    200: {
      description: 'The operation result',
      content: { 'application/json': { schema: z.object({ result: z.any() }) } },
    },
    ...JobAccepted,
    ...pick(400, 401, 403, 404, 413, 415, 422, 429),
  },
});

export function opsRoutes(deps: ApiDeps) {
  return routeGroup().openapi(run, async (c) => {
    const { name } = c.req.valid('param');
    const op = findOperation(name);
    if (!op) {
      throw new NotFoundError(
        'operation',
        name,
        `operations are ${OPERATIONS.map((o) => o.name).join(', ')}`,
      );
    }
    if (op.localOnly && !deps.operatorKeys?.has(c.get('principal').keyId)) {
      throw new AppError(
        'forbidden',
        `operation "${name}" reads files of the server machine; only the local CLI (the key in server.json) may run it`,
        403,
      );
    }
    const input = parseInput(op, c.req.valid('json'));
    if (op.long) {
      const job = await submitOp(c, deps, op, input);
      return c.json(jobView(job), 202, { location: `/v1/jobs/${job.id}` });
    }
    const ctx = { ...opContext(c, deps), ...(op.localOnly && deps.files ? { files: deps.files } : {}) };
    return c.json({ result: await op.run(ctx, input) }, 200);
  });
}
