import { createRoute, z } from '@hono/zod-openapi';
import { DIMENSIONS } from '../../enrich/index.ts';
import {
  AffinityInput,
  getSegmentationOp,
  listSegmentationsOp,
  runSegmentationOp,
  SegmentInput,
  segmentAffinityOp,
  segmentMembersOp,
  siteVisitorsOp,
} from '../../ops/index.ts';
import type { ApiDeps } from '../app-types.ts';
import { allow, need, opContext, routeGroup, submitOp } from '../ops-adapter.ts';
import { bearer, JobAccepted, jobView, pathId, pick } from '../schemas.ts';

const IdParam = pathId('sgm_20261121_030000_ab12cd');

const SegmentSummary = z.object({
  segmentId: z.string(),
  nameJa: z.string(),
  nameEn: z.string(),
  size: z.number(),
});
const SegmentationSummary = z
  .object({
    id: z.string(),
    createdAt: z.string(),
    k: z.number().int(),
    members: z.number().int(),
    asOf: z.string(),
    dataFingerprint: z.string(),
    segments: z.array(SegmentSummary),
  })
  .openapi('SegmentationSummary');

const AffinityRowSchema = z
  .object({
    dimension: z.enum(DIMENSIONS),
    value: z.string(),
    segmentCount: z.number(),
    segmentShare: z.number(),
    populationCount: z.number(),
    populationShare: z.number(),
    index: z.number().nullable(),
    ciLow: z.number().nullable(),
    ciHigh: z.number().nullable(),
    support: z.number(),
    suppressed: z.boolean(),
    reason: z.string().optional(),
  })
  .openapi('AffinityRow');

const AffinityResponse = z.object({
  segmentationId: z.string(),
  recomputed: z.boolean(),
  options: z.object({}).passthrough().nullable(),
  population: z.object({}).passthrough().nullable(),
  segments: z.array(
    z.object({
      segmentId: z.string(),
      members: z.number(),
      linked: z.number(),
      matchRate: z.number(),
      warning: z.string().optional(),
      rows: z.array(AffinityRowSchema),
    }),
  ),
});

const readers = allow(listSegmentationsOp);

const train = createRoute({
  method: 'post',
  path: '/v1/segmentations',
  tags: ['segmentations'],
  summary: `${runSegmentationOp.summary} (runs as a job)`,
  description:
    'k-means on purchase features, then profiles, Pareto, growth grid and third-party affinity. The job result ' +
    'names the new segmentation.',
  security: bearer,
  middleware: allow(runSegmentationOp),
  request: { body: { required: true, content: { 'application/json': { schema: SegmentInput } } } },
  responses: { ...JobAccepted, ...pick(400, 401, 403, 413, 415, 422, 429) },
});

const list = createRoute({
  method: 'get',
  path: '/v1/segmentations',
  tags: ['segmentations'],
  summary: listSegmentationsOp.summary,
  security: bearer,
  middleware: readers,
  responses: {
    200: {
      description: 'Summaries',
      content: { 'application/json': { schema: z.object({ segmentations: z.array(SegmentationSummary) }) } },
    },
    ...pick(401, 403, 429),
  },
});

const get = createRoute({
  method: 'get',
  path: '/v1/segmentations/{id}',
  tags: ['segmentations'],
  summary: getSegmentationOp.summary,
  security: bearer,
  middleware: readers,
  request: { params: IdParam },
  responses: {
    200: {
      description: 'The segmentation manifest',
      content: {
        'application/json': {
          schema: z
            .object({ id: z.string(), segments: z.array(SegmentSummary.passthrough()) })
            .passthrough()
            .openapi('Segmentation'),
        },
      },
    },
    ...pick(401, 403, 404, 429),
  },
});

const members = createRoute({
  method: 'get',
  path: '/v1/segmentations/{id}/segments/{segmentId}/members',
  tags: ['segmentations'],
  summary: segmentMembersOp.summary,
  security: bearer,
  middleware: allow(segmentMembersOp),
  request: { params: z.object({ id: z.string().min(1), segmentId: z.string().min(1) }) },
  responses: {
    200: {
      description: 'Member IDs',
      content: {
        'application/json': {
          schema: z.object({
            segmentationId: z.string(),
            segmentId: z.string(),
            memberIds: z.array(z.string()),
          }),
        },
      },
    },
    ...pick(401, 403, 404, 429),
  },
});

/** Query strings carry text: the operation's numbers and flags, coerced. */
const AffinityQuery = AffinityInput.omit({ id: true }).extend({
  minSupport: z.coerce.number().pipe(AffinityInput.shape.minSupport.unwrap()).optional(),
  minLinked: z.coerce.number().pipe(AffinityInput.shape.minLinked.unwrap()).optional(),
  confidence: z.coerce.number().pipe(AffinityInput.shape.confidence.unwrap()).optional(),
  includeSuppressed: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  limit: z.coerce.number().pipe(z.number().int().min(1).max(1000)).default(50),
});

const affinity = createRoute({
  method: 'get',
  path: '/v1/segmentations/{id}/affinity',
  tags: ['segmentations'],
  summary: segmentAffinityOp.summary,
  description:
    'Without minSupport, minLinked or confidence the rows stored with the segmentation are returned; with any ' +
    'of them the affinity is recomputed from the workspace under those rules.',
  security: bearer,
  middleware: readers,
  request: { params: IdParam, query: AffinityQuery },
  responses: {
    200: {
      description: 'Affinity rows per segment',
      content: { 'application/json': { schema: AffinityResponse } },
    },
    ...pick(401, 403, 404, 422, 429),
  },
});

const siteVisitors = createRoute({
  method: 'get',
  path: '/v1/segmentations/{id}/site-visitors',
  tags: ['segmentations'],
  summary: siteVisitorsOp.summary,
  security: bearer,
  middleware: readers,
  request: { params: IdParam },
  responses: {
    200: {
      description: 'The comparison, or null with the reason when the workspace has no site visits',
      content: {
        'application/json': {
          schema: z.object({
            segmentationId: z.string().nullable(),
            comparison: z.object({}).passthrough().nullable(),
            reason: z.string().nullable(),
          }),
        },
      },
    },
    ...pick(401, 403, 404, 429),
  },
});

/** Segmentation routes: each an adapter over its operation in `ops/segments`. */
export function segmentationRoutes(deps: ApiDeps) {
  return routeGroup()
    .openapi(train, async (c) => {
      const job = await submitOp(c, deps, runSegmentationOp, c.req.valid('json'));
      return c.json(jobView(job), 202, { location: `/v1/jobs/${job.id}` });
    })
    .openapi(list, async (c) => c.json(await listSegmentationsOp.run(opContext(c, deps), {}), 200))
    .openapi(get, async (c) =>
      c.json(await getSegmentationOp.run(opContext(c, deps), c.req.valid('param')), 200),
    )
    .openapi(members, async (c) =>
      c.json(await segmentMembersOp.run(opContext(c, deps), c.req.valid('param')), 200),
    )
    .openapi(affinity, async (c) => {
      need(deps.workspace, 'workspace');
      const result = await segmentAffinityOp.run(opContext(c, deps), {
        ...c.req.valid('query'),
        id: c.req.valid('param').id,
      });
      return c.json(result, 200);
    })
    .openapi(siteVisitors, async (c) =>
      c.json(await siteVisitorsOp.run(opContext(c, deps), c.req.valid('param')), 200),
    );
}
