import { createRoute, z } from '@hono/zod-openapi';
import {
  type AudienceManifest,
  type AudienceTarget,
  type CreateAudienceOptions,
  DEFAULT_MIN_SIZE,
  listAudiences,
  openAudience,
  relaxConditions,
} from '../../audience/index.ts';
import { DOMAIN_JOBS } from '../../jobs/index.ts';
import { loadLookalikeModel } from '../../lookalike/index.ts';
import { ConflictError, InvalidInputError } from '../../schema/index.ts';
import type { ApiApp, ApiDeps } from '../app-types.ts';
import { requireRole } from '../auth.ts';
import { bearer, JobAccepted, jsonLimit, pathId, pick } from '../schemas.ts';

const IdParam = pathId('au_demo');
const AudienceId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'use 1-100 letters, digits, "_", "-" or "."');

export const TargetSchema = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('size'),
        size: z
          .number()
          .int()
          .min(DEFAULT_MIN_SIZE, `audiences smaller than ${DEFAULT_MIN_SIZE} people are never released`),
      })
      .strict(),
    z
      .object({
        kind: z.literal('precision'),
        minPrecision: z.number().gt(0).lt(1),
        basis: z.enum(['expected', 'lower']).optional().openapi({
          description: 'hold the expected precision, or its interval lower bound, to minPrecision',
        }),
      })
      .strict(),
    z
      .object({
        kind: z.literal('budget'),
        costPerContact: z.number().positive().openapi({ description: 'cost of reaching one person (yen)' }),
        valuePerConversion: z.number().positive().openapi({ description: 'value of one conversion (yen)' }),
        conversionRate: z
          .number()
          .gt(0)
          .max(1)
          .optional()
          .openapi({ description: 'conversions per expected positive (default 1)' }),
        maxSpend: z.number().positive().optional(),
      })
      .strict(),
  ])
  .openapi('AudienceTarget');
type ApiTarget = z.infer<typeof TargetSchema>;

export const CreateAudienceRequest = z
  .object({
    modelId: z.string().min(1).max(100).openapi({ example: 'lm_demo_top_segment' }),
    id: AudienceId.optional(),
    target: TargetSchema,
    minSize: z
      .number()
      .int()
      .min(DEFAULT_MIN_SIZE, `the release minimum cannot be below ${DEFAULT_MIN_SIZE}`)
      .optional(),
    exclusions: z
      .object({
        optedOut: z.array(z.string().min(1)).max(2_000_000).optional(),
        ids: z.array(z.string().min(1)).max(2_000_000).optional(),
      })
      .strict()
      .optional(),
    needMix: z
      .union([
        z.literal(false),
        z.object({
          themes: z.array(z.string().min(1)).max(20).optional(),
          sample: z.number().int().min(1).max(50_000).optional(),
        }),
      ])
      .optional(),
  })
  .strict()
  .openapi('CreateAudienceRequest');

const ConditionSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('gender'), values: z.array(z.string().min(1)).min(1) }).strict(),
    z.object({ kind: z.literal('age_band'), values: z.array(z.string().min(1)).min(1) }).strict(),
    z.object({ kind: z.literal('region'), values: z.array(z.string().min(1)).min(1) }).strict(),
    z
      .object({
        kind: z.literal('interest'),
        category: z.string().min(1),
        minVisits: z.number().int().min(1).optional(),
      })
      .strict(),
    z.object({ kind: z.literal('search'), term: z.string().min(1) }).strict(),
  ])
  .openapi('Condition');

const RelaxRequest = z
  .object({
    modelId: z.string().min(1).max(100),
    conditions: z.array(ConditionSchema).min(1).max(12),
    targetSize: z.number().int().min(DEFAULT_MIN_SIZE),
    maxAlternatives: z.number().int().min(1).max(100).optional(),
  })
  .strict()
  .openapi('RelaxRequest');

const AudienceSchema = z
  .object({
    id: z.string(),
    modelId: z.string(),
    universe: z.enum(['third_party', 'members']),
    idKind: z.enum(['third_party', 'member']),
    target: TargetSchema,
    reached: z.boolean(),
    note: z.string(),
    size: z.number().int(),
    universeSize: z.number().int(),
    threshold: z.number(),
    expectedPrecision: z.number(),
    ci: z.tuple([z.number(), z.number()]),
    confidence: z.number(),
    expectedPositives: z.number(),
    heldOutRecall: z.number(),
    lift: z.number(),
    expectedProfit: z.number().nullable(),
    positiveShare: z.number(),
    needMix: z.record(z.string(), z.unknown()).nullable(),
    needMixReason: z.string().nullable(),
    minSize: z.number().int(),
    snapshot: z.string(),
    createdAt: z.string(),
  })
  .openapi('Audience');

const create = createRoute({
  method: 'post',
  path: '/v1/audiences',
  tags: ['audiences'],
  summary: 'Materialise an audience for a target size, a minimum precision or a budget (runs as a job)',
  description:
    `No audience smaller than ${DEFAULT_MIN_SIZE} people (or minSize) is released: a smaller size target or minSize ` +
    'is 422 at once; a precision target that only a smaller audience meets is answered with the smallest releasable ' +
    'audience, marked `reached: false`. An existing id is 409, an unknown model 404.',
  security: bearer,
  middleware: [requireRole('marketer', 'data_scientist'), jsonLimit(32 * 1024 * 1024)] as const,
  request: { body: { required: true, content: { 'application/json': { schema: CreateAudienceRequest } } } },
  responses: { ...JobAccepted, ...pick(400, 401, 403, 404, 409, 413, 415, 422, 429) },
});

const list = createRoute({
  method: 'get',
  path: '/v1/audiences',
  tags: ['audiences'],
  summary: 'Audiences, newest first',
  security: bearer,
  middleware: [requireRole('marketer', 'data_scientist')] as const,
  responses: {
    200: {
      description: 'Audience manifests',
      content: { 'application/json': { schema: z.object({ audiences: z.array(AudienceSchema) }) } },
    },
    ...pick(401, 403, 429),
  },
});

const get = createRoute({
  method: 'get',
  path: '/v1/audiences/{id}',
  tags: ['audiences'],
  summary: 'An audience: size, threshold, expected precision and interval, need mix, target',
  security: bearer,
  middleware: [requireRole('marketer', 'data_scientist')] as const,
  request: {
    params: IdParam,
    query: z.object({
      head: z.coerce
        .number()
        .int()
        .min(0)
        .max(100)
        .default(0)
        .openapi({ description: 'also return the first n IDs with scores and ranks' }),
    }),
  },
  responses: {
    200: {
      description: 'The audience',
      content: {
        'application/json': {
          schema: AudienceSchema.extend({
            head: z.array(z.object({ rank: z.number().int(), id: z.string(), score: z.number() })),
          }),
        },
      },
    },
    ...pick(401, 403, 404, 422, 429),
  },
});

const relax = createRoute({
  method: 'post',
  path: '/v1/audiences/relaxations',
  tags: ['audiences'],
  summary:
    'Which conditions of a rule-based audience to loosen to reach a size, and what each costs in precision',
  security: bearer,
  middleware: [requireRole('marketer', 'data_scientist'), jsonLimit(64 * 1024)] as const,
  request: { body: { required: true, content: { 'application/json': { schema: RelaxRequest } } } },
  responses: {
    200: {
      description: 'The plan and its alternatives',
      content: {
        'application/json': {
          schema: z
            .object({
              method: z.enum(['exact', 'beam']),
              modelId: z.string(),
              targetSize: z.number().int(),
              universeSize: z.number().int(),
              reached: z.boolean(),
              note: z.string(),
              evaluated: z.number().int(),
              full: z.object({}).passthrough(),
              plan: z.object({}).passthrough(),
              alternatives: z.array(
                z
                  .object({
                    rungs: z.array(z.number().int()),
                    changes: z.array(
                      z.object({ condition: z.number(), rung: z.number(), label: z.string() }),
                    ),
                    size: z.number().int(),
                    expectedPrecision: z.number(),
                    reachesTarget: z.boolean(),
                  })
                  .openapi('RelaxAlternative'),
              ),
            })
            .openapi('RelaxPlan'),
        },
      },
    },
    ...pick(400, 401, 403, 404, 413, 415, 422, 429),
  },
});

function domainTarget(t: ApiTarget): AudienceTarget {
  if (t.kind !== 'budget') return t;
  const { costPerContact, ...rest } = t;
  return { ...rest, costPerPerson: costPerContact };
}

function apiTarget(t: AudienceTarget): ApiTarget {
  if (t.kind !== 'budget') return t;
  const { costPerPerson, ...rest } = t;
  return { ...rest, costPerContact: costPerPerson };
}

const publicAudience = (m: AudienceManifest) => {
  const { kind: _kind, version: _version, ...rest } = m;
  return { ...rest, target: apiTarget(m.target) };
};

/** The route definitions of this module, for the typed client (`AppType`). */
export const audiencesRoutes = { create, list, get, relax } as const;

export function registerAudienceRoutes(app: ApiApp, deps: ApiDeps): void {
  const { workspace: ws, jobs } = deps;
  if (!ws) return;

  if (jobs) {
    app.openapi(create, async (c) => {
      const body = c.req.valid('json');
      const minSize = body.minSize ?? DEFAULT_MIN_SIZE;
      if (body.target.kind === 'size' && body.target.size < minSize) {
        throw new InvalidInputError(
          `target.size ${body.target.size} is below the minimum release size of ${minSize}`,
          'target.size',
        );
      }
      const model = await loadLookalikeModel(ws.artifacts, body.modelId);
      const universe = model.manifest.training.universeSize;
      if (body.target.kind === 'size' && body.target.size > universe) {
        throw new InvalidInputError(
          `target.size ${body.target.size} is larger than the model's universe (${universe} people)`,
          'target.size',
        );
      }
      if (body.id && (await ws.artifacts.get(`audiences/${body.id}/manifest.json`)) !== null) {
        throw new ConflictError(
          `audience "${body.id}" already exists; audiences are immutable, choose another id`,
          'id',
        );
      }
      const params: CreateAudienceOptions = {
        ...body,
        modelId: model.manifest.id,
        target: domainTarget(body.target),
        minSize,
      } as CreateAudienceOptions;
      const job = await jobs.submit(DOMAIN_JOBS.audience, params, c.get('principal').keyId);
      return c.json(job, 202, { location: `/v1/jobs/${job.id}` }) as never;
    });
  }

  app.openapi(list, async (c) =>
    c.json({ audiences: (await listAudiences(ws)).map(publicAudience) } as never, 200),
  );

  app.openapi(get, async (c) => {
    const { id } = c.req.valid('param');
    const { head } = c.req.valid('query');
    const a = await openAudience(ws, id);
    const members = head > 0 ? await a.members() : null;
    const n = members ? Math.min(head, members.length) : 0;
    const rows = Array.from({ length: n }, (_, k) => ({
      rank: members!.rank(k),
      id: members!.id(k),
      score: members!.score(k),
    }));
    return c.json({ ...publicAudience(a.manifest), head: rows } as never, 200);
  });

  app.openapi(relax, async (c) => {
    const body = c.req.valid('json');
    return c.json((await relaxConditions(ws, body)) as never, 200);
  });
}
