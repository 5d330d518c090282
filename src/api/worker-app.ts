import { createRoute, z } from '@hono/zod-openapi';
import type { FeatureSpec, Profile } from '../lookalike/feature-spec.ts';
import { vectorizeProfiles } from '../lookalike/feature-spec.ts';
import { explainRow, type PortableModel, scoreCsr } from '../lookalike/kernel.ts';
import { type PortableManifest, portableModelFromFiles } from '../lookalike/portable.ts';
import { InvalidInputError, NotFoundError } from '../schema/index.ts';
import type { ArtifactStore } from '../store/artifacts.ts';
import type { ApiApp, CoreDeps } from './app-types.ts';
import { requireRole } from './auth.ts';
import { createCoreApp } from './core.ts';
import { registerExportRoutes, requireJson } from './routes/exports.ts';
import { bearer, pick } from './schemas.ts';

/** What the Worker has: artifacts in R2, keys from its configuration, no DuckDB, no job queue. */
export interface WorkerDeps extends CoreDeps {
  artifacts: ArtifactStore;
  /** Smallest audience released to a destination (default 100). */
  exportMinSize?: number;
}

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

const scoreRoute = createRoute({
  method: 'post',
  path: '/v1/lookalike-models/{id}/score',
  tags: ['scoring'],
  summary: 'Score posted profiles with an exported lookalike model (runs at the edge, no DuckDB)',
  security: bearer,
  middleware: [requireRole('data_scientist', 'marketer'), requireJson()] as const,
  request: {
    params: z.object({
      id: z
        .string()
        .regex(MODEL_ID)
        .openapi({ param: { name: 'id', in: 'path' }, example: 'lm_20260401_ab12cd34' }),
    }),
    body: { content: { 'application/json': { schema: ScoreRequest } }, required: true },
  },
  responses: {
    200: { description: 'Scores', content: { 'application/json': { schema: ScoreResponse } } },
    ...pick(400, 401, 403, 404, 415, 422, 429),
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

/** Portable models by ID: immutable artifacts, so an isolate keeps the few it has used. */
class ModelCache {
  private readonly models = new Map<string, Promise<PortableModel>>();
  constructor(
    private readonly store: ArtifactStore,
    private readonly capacity = 16,
  ) {}

  get(id: string): Promise<PortableModel> {
    let model = this.models.get(id);
    if (!model) {
      model = this.load(id);
      model.catch(() => this.models.delete(id));
      if (this.models.size >= this.capacity) this.models.delete(this.models.keys().next().value!);
      this.models.set(id, model);
    }
    return model;
  }

  private async load(id: string): Promise<PortableModel> {
    const prefix = `${MODEL_PREFIX}/${id}`;
    const [manifest, spec, weights] = await Promise.all([
      this.store.get(`${prefix}/manifest.json`),
      this.store.get(`${prefix}/spec.json`),
      this.store.get(`${prefix}/weights.bin`),
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

/** `POST /v1/lookalike-models/{id}/score`: the portable kernel over models read from the artifact store. */
export function registerScoreRoutes(app: ApiApp, deps: { artifacts: ArtifactStore }): void {
  const cache = new ModelCache(deps.artifacts);
  app.openapi(scoreRoute, async (c) => {
    const { id } = c.req.valid('param');
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

/**
 * The read path for ad platforms and posted-profile scoring, for Cloudflare Workers: health,
 * the same export routes and ad-platform rules as Node (audiences and shares read from R2;
 * shares are managed on the Node side and synced), and scoring with exported models. It
 * imports nothing Node-only (no DuckDB, kuromoji, arquero expressions or tfjs-node); the bundle
 * test proves that.
 *
 * @example
 * const app = createWorkerApp({ version: '0.1.0', keys, audit, artifacts: new R2ArtifactStore(env.ARTIFACTS) });
 * await app.request('/v1/audiences/au_1/export?format=csv', { headers: { authorization: `Bearer ${key}` } });
 */
export function createWorkerApp(deps: WorkerDeps): ApiApp {
  const app = createCoreApp(deps);
  registerExportRoutes(app, deps, { manageShares: false });
  registerScoreRoutes(app, deps);
  return app;
}
