/**
 * Audience routes: each an adapter over its operation in `ops/audiences` (create and refresh run
 * as jobs). The rules (the release minimum, the model's universe, an existing id, what an
 * ad_platform key may read) live in the operations.
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  AudienceChanges,
  audienceRevisionsOp,
  CreateAudienceInput,
  consentSummaryOp,
  createAudienceOp,
  driversOp,
  getAudienceOp,
  listAudiencesOp,
  OverlapInput,
  overlapOp,
  parseInput,
  RelaxInput,
  refreshAudienceOp,
  relaxOp,
  updateAudienceOp,
} from '../../ops/index.ts';
import type { ApiDeps } from '../app-types.ts';
import { allow, opContext, routeGroup, submitOp } from '../ops-adapter.ts';
import { bearer, JobAccepted, jobView, pathId, pick } from '../schemas.ts';
import {
  AudienceDetailSchema,
  AudienceSchema,
  ConsentSummarySchema,
  DefinitionSchema,
  DriversSchema,
  OverlapSchema,
  RelaxPlanSchema,
  RevisionsSchema,
} from './audience-schemas.ts';
import { SharedAudienceSchema } from './pull-schemas.ts';

const IdParam = pathId('au_demo_top_segment');
const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: json(schema) } });
const int = (schema: z.ZodNumber) => z.coerce.number().pipe(schema);

const create = createRoute({
  method: 'post',
  path: '/v1/audiences',
  operationId: 'createAudience',
  tags: ['audiences'],
  summary: `${createAudienceOp.summary} (runs as a job)`,
  description:
    'No audience smaller than 100 people (or minSize) is released: a smaller size target or minSize is 422 at ' +
    'once; a precision target that only a smaller audience meets is answered with the smallest releasable ' +
    'audience, marked `reached: false`. An existing id is 409 (refresh it instead), an unknown model 404. The ' +
    'definition (target, exclusions, consent purposes, reach lock, retention, schedule) is kept: refreshes re-run it.',
  security: bearer,
  middleware: allow(createAudienceOp),
  request: body(CreateAudienceInput),
  responses: { ...JobAccepted, ...pick(400, 401, 403, 404, 409, 413, 415, 422, 429) },
});

const list = createRoute({
  method: 'get',
  path: '/v1/audiences',
  operationId: 'listAudiences',
  tags: ['audiences'],
  summary: listAudiencesOp.summary,
  security: bearer,
  middleware: allow(listAudiencesOp),
  responses: {
    200: {
      description: 'Audiences (for an ad_platform key: the shared views of its destination)',
      content: json(z.object({ audiences: z.array(z.union([AudienceSchema, SharedAudienceSchema])) })),
    },
    ...pick(401, 403, 429),
  },
});

const get = createRoute({
  method: 'get',
  path: '/v1/audiences/{id}',
  operationId: 'getAudience',
  tags: ['audiences'],
  summary: getAudienceOp.summary,
  security: bearer,
  middleware: allow(getAudienceOp),
  request: {
    params: IdParam,
    query: z.object({
      revision: int(z.number().int().min(1))
        .optional()
        .openapi({ description: 'an earlier revision (default: the latest)' }),
      head: int(z.number().int().min(0).max(100))
        .default(0)
        .openapi({ description: 'also return the first n IDs with scores and ranks' }),
    }),
  },
  responses: {
    200: {
      description: 'The audience revision and its definition (for an ad_platform key: the shared view)',
      content: json(z.union([AudienceDetailSchema, SharedAudienceSchema])),
    },
    ...pick(401, 403, 404, 422, 429),
  },
});

const update = createRoute({
  method: 'patch',
  path: '/v1/audiences/{id}',
  operationId: 'updateAudience',
  tags: ['audiences'],
  summary: updateAudienceOp.summary,
  description: 'Changes what the next refresh does; published revisions stay as they are.',
  security: bearer,
  middleware: allow(updateAudienceOp),
  request: { params: IdParam, ...body(AudienceChanges) },
  responses: {
    200: { description: 'The definition', content: json(DefinitionSchema) },
    ...pick(400, 401, 403, 404, 413, 415, 422, 429),
  },
});

const refresh = createRoute({
  method: 'post',
  path: '/v1/audiences/{id}/refresh',
  operationId: 'refreshAudience',
  tags: ['audiences'],
  summary: `${refreshAudienceOp.summary} (runs as a job)`,
  description:
    'The job result names the new revision and, per destination the audience is shared with, the release it ' +
    'made (or why it could not: the destination then keeps its last release).',
  security: bearer,
  middleware: allow(refreshAudienceOp),
  request: { params: IdParam },
  responses: { ...JobAccepted, ...pick(401, 403, 404, 429) },
});

const revisions = createRoute({
  method: 'get',
  path: '/v1/audiences/{id}/revisions',
  operationId: 'listAudienceRevisions',
  tags: ['audiences'],
  summary: audienceRevisionsOp.summary,
  security: bearer,
  middleware: allow(audienceRevisionsOp),
  request: { params: IdParam },
  responses: {
    200: { description: 'Revisions, oldest first, and the definition', content: json(RevisionsSchema) },
    ...pick(401, 403, 404, 429),
  },
});

const drivers = createRoute({
  method: 'get',
  path: '/v1/audiences/{id}/drivers',
  operationId: 'getAudienceDrivers',
  tags: ['audiences'],
  summary: driversOp.summary,
  security: bearer,
  middleware: allow(driversOp),
  request: {
    params: IdParam,
    query: z.object({
      sample: int(z.number().int().min(50).max(20_000)).default(1000),
      top: int(z.number().int().min(1).max(100)).default(15),
    }),
  },
  responses: {
    200: { description: 'Features by mean contribution', content: json(DriversSchema) },
    ...pick(401, 403, 404, 422, 429),
  },
});

const consent = createRoute({
  method: 'get',
  path: '/v1/audiences/{id}/consent',
  operationId: 'getAudienceConsent',
  tags: ['audiences'],
  summary: consentSummaryOp.summary,
  security: bearer,
  middleware: allow(consentSummaryOp),
  request: {
    params: IdParam,
    query: z.object({
      purposes: z.string().max(400).optional().openapi({
        description: 'comma-separated purposes (default ad_targeting,third_party_sharing,email_marketing)',
      }),
    }),
  },
  responses: {
    200: { description: 'Consent per purpose and per destination', content: json(ConsentSummarySchema) },
    ...pick(401, 403, 404, 422, 429),
  },
});

const overlap = createRoute({
  method: 'post',
  path: '/v1/audiences/overlaps',
  operationId: 'computeAudienceOverlap',
  tags: ['audiences'],
  summary: overlapOp.summary,
  security: bearer,
  middleware: allow(overlapOp),
  request: body(OverlapInput),
  responses: {
    200: { description: 'Overlap counts', content: json(OverlapSchema) },
    ...pick(400, 401, 403, 404, 413, 415, 422, 429),
  },
});

const relax = createRoute({
  method: 'post',
  path: '/v1/audiences/relaxations',
  operationId: 'planRelaxation',
  tags: ['audiences'],
  summary: relaxOp.summary,
  security: bearer,
  middleware: allow(relaxOp),
  request: body(RelaxInput),
  responses: {
    200: { description: 'The plan and its alternatives', content: json(RelaxPlanSchema) },
    ...pick(400, 401, 403, 404, 413, 415, 422, 429),
  },
});

/** Audience routes: each an adapter over its operation in `ops/audiences`. */
export function audienceRoutes(deps: ApiDeps) {
  return routeGroup()
    .openapi(create, async (c) => {
      const job = await submitOp(c, deps, createAudienceOp, c.req.valid('json'));
      return c.json(jobView(job), 202, { location: `/v1/jobs/${job.id}` });
    })
    .openapi(list, async (c) => c.json(await listAudiencesOp.run(opContext(c, deps), {}), 200))
    .openapi(get, async (c) =>
      c.json(
        await getAudienceOp.run(opContext(c, deps), { ...c.req.valid('query'), id: c.req.valid('param').id }),
        200,
      ),
    )
    .openapi(update, async (c) => {
      const input = parseInput(updateAudienceOp, { ...c.req.valid('json'), id: c.req.valid('param').id });
      return c.json(await updateAudienceOp.run(opContext(c, deps), input), 200);
    })
    .openapi(refresh, async (c) => {
      const job = await submitOp(c, deps, refreshAudienceOp, {
        id: c.req.valid('param').id,
        trigger: 'on_demand',
      });
      return c.json(jobView(job), 202, { location: `/v1/jobs/${job.id}` });
    })
    .openapi(revisions, async (c) =>
      c.json(await audienceRevisionsOp.run(opContext(c, deps), c.req.valid('param')), 200),
    )
    .openapi(drivers, async (c) =>
      c.json(
        await driversOp.run(opContext(c, deps), { ...c.req.valid('query'), id: c.req.valid('param').id }),
        200,
      ),
    )
    .openapi(consent, async (c) => {
      const { purposes } = c.req.valid('query');
      const input = parseInput(consentSummaryOp, {
        id: c.req.valid('param').id,
        ...(purposes ? { purposes: purposes.split(',').map((p) => p.trim()) } : {}),
      });
      return c.json(await consentSummaryOp.run(opContext(c, deps), input), 200);
    })
    .openapi(overlap, async (c) => c.json(await overlapOp.run(opContext(c, deps), c.req.valid('json')), 200))
    .openapi(relax, async (c) => c.json(await relaxOp.run(opContext(c, deps), c.req.valid('json')), 200));
}
