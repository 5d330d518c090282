import { createRoute, z } from '@hono/zod-openapi';
import { explainAudience, FrontierCache } from '../../audience/index.ts';
import { DOMAIN_JOBS } from '../../jobs/index.ts';
import {
  diagnoseSeed,
  explainIds,
  type LookalikeManifest,
  listLookalikeModels,
  loadLookalikeModel,
  type SeedSpec,
  type TrainLookalikeOptions,
} from '../../lookalike/index.ts';
import { ConflictError, InsufficientDataError, InvalidInputError } from '../../schema/index.ts';
import type { Workspace } from '../../store/index.ts';
import type { ApiApp, ApiDeps } from '../app-types.ts';
import { requireRole } from '../auth.ts';
import { bearer, Day, JobAccepted, jsonLimit, pathId, pick } from '../schemas.ts';

const IdParam = pathId('lm_demo_top_segment');
const Ids = (what: string) =>
  z.array(z.string().min(1).max(200)).max(2_000_000).openapi({ description: what });

export const SeedSpecSchema = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('segment'),
        segmentationId: z.string().min(1),
        segmentId: z.string().min(1).openapi({ example: 'seg_01' }),
      })
      .strict(),
    z.object({ kind: z.literal('members'), memberIds: Ids('member IDs').min(1) }).strict(),
    z.object({ kind: z.literal('third_party_ids'), tpIds: Ids('third-party IDs').min(1) }).strict(),
    z
      .object({
        kind: z.literal('purchase'),
        nameContains: z.string().min(1).max(200).optional(),
        productIds: Ids('product IDs').optional(),
        categories: z.array(z.string().min(1)).max(1000).optional(),
        since: Day.optional(),
        until: Day.optional(),
        minSpend: z.number().min(0).optional(),
      })
      .strict()
      .refine((s) => s.nameContains || s.productIds?.length || s.categories?.length, {
        message: 'a purchase seed needs nameContains, productIds or categories',
      }),
    z
      .object({
        kind: z.literal('top_value'),
        count: z.number().int().min(1).optional(),
        share: z.number().gt(0).lt(1).optional(),
        since: Day.optional(),
        until: Day.optional(),
      })
      .strict()
      .refine((s) => (s.count === undefined) !== (s.share === undefined), {
        message: 'a top_value seed needs exactly one of count or share',
      }),
  ])
  .openapi('SeedSpec');

const Universe = z.enum(['third_party', 'members']);

export const TrainModelRequest = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'use 1-100 letters, digits, "_", "-" or "."')
      .optional(),
    seed: SeedSpecSchema,
    negativeSeed: SeedSpecSchema.optional(),
    universe: Universe.openapi({ description: 'third_party (acquisition) or members (cross-sell)' }),
    exclusions: z
      .object({
        existingCustomers: z.boolean().optional(),
        optedOut: Ids('opted-out IDs, never scored').optional(),
        ids: Ids('other IDs to leave out').optional(),
      })
      .strict()
      .optional(),
    asOf: Day.optional(),
    since: Day.optional(),
    randomSeed: z.number().int().min(0).optional(),
    unlabelledSample: z.number().int().min(200).max(500_000).optional(),
    minSeedSize: z.number().int().min(20).max(1_000_000).optional(),
  })
  .strict()
  .openapi('TrainModelRequest');

const DiagnoseRequest = z
  .object({ seed: SeedSpecSchema, universe: Universe, asOf: Day.optional() })
  .strict()
  .openapi('DiagnoseSeedRequest');

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
    warnings: z.array(z.object({ code: z.string(), message: z.string() })),
  })
  .openapi('SeedDiagnostics');

const ModelSummary = z
  .object({
    id: z.string(),
    createdAt: z.string(),
    universe: Universe,
    architecture: z.string(),
    seed: z.object({ description: z.string(), size: z.number(), matched: z.number() }),
    distinctiveness: z.number().nullable(),
    estimatedPositiveShare: z.number().nullable(),
    warnings: z.array(z.object({ code: z.string(), message: z.string() })),
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
    lift: z.number(),
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
  summary: 'Train a lookalike model from a 1st-party seed (runs as a job)',
  description:
    'The seed is checked before the job is queued: an unknown segmentation or segment is 404, a seed that matches ' +
    'too few people is 422 with its diagnostics, an existing model id is 409.',
  security: bearer,
  middleware: [requireRole('data_scientist'), jsonLimit(32 * 1024 * 1024)] as const,
  request: { body: { required: true, content: { 'application/json': { schema: TrainModelRequest } } } },
  responses: { ...JobAccepted, ...pick(400, 401, 403, 404, 409, 413, 415, 422, 429) },
});

const diagnose = createRoute({
  method: 'post',
  path: '/v1/lookalike-models/diagnose',
  tags: ['models'],
  summary: 'Seed diagnostics without training: size, match rate, share of members, warnings',
  security: bearer,
  middleware: [requireRole('data_scientist', 'marketer'), jsonLimit(32 * 1024 * 1024)] as const,
  request: { body: { required: true, content: { 'application/json': { schema: DiagnoseRequest } } } },
  responses: {
    200: { description: 'Diagnostics', content: { 'application/json': { schema: DiagnosticsSchema } } },
    ...pick(400, 401, 403, 404, 413, 415, 422, 429),
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/lookalike-models',
  tags: ['models'],
  summary: 'Lookalike models, newest first',
  security: bearer,
  middleware: [requireRole('data_scientist', 'marketer')] as const,
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
  summary: 'A model: seed and its diagnostics, data, candidates and validation metrics, calibration',
  description: 'Seed and exclusion ID lists are given as counts, never as IDs.',
  security: bearer,
  middleware: [requireRole('data_scientist', 'marketer')] as const,
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
  summary: 'Expected precision (with its interval), positives, recall and lift at every audience size',
  description: 'A grid of `steps` sizes, or with `size` the one point at exactly that size.',
  security: bearer,
  middleware: [requireRole('data_scientist', 'marketer')] as const,
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

const explain = createRoute({
  method: 'get',
  path: '/v1/lookalike-models/{id}/explain',
  tags: ['models'],
  summary:
    'What drives the model: features of the top of its ranking, or the contributions for one scored ID',
  security: bearer,
  middleware: [requireRole('data_scientist', 'marketer')] as const,
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
      description: 'Drivers, or the one ID with its score and contributions',
      content: {
        'application/json': {
          schema: z.object({
            modelId: z.string(),
            size: z.number().int().nullable(),
            drivers: z.array(DriverSchema),
            explanation: z
              .object({
                id: z.string(),
                score: z.number(),
                contributions: z.array(
                  z.object({ feature: z.string(), value: z.number(), contribution: z.number() }),
                ),
              })
              .nullable(),
          }),
        },
      },
    },
    ...pick(401, 403, 404, 422, 429),
  },
});

const countIds = (spec: SeedSpec): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...spec };
  for (const key of ['memberIds', 'tpIds', 'productIds'] as const) {
    const v = (spec as Record<string, unknown>)[key];
    if (Array.isArray(v)) {
      delete out[key];
      out[`${key.slice(0, -3)}Count`] = v.length;
    }
  }
  return out;
};

/** A manifest for the API: seed lists as counts, and none of the weight and calibration layouts. */
export function publicModel(m: LookalikeManifest): Record<string, unknown> {
  const { layers: _layers, calibrationLayout: _layout, seed, negativeSeed, ...rest } = m;
  return {
    ...rest,
    seed: { ...seed, spec: countIds(seed.spec) },
    negativeSeed: negativeSeed ? { ...negativeSeed, spec: countIds(negativeSeed.spec) } : null,
  };
}

const summary = (m: LookalikeManifest) => ({
  id: m.id,
  createdAt: m.createdAt,
  universe: m.universe,
  architecture: m.architecture,
  seed: { description: m.seed.description, size: m.seed.size, matched: m.seed.matched },
  distinctiveness: m.diagnostics.distinctiveness,
  estimatedPositiveShare: m.diagnostics.estimatedPositiveShare,
  warnings: m.diagnostics.warnings,
});

async function modelExists(ws: Workspace, id: string): Promise<boolean> {
  return (await ws.artifacts.get(`lookalike-models/${id}/manifest.json`)) !== null;
}

/** The route definitions of this module, for the typed client (`AppType`). */
export const modelsRoutes = { train, diagnose, list, get, frontier, explain } as const;

export function registerModelRoutes(app: ApiApp, deps: ApiDeps): void {
  const { workspace: ws, jobs } = deps;
  if (!ws) return;
  const frontiers = new FrontierCache(ws);

  app.openapi(diagnose, async (c) => {
    const body = c.req.valid('json');
    return c.json(await diagnoseSeed(ws, body as Parameters<typeof diagnoseSeed>[1]), 200);
  });

  if (jobs) {
    app.openapi(train, async (c) => {
      const body = c.req.valid('json') as TrainLookalikeOptions;
      if (body.id && (await modelExists(ws, body.id)))
        throw new ConflictError(
          `model "${body.id}" already exists; models are immutable, choose another id`,
          'id',
        );
      if (body.universe === 'members' && body.seed.kind === 'third_party_ids')
        throw new InvalidInputError(
          'a third_party_ids seed works only with the third_party universe',
          'seed.kind',
        );
      // Cheap checks now, so a bad seed is answered at once rather than as a failed job.
      const d = await diagnoseSeed(ws, body);
      const min = body.minSeedSize ?? 100;
      if (d.matched < min) {
        const e = new InsufficientDataError(
          `the seed matched ${d.matched} ${body.universe === 'third_party' ? 'third-party profiles' : 'members'}; at least ${min} are needed to train`,
          'seed',
        );
        Object.assign(e.extra, { diagnostics: d });
        throw e;
      }
      const job = await jobs.submit(DOMAIN_JOBS.lookalike, body, c.get('principal').keyId);
      return c.json(job, 202, { location: `/v1/jobs/${job.id}` }) as never;
    });
  }

  app.openapi(list, async (c) =>
    c.json({ models: (await listLookalikeModels(ws.artifacts)).map(summary) }, 200),
  );

  app.openapi(get, async (c) => {
    const { manifest } = await loadLookalikeModel(ws.artifacts, c.req.valid('param').id);
    return c.json(publicModel(manifest) as never, 200);
  });

  app.openapi(frontier, async (c) => {
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    const { frontier: f, snapshot } = await frontiers.get(id);
    if (q.size !== undefined && q.size > f.size)
      throw new InvalidInputError(
        `size ${q.size} is larger than the universe (${f.size} after exclusions)`,
        'size',
      );
    const points = q.size !== undefined ? [f.at(q.size)] : f.grid(q.steps, [], 10);
    return c.json({ modelId: id, snapshot, summary: f.summary, points }, 200);
  });

  app.openapi(explain, async (c) => {
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    if (q.id) {
      const [e] = await explainIds(ws, id, [q.id], q.top);
      return c.json({ modelId: id, size: null, drivers: [], explanation: e ?? null }, 200);
    }
    const drivers = await explainAudience(ws, id, q.size, { top: q.top });
    return c.json({ modelId: id, size: q.size, drivers, explanation: null }, 200);
  });
}
