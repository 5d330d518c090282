import { createRoute, z } from '@hono/zod-openapi';
import { TIE_AUC } from '../../lookalike/index.ts';
import {
  DiagnoseInput,
  diagnoseSeedOp,
  explainModelOp,
  getModelOp,
  ListModelsInput,
  listModelsOp,
  modelFrontierOp,
  TrainModelInput,
  trainModelOp,
} from '../../ops/index.ts';
import type { ApiDeps } from '../app-types.ts';
import { allow, opContext, routeGroup, submitOp } from '../ops-adapter.ts';
import { bearer, JobAccepted, jobView, pathId, pick } from '../schemas.ts';

const IdParam = pathId('lm_demo_top_segment');
const Universe = z.enum(['third_party', 'members']);

const WarningSchema = z
  .object({
    code: z.string(),
    message: z.string(),
    messageJa: z.string().optional().openapi({ description: 'the same in Japanese' }),
  })
  .openapi('SeedWarning', {
    description:
      'codes: too_small, low_match_rate, not_distinctive, too_broad (over 40% of members, or an estimated 30% of the universe), large_share (over 20% of members)',
  });

const DiagnosticsSchema = z
  .object({
    kind: z.string(),
    seedSize: z.number(),
    matched: z.number(),
    matchRate: z.number().nullable(),
    negatives: z.number(),
    shareOfMembers: z.number().nullable(),
    distinctiveness: z.number().nullable(),
    estimatedPositiveShare: z.number().nullable(),
    warnings: z.array(WarningSchema),
  })
  .openapi('SeedDiagnostics');

const ModelSummary = z
  .object({
    id: z.string(),
    createdAt: z.string(),
    universe: Universe,
    architecture: z.string(),
    seed: z.object({ description: z.string(), size: z.number(), matched: z.number() }),
    dataFingerprint: z.string(),
    distinctiveness: z.number().nullable(),
    estimatedPositiveShare: z.number().nullable(),
    warnings: z.array(WarningSchema),
    tags: z.array(z.string()),
    retrainedFrom: z.string().nullable().openapi({ description: 'the model this one was retrained from' }),
    backtests: z
      .number()
      .int()
      .openapi({ description: 'backtests recorded (details: POST /v1/lookalike-models/compare)' }),
  })
  .openapi('ModelSummary');

const PointSchema = z
  .object({
    size: z.number().int(),
    share: z.number(),
    threshold: z.number(),
    expectedPrecision: z.number(),
    ci: z.tuple([z.number(), z.number()]),
    expectedPositives: z.number(),
    heldOutRecall: z.number(),
    lift: z.number().nullable().openapi({
      description:
        'precision over the estimated positive share; null when that share is 0 (nobody outside the seed resembles it)',
    }),
  })
  .openapi('FrontierPoint');

const FrontierSummarySchema = z
  .object({
    universeSize: z.number().int(),
    positiveShare: z.number(),
    positiveShareCi: z.tuple([z.number(), z.number()]),
    expectedPositivesTotal: z.number(),
    bestBinSize: z.number(),
    confidence: z.number(),
  })
  .openapi('FrontierSummary');

const DriverSchema = z
  .object({
    feature: z.string(),
    meanContribution: z.number(),
    prevalence: z.number(),
    referencePrevalence: z.number(),
    index: z.number().nullable(),
  })
  .openapi('FeatureDriver');

const train = createRoute({
  method: 'post',
  path: '/v1/lookalike-models',
  tags: ['models'],
  summary: `${trainModelOp.summary} (runs as a job)`,
  description:
    'The seed is checked before the job is queued: an unknown segmentation or segment is 404, a seed that matches ' +
    'too few people is 422 with its diagnostics, an existing model id is 409. Training fits logistic regression and ' +
    `an MLP and keeps the higher validation AUC, except that logistic is kept when the MLP is ahead by less than ${TIE_AUC} ` +
    'or by no more than one standard error of the difference (the simpler model wins when the data cannot tell them ' +
    'apart); POST /v1/lookalike-models/compare states which way the rule went for each model.',
  security: bearer,
  middleware: allow(trainModelOp),
  request: { body: { required: true, content: { 'application/json': { schema: TrainModelInput } } } },
  responses: { ...JobAccepted, ...pick(400, 401, 403, 404, 409, 413, 415, 422, 429) },
});

const diagnose = createRoute({
  method: 'post',
  path: '/v1/lookalike-models/diagnose',
  tags: ['models'],
  summary: diagnoseSeedOp.summary,
  security: bearer,
  middleware: allow(diagnoseSeedOp),
  request: { body: { required: true, content: { 'application/json': { schema: DiagnoseInput } } } },
  responses: {
    200: { description: 'Diagnostics', content: { 'application/json': { schema: DiagnosticsSchema } } },
    ...pick(400, 401, 403, 404, 413, 415, 422, 429),
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/lookalike-models',
  tags: ['models'],
  summary: listModelsOp.summary,
  description:
    'Marketers read the list; tagging, deleting, retraining and comparing are for data scientists.',
  security: bearer,
  middleware: allow(listModelsOp),
  request: { query: ListModelsInput },
  responses: {
    200: {
      description: 'Summaries',
      content: { 'application/json': { schema: z.object({ models: z.array(ModelSummary) }) } },
    },
    ...pick(401, 403, 429),
  },
});

const get = createRoute({
  method: 'get',
  path: '/v1/lookalike-models/{id}',
  tags: ['models'],
  summary: getModelOp.summary,
  description: 'Seed and exclusion ID lists are given as counts, never as IDs.',
  security: bearer,
  middleware: allow(getModelOp),
  request: { params: IdParam },
  responses: {
    200: {
      description: 'The model manifest',
      content: {
        'application/json': {
          schema: z
            .object({ id: z.string(), universe: Universe, diagnostics: DiagnosticsSchema })
            .passthrough()
            .openapi('LookalikeModel'),
        },
      },
    },
    ...pick(401, 403, 404, 429),
  },
});

const frontier = createRoute({
  method: 'get',
  path: '/v1/lookalike-models/{id}/frontier',
  tags: ['models'],
  summary: modelFrontierOp.summary,
  description: 'A grid of `steps` sizes, or with `size` the one point at exactly that size.',
  security: bearer,
  middleware: allow(modelFrontierOp),
  request: {
    params: IdParam,
    query: z.object({
      steps: z.coerce.number().int().min(2).max(1000).default(40),
      size: z.coerce.number().int().min(1).optional(),
    }),
  },
  responses: {
    200: {
      description: 'The frontier',
      content: {
        'application/json': {
          schema: z.object({
            modelId: z.string(),
            snapshot: z.string(),
            summary: FrontierSummarySchema,
            points: z.array(PointSchema),
          }),
        },
      },
    },
    ...pick(401, 403, 404, 422, 429),
  },
});

const ExplanationSchema = z
  .object({
    id: z.string(),
    score: z.number(),
    contributions: z.array(z.object({ feature: z.string(), value: z.number(), contribution: z.number() })),
  })
  .openapi('IdExplanation');

const explain = createRoute({
  method: 'get',
  path: '/v1/lookalike-models/{id}/explain',
  tags: ['models'],
  summary: explainModelOp.summary,
  security: bearer,
  middleware: allow(explainModelOp),
  request: {
    params: IdParam,
    query: z.object({
      size: z.coerce
        .number()
        .int()
        .min(1)
        .default(1000)
        .openapi({ description: 'the top of the ranking to explain' }),
      id: z.string().min(1).max(200).optional().openapi({ description: 'one ID of the universe to explain' }),
      top: z.coerce.number().int().min(1).max(100).default(15),
    }),
  },
  responses: {
    200: {
      description: 'Drivers of the top of the ranking, or the one ID with its score and contributions',
      content: {
        'application/json': {
          schema: z.object({
            modelId: z.string(),
            size: z.number().int().nullable(),
            drivers: z.array(DriverSchema),
            explanations: z.array(ExplanationSchema),
          }),
        },
      },
    },
    ...pick(401, 403, 404, 422, 429),
  },
});

/** Lookalike-model routes: each an adapter over its operation in `ops/lookalike`. */
export function modelRoutes(deps: ApiDeps) {
  return routeGroup()
    .openapi(diagnose, async (c) =>
      c.json(await diagnoseSeedOp.run(opContext(c, deps), c.req.valid('json')), 200),
    )
    .openapi(train, async (c) => {
      const job = await submitOp(c, deps, trainModelOp, c.req.valid('json'));
      return c.json(jobView(job), 202, { location: `/v1/jobs/${job.id}` });
    })
    .openapi(list, async (c) => c.json(await listModelsOp.run(opContext(c, deps), c.req.valid('query')), 200))
    .openapi(get, async (c) => c.json(await getModelOp.run(opContext(c, deps), c.req.valid('param')), 200))
    .openapi(frontier, async (c) => {
      const q = c.req.valid('query');
      const input = {
        id: c.req.valid('param').id,
        steps: q.steps,
        sizes: q.size === undefined ? [] : [q.size],
      };
      return c.json(await modelFrontierOp.run(opContext(c, deps), input), 200);
    })
    .openapi(explain, async (c) => {
      const q = c.req.valid('query');
      const input = { id: c.req.valid('param').id, size: q.size, top: q.top, ids: q.id ? [q.id] : [] };
      return c.json(await explainModelOp.run(opContext(c, deps), input), 200);
    });
}
