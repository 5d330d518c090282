/**
 * `POST /v1/lookalike-models/{id}/score`: posted profiles scored with an exported model, by the
 * portable kernel, on Node and on the Worker with the same roles. An ad_platform key may score
 * only with the models behind audiences shared with its destination (bid-time scoring of the
 * audiences it was given), and gets 404 for any other model. Imports nothing Node-only.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { modelSharedWith } from '../../export/index.ts';
import type { FeatureSpec, Profile } from '../../lookalike/feature-spec.ts';
import { vectorizeProfiles } from '../../lookalike/feature-spec.ts';
import { explainRow, type PortableModel, scoreCsr } from '../../lookalike/kernel.ts';
import { type PortableManifest, portableModelFromFiles } from '../../lookalike/portable.ts';
import { InvalidInputError, NotFoundError } from '../../schema/index.ts';
import type { ArtifactStore } from '../../store/artifacts.ts';
import { type ApiEnv, requireRole } from '../auth.ts';
import { routeGroup } from '../ops-adapter.ts';
import { problem, problemResponse } from '../problem.ts';
import { bearer, pick } from '../schemas.ts';

/** Where `lookalike/artifact.ts` publishes models (that module reads through the Node store barrel). */
const MODEL_PREFIX = 'lookalike-models';
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const MAX_PROFILES = 1000;

const TpProfileSchema = z
  .object({
    gender: z.string().max(40).nullable().optional(),
    age_band: z.string().max(40).nullable().optional(),
    region: z.string().max(100).nullable().optional(),
    interests: z.record(z.string().max(100), z.number().finite().min(0)).optional(),
    searches: z.array(z.string().max(400)).max(200).optional(),
  })
  .strict()
  .openapi('TpProfile', { description: 'A third-party profile (models of the third_party universe)' });

const MemberProfileSchema = z
  .record(z.string().max(100), z.number().finite())
  .openapi('MemberProfile', { description: 'Raw member features by name (models of the members universe)' });

const ScoreRequest = z
  .object({
    profiles: z
      .array(z.union([TpProfileSchema, MemberProfileSchema]))
      .min(1)
      .max(MAX_PROFILES),
    explain: z
      .number()
      .int()
      .min(0)
      .max(20)
      .default(0)
      .openapi({ description: 'Top feature contributions to return per profile (0: none)' }),
  })
  .openapi('ScoreRequest');

const ScoreResponse = z
  .object({
    modelId: z.string(),
    architecture: z.enum(['logistic', 'mlp']),
    scores: z.array(z.number()).openapi({ description: 'Model score in [0, 1] per profile, in order' }),
    explanations: z
      .array(z.array(z.object({ feature: z.string(), value: z.number(), contribution: z.number() })))
      .optional(),
  })
  .openapi('ScoreResponse');

/** 415 unless the body is JSON (before the validator, which would otherwise ignore other types). */
export function requireJson(): MiddlewareHandler<ApiEnv> {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i.test(type)) {
      return problemResponse(
        c,
        problem(
          'unsupported-media-type',
          415,
          `send the body as application/json, not ${type ? `"${type}"` : 'without a Content-Type'}`,
        ),
      );
    }
    await next();
  });
}

const scoreRoute = createRoute({
  method: 'post',
  path: '/v1/lookalike-models/{id}/score',
  operationId: 'scoreProfiles',
  tags: ['scoring'],
  summary: 'Score posted profiles with an exported lookalike model (the portable kernel, no DuckDB)',
  description:
    'Data scientists and marketers may score with any model; an ad_platform key only with the models behind the ' +
    'audiences shared with its destination (404 for any other).',
  security: bearer,
  middleware: [requireRole('data_scientist', 'marketer', 'ad_platform'), requireJson()] as const,
  request: {
    params: z.object({
      id: z
        .string()
        .regex(MODEL_ID)
        .openapi({ param: { name: 'id', in: 'path' }, example: 'lm_demo_top_segment' }),
    }),
    body: { content: { 'application/json': { schema: ScoreRequest } }, required: true },
  },
  responses: {
    200: { description: 'Scores', content: { 'application/json': { schema: ScoreResponse } } },
    ...pick(400, 401, 403, 404, 413, 415, 422, 429),
  },
});

const TP_KEYS = new Set(['gender', 'age_band', 'region', 'interests', 'searches']);

/** Checks each profile has the shape the model's spec reads; the first misfit is a 422 with its index. */
function checkProfiles(spec: FeatureSpec, profiles: readonly Record<string, unknown>[]): Profile[] {
  const known = spec.kind === 'members' ? new Set(spec.featureNames) : TP_KEYS;
  profiles.forEach((p, i) => {
    for (const [k, v] of Object.entries(p)) {
      if (!known.has(k)) {
        throw new InvalidInputError(
          spec.kind === 'members'
            ? `profile ${i}: "${k}" is not a feature of this model (members universe); its features are ${spec.featureNames.join(', ')}`
            : `profile ${i}: "${k}" is not a third-party profile field; use ${[...TP_KEYS].join(', ')}`,
          `profiles.${i}.${k}`,
        );
      }
      if (spec.kind === 'members' && typeof v !== 'number') {
        throw new InvalidInputError(`profile ${i}: feature "${k}" must be a number`, `profiles.${i}.${k}`);
      }
    }
  });
  return profiles as Profile[];
}

/**
 * Portable models, so an isolate keeps the few it has used. A model's files never change, but a
 * model can be deleted and its id trained again: each request reads the (small) manifest, and the
 * cache key carries its creation time, so a deleted model is 404 and a new one is never served the
 * old weights.
 */
class ModelCache {
  private readonly models = new Map<string, Promise<PortableModel>>();
  constructor(
    private readonly storeOf: () => ArtifactStore,
    private readonly capacity = 16,
  ) {}

  async get(id: string): Promise<PortableModel> {
    const manifest = await this.storeOf().get(`${MODEL_PREFIX}/${id}/manifest.json`);
    if (!manifest) throw new NotFoundError('lookalike model', id);
    const { createdAt } = JSON.parse(new TextDecoder().decode(manifest)) as { createdAt?: string };
    const key = `${id}|${createdAt ?? ''}`;
    let model = this.models.get(key);
    if (!model) {
      model = this.load(id);
      model.catch(() => this.models.delete(key));
      if (this.models.size >= this.capacity) this.models.delete(this.models.keys().next().value!);
      this.models.set(key, model);
    }
    return model;
  }

  private async load(id: string): Promise<PortableModel> {
    const prefix = `${MODEL_PREFIX}/${id}`;
    const store = this.storeOf();
    const [manifest, spec, weights] = await Promise.all([
      store.get(`${prefix}/manifest.json`),
      store.get(`${prefix}/spec.json`),
      store.get(`${prefix}/weights.bin`),
    ]);
    if (!manifest || !spec || !weights) throw new NotFoundError('lookalike model', id);
    const decoder = new TextDecoder();
    return portableModelFromFiles(
      JSON.parse(decoder.decode(manifest)) as PortableManifest,
      JSON.parse(decoder.decode(spec)) as FeatureSpec,
      weights,
    );
  }
}

/** The scoring route over models read from an artifact store (the workspace's, or R2). */
export function scoreRoutes(storeOf: () => ArtifactStore) {
  const cache = new ModelCache(storeOf);
  return routeGroup().openapi(scoreRoute, async (c) => {
    const { id } = c.req.valid('param');
    const p = c.get('principal');
    // Same answer for "not shared with you" and "does not exist".
    if (p.role === 'ad_platform' && !(await modelSharedWith(storeOf(), p.destination ?? '', id)))
      throw new NotFoundError('lookalike model', id);
    const body = c.req.valid('json');
    const model = await cache.get(id);
    const x = vectorizeProfiles(model.spec, checkProfiles(model.spec, body.profiles));
    const scores = [...scoreCsr(model, x)];
    const explanations =
      body.explain > 0 ? scores.map((_, i) => explainRow(model, x, i, body.explain)) : undefined;
    return c.json(
      { modelId: id, architecture: model.architecture, scores, ...(explanations ? { explanations } : {}) },
      200,
    );
  });
}
