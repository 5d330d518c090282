/**
 * Backtest routes: an adapter over `lookalike.backtest` (a job). The input is the operation's own
 * schema; the report is the job's result (`GET /v1/jobs/{id}`).
 */
import { createRoute } from '@hono/zod-openapi';
import { BacktestInput, backtestOp } from '../../ops/index.ts';
import type { ApiDeps } from '../app-types.ts';
import { allow, routeGroup, submitOp } from '../ops-adapter.ts';
import { bearer, JobAccepted, jobView, pick } from '../schemas.ts';

const create = createRoute({
  method: 'post',
  path: '/v1/backtests',
  tags: ['models'],
  summary: `${backtestOp.summary} (runs as a job)`,
  description:
    'Trains a model as of the cut-off (kept, under `modelId`), ranks the customers before the cut-off (seed left ' +
    'out) with it, with random targeting, with purchase frequency and with an L2 logistic regression on RFM and the ' +
    "top product-purchase indicators fitted in the same run, and scores every ranking against the seed's event in " +
    'the outcome window: AUC, precision and lift at 1/5/10/20%, and whether the frontier intervals held the realised ' +
    "precision. The finished job's `result` is the report.",
  security: bearer,
  middleware: allow(backtestOp),
  request: { body: { required: true, content: { 'application/json': { schema: BacktestInput } } } },
  responses: { ...JobAccepted, ...pick(400, 401, 403, 409, 413, 415, 422, 429) },
});

export function backtestRoutes(deps: ApiDeps) {
  return routeGroup().openapi(create, async (c) => {
    const job = await submitOp(c, deps, backtestOp, c.req.valid('json'));
    return c.json(jobView(job), 202, { location: `/v1/jobs/${job.id}` });
  });
}
