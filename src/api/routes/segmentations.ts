import { createRoute, z } from '@hono/zod-openapi';
import { type AffinityReport, DIMENSIONS, segmentAffinity } from '../../enrich/index.ts';
import { DOMAIN_JOBS } from '../../jobs/index.ts';
import { NotFoundError } from '../../schema/index.ts';
import { listSegmentations, loadSegmentation, type SegmentationOptions } from '../../segment/index.ts';
import type { ApiApp, ApiDeps } from '../app-types.ts';
import { requireRole } from '../auth.ts';
import { bearer, Day, JobAccepted, jsonLimit, pathId, pick } from '../schemas.ts';

const IdParam = pathId('sgm_20261121_030000_ab12cd');

export const SegmentationRequest = z
  .object({
    k: z
      .number()
      .int()
      .min(2)
      .max(100)
      .optional()
      .openapi({ description: 'fixed number of segments; otherwise chosen by the data' }),
    kRange: z
      .tuple([z.number().int().min(2).max(100), z.number().int().min(2).max(100)])
      .optional()
      .openapi({ description: 'candidate k, inclusive (default [3, 15])' }),
    asOf: Day.optional().openapi({ description: 'only purchases before this day' }),
    seed: z.number().int().min(0).optional(),
    categoryLevel: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
    sampleSize: z.number().int().min(100).max(1_000_000).optional(),
    affinity: z
      .union([
        z.literal(false),
        z.object({
          minSupport: z.number().int().min(1).optional(),
          minLinked: z.number().int().min(1).optional(),
        }),
      ])
      .optional()
      .openapi({ description: 'affinity rules, or false to skip third-party enrichment' }),
  })
  .strict()
  .refine((v) => !v.kRange || v.kRange[0] <= v.kRange[1], {
    message: 'kRange must be [low, high] with low <= high',
    path: ['kRange'],
  })
  .openapi('SegmentationRequest');

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

const train = createRoute({
  method: 'post',
  path: '/v1/segmentations',
  tags: ['segmentations'],
  summary: 'Segment members by how they buy (runs as a job)',
  description:
    'k-means on purchase features, k chosen by silhouette unless given, then profiles, Pareto, growth grid and ' +
    'third-party affinity. The job result names the new segmentation.',
  security: bearer,
  middleware: [requireRole('data_scientist'), jsonLimit(64 * 1024)] as const,
  request: { body: { required: true, content: { 'application/json': { schema: SegmentationRequest } } } },
  responses: { ...JobAccepted, ...pick(400, 401, 403, 413, 415, 422, 429) },
});

const list = createRoute({
  method: 'get',
  path: '/v1/segmentations',
  tags: ['segmentations'],
  summary: 'Published segmentations, newest first',
  security: bearer,
  middleware: [requireRole('data_scientist', 'marketer')] as const,
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
  summary:
    'Segments with profiles and names, Pareto, growth grid, third-party affinity and site-visitor comparison',
  security: bearer,
  middleware: [requireRole('data_scientist', 'marketer')] as const,
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

const affinity = createRoute({
  method: 'get',
  path: '/v1/segmentations/{id}/affinity',
  tags: ['segmentations'],
  summary: 'Third-party affinity by segment and dimension, ranked by the interval lower bound',
  description:
    'Without minSupport, minLinked or confidence the rows stored with the segmentation are returned; with any ' +
    'of them the affinity is recomputed from the workspace under those rules.',
  security: bearer,
  middleware: [requireRole('data_scientist', 'marketer')] as const,
  request: {
    params: IdParam,
    query: z.object({
      segmentId: z.string().optional(),
      dimension: z.enum(DIMENSIONS).optional(),
      minSupport: z.coerce.number().int().min(1).max(100_000).optional(),
      minLinked: z.coerce.number().int().min(1).max(1_000_000).optional(),
      confidence: z.coerce
        .number()
        .refine((v) => [0.8, 0.9, 0.95, 0.98, 0.99].includes(v), 'must be 0.8, 0.9, 0.95, 0.98 or 0.99')
        .optional(),
      includeSuppressed: z.enum(['true', 'false']).default('false'),
      limit: z.coerce.number().int().min(1).max(1000).default(50),
    }),
  },
  responses: {
    200: {
      description: 'Affinity rows per segment',
      content: {
        'application/json': {
          schema: z.object({
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
          }),
        },
      },
    },
    ...pick(401, 403, 404, 422, 429),
  },
});

const siteVisitors = createRoute({
  method: 'get',
  path: '/v1/segmentations/{id}/site-visitors',
  tags: ['segmentations'],
  summary: 'Site visitors who buy compared with those who do not (as stored with the segmentation)',
  security: bearer,
  middleware: [requireRole('data_scientist', 'marketer')] as const,
  request: { params: IdParam },
  responses: {
    200: {
      description: 'The comparison, or null with the reason when the workspace has no site visits',
      content: {
        'application/json': {
          schema: z.object({
            segmentationId: z.string(),
            comparison: z.object({}).passthrough().nullable(),
            reason: z.string().nullable(),
          }),
        },
      },
    },
    ...pick(401, 403, 404, 429),
  },
});

/** The route definitions of this module, for the typed client (`AppType`). */
export const segmentationsRoutes = { train, list, get, affinity, siteVisitors } as const;

export function registerSegmentationRoutes(app: ApiApp, deps: ApiDeps): void {
  const { workspace: ws, jobs } = deps;
  if (!ws || !jobs) return;
  app.openapi(train, async (c) => {
    const body = c.req.valid('json');
    const params: SegmentationOptions = { ...body };
    const job = await jobs.submit(DOMAIN_JOBS.segmentation, params, c.get('principal').keyId);
    return c.json(job, 202, { location: `/v1/jobs/${job.id}` }) as never;
  });
  app.openapi(list, async (c) => c.json({ segmentations: await listSegmentations(ws) }, 200));
  app.openapi(get, async (c) => c.json((await loadSegmentation(ws, c.req.valid('param').id)) as never, 200));
  app.openapi(affinity, async (c) => {
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    const m = await loadSegmentation(ws, id);
    const recompute = q.minSupport !== undefined || q.minLinked !== undefined || q.confidence !== undefined;
    const report: AffinityReport | null = recompute
      ? await segmentAffinity(ws, id, {
          ...(q.minSupport !== undefined ? { minSupport: q.minSupport } : {}),
          ...(q.minLinked !== undefined ? { minLinked: q.minLinked } : {}),
          ...(q.confidence !== undefined ? { confidence: q.confidence } : {}),
          ...(q.dimension ? { dimensions: [q.dimension] } : {}),
        })
      : m.affinity;
    const segments = (report?.segments ?? [])
      .filter((s) => !q.segmentId || s.segmentId === q.segmentId)
      .map((s) => ({
        ...s,
        rows: s.rows
          .filter(
            (r) =>
              (!q.dimension || r.dimension === q.dimension) &&
              (q.includeSuppressed === 'true' || !r.suppressed),
          )
          .slice(0, q.limit),
      }));
    if (q.segmentId && !m.segments.some((s) => s.segmentId === q.segmentId)) {
      throw new NotFoundError(
        'segment',
        q.segmentId,
        `segmentation ${id} has ${m.segments.map((s) => s.segmentId).join(', ')}`,
      );
    }
    return c.json(
      {
        segmentationId: id,
        recomputed: recompute,
        options: (report?.options as unknown as Record<string, unknown>) ?? null,
        population: (report?.population as unknown as Record<string, unknown>) ?? null,
        segments,
      },
      200,
    );
  });
  app.openapi(siteVisitors, async (c) => {
    const { id } = c.req.valid('param');
    const m = await loadSegmentation(ws, id);
    return c.json(
      {
        segmentationId: id,
        comparison: (m.siteVisitors as unknown as Record<string, unknown>) ?? null,
        reason: m.siteVisitors ? null : 'the workspace had no site visits when this segmentation was built',
      },
      200,
    );
  });
}
