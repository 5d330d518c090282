/**
 * Need routes: each an adapter over its operation in `ops/needs` (classify, themes, retrain,
 * segment need mix). Inputs are the operations' own schemas; responses are declared field by field.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { MAX_BATCH_TEXTS, MAX_TEXT_CHARS } from '../../needs/index.ts';
import {
  ClassifyInput,
  classifyNeedsOp,
  NeedMixInput,
  needThemesOp,
  RetrainInput,
  retrainNeedsOp,
  segmentNeedMixOp,
} from '../../ops/index.ts';
import type { ApiDeps } from '../app-types.ts';
import { allow, opContext, routeGroup, submitOp } from '../ops-adapter.ts';
import { bearer, JobAccepted, jobView, pick } from '../schemas.ts';

const Polarity = z.enum(['met', 'unmet']);

const TextNeedSchema = z.object({
  id: z.string(),
  name_ja: z.string(),
  name_en: z.string(),
  score: z.number(),
  polarity: Polarity,
});

const ClauseSchema = z.object({
  text: z.string(),
  sentence: z.number().int(),
  needs: z.array(
    z.object({ id: z.string(), score: z.number(), polarity: Polarity, evidence: z.array(z.string()) }),
  ),
  negated: z.boolean(),
  adversativeBefore: z.boolean(),
  adversativeAfter: z.boolean(),
});

const NeedResultSchema = z
  .object({
    theme: z.string(),
    needs: z.array(TextNeedSchema),
    confidence: z.number().openapi({
      description: 'probability that the reported needs are exactly right (calibrated on held-out texts)',
    }),
    clauses: z.array(ClauseSchema),
    focusClause: z.number().int().nullable(),
    warnings: z.array(z.string()),
  })
  .openapi('NeedResult');

const NeedMixEntrySchema = z.object({
  id: z.string(),
  name_ja: z.string(),
  name_en: z.string(),
  texts: z.number().int(),
  textShare: z.number(),
  people: z.number().int(),
  peopleShare: z.number(),
  met: z.number().int(),
  unmet: z.number().int(),
  unmetShare: z.number(),
  meanScore: z.number(),
  index: z.number().nullable(),
});

const NeedMixSchema = z
  .object({
    theme: z.string(),
    modelVersion: z.string(),
    tpIds: z.number().int(),
    tpIdsWithTexts: z.number().int(),
    texts: z.number().int(),
    needs: z.array(NeedMixEntrySchema),
  })
  .openapi('NeedMix');

const SegmentNeedMixSchema = NeedMixSchema.extend({ segmentId: z.string(), members: z.number().int() });

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const classify = createRoute({
  method: 'post',
  path: '/v1/needs/classify',
  tags: ['needs'],
  summary: classifyNeedsOp.summary,
  description: `1 to ${MAX_BATCH_TEXTS} texts of at most ${MAX_TEXT_CHARS} characters each. Text that is not Japanese gets no needs, confidence 0 and a warning.`,
  security: bearer,
  middleware: allow(classifyNeedsOp),
  request: { body: { required: true, content: { 'application/json': { schema: ClassifyInput } } } },
  responses: {
    200: json(
      z.object({ theme: z.string(), modelVersion: z.string(), results: z.array(NeedResultSchema) }),
      'One result per text, in order',
    ),
    ...pick(400, 401, 403, 413, 415, 422, 429),
  },
});

const themes = createRoute({
  method: 'get',
  path: '/v1/needs/themes',
  tags: ['needs'],
  summary: needThemesOp.summary,
  security: bearer,
  middleware: allow(needThemesOp),
  responses: {
    200: json(
      z.object({
        themes: z.array(
          z.object({
            theme: z.string(),
            name_ja: z.string(),
            name_en: z.string(),
            needs: z.array(z.object({ id: z.string(), name_ja: z.string(), name_en: z.string() })),
            model: z.object({ version: z.string(), source: z.enum(['workspace', 'shipped', 'dictionary']) }),
            trainable: z.boolean(),
          }),
        ),
      }),
      'Themes',
    ),
    ...pick(401, 403, 429),
  },
});

const retrain = createRoute({
  method: 'post',
  path: '/v1/needs/models',
  tags: ['needs'],
  summary: `${retrainNeedsOp.summary} (runs as a job)`,
  description:
    'The new model is published to the workspace (staged, then renamed into place) and serves classify requests ' +
    'and need mixes from then on; the shipped model is never overwritten.',
  security: bearer,
  middleware: allow(retrainNeedsOp),
  request: { body: { required: true, content: { 'application/json': { schema: RetrainInput } } } },
  responses: { ...JobAccepted, ...pick(400, 401, 403, 404, 413, 415, 422, 429) },
});

const mix = createRoute({
  method: 'get',
  path: '/v1/needs/mix',
  tags: ['needs'],
  summary: segmentNeedMixOp.summary,
  description:
    'Texts are classified once per model and cached in the workspace, so the first call on a segmentation is the slow one.',
  security: bearer,
  middleware: allow(segmentNeedMixOp),
  request: { query: NeedMixInput },
  responses: {
    200: json(
      z.object({
        segmentationId: z.string(),
        theme: z.string(),
        overall: NeedMixSchema,
        segments: z.array(SegmentNeedMixSchema),
      }),
      'The overall mix and one per segment, with an index against all segments (100 = average)',
    ),
    ...pick(401, 403, 404, 422, 429),
  },
});

/** Need routes over `ops/needs`, as one chained sub-app (its type feeds the typed client). */
export function needRoutes(deps: ApiDeps) {
  return routeGroup()
    .openapi(classify, async (c) =>
      c.json(await classifyNeedsOp.run(opContext(c, deps), c.req.valid('json')), 200),
    )
    .openapi(themes, async (c) => c.json(await needThemesOp.run(opContext(c, deps), {}), 200))
    .openapi(retrain, async (c) => {
      const job = await submitOp(c, deps, retrainNeedsOp, c.req.valid('json'));
      return c.json(jobView(job), 202, { location: `/v1/jobs/${job.id}` });
    })
    .openapi(mix, async (c) =>
      c.json(await segmentNeedMixOp.run(opContext(c, deps), c.req.valid('query')), 200),
    );
}
