/** Reading lookalike models: the list, one model (seed lists as counts), its frontier, its drivers. */
import { z } from 'zod';
import { explainAudience, FrontierCache } from '../../audience/index.ts';
import {
  type CatalogueEntry,
  explainIds,
  type LookalikeManifest,
  listLookalikeModels,
  loadLookalikeModel,
  type SeedSpec,
  withCatalogue,
} from '../../lookalike/index.ts';
import { InvalidInputError } from '../../schema/index.ts';
import type { Workspace } from '../../store/index.ts';
import { defineOp, wsOf } from '../operation.ts';

const ReadRoles = ['data_scientist', 'marketer'] as const;
const ModelId = z.string().min(1).max(200);

export const countIds = (spec: SeedSpec): Record<string, unknown> => {
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

/** A manifest as clients see it: seed lists as counts, none of the weight and calibration layouts. */
export function publicModel(m: LookalikeManifest) {
  const { layers: _layers, calibrationLayout: _layout, seed, negativeSeed, ...rest } = m;
  return {
    ...rest,
    seed: { ...seed, spec: countIds(seed.spec) },
    negativeSeed: negativeSeed ? { ...negativeSeed, spec: countIds(negativeSeed.spec) } : null,
  };
}

export const modelSummary = (m: LookalikeManifest, entry?: CatalogueEntry) => ({
  id: m.id,
  createdAt: m.createdAt,
  universe: m.universe,
  architecture: m.architecture,
  seed: { description: m.seed.description, size: m.seed.size, matched: m.seed.matched },
  dataFingerprint: m.dataFingerprint,
  distinctiveness: m.diagnostics.distinctiveness,
  estimatedPositiveShare: m.diagnostics.estimatedPositiveShare,
  warnings: m.diagnostics.warnings,
  tags: entry?.tags ?? [],
  retrainedFrom: entry?.retrainedFrom ?? null,
  backtests: entry?.backtests?.length ?? 0,
});

export const ListModelsInput = z
  .object({
    tag: z.string().min(1).max(40).optional().meta({ description: 'only models carrying this tag' }),
  })
  .strict();

export const listModelsOp = defineOp({
  name: 'lookalike.list',
  summary: 'Lookalike models, newest first, with their tags',
  input: ListModelsInput,
  roles: ReadRoles,
  long: false,
  run: async (ctx, input) => {
    const store = wsOf(ctx).artifacts;
    const models = await withCatalogue(store, await listLookalikeModels(store));
    return {
      models: models
        .filter((m) => input.tag === undefined || m.entry.tags.includes(input.tag))
        .map((m) => modelSummary(m.manifest, m.entry)),
    };
  },
});

export const getModelOp = defineOp({
  name: 'lookalike.get',
  summary: 'A model: seed and its diagnostics, data, candidates and validation metrics, calibration',
  input: z.object({ id: ModelId }).strict(),
  roles: ReadRoles,
  long: false,
  run: async (ctx, input) => publicModel((await loadLookalikeModel(wsOf(ctx).artifacts, input.id)).manifest),
});

/** One cache per workspace: a model is scored once per data version, whichever adapter (or op) asks. */
const frontiers = new WeakMap<Workspace, FrontierCache>();
export const frontierCache = (ws: Workspace) => {
  let cache = frontiers.get(ws);
  if (!cache) {
    cache = new FrontierCache(ws);
    frontiers.set(ws, cache);
  }
  return cache;
};

export const FrontierInput = z
  .object({
    id: ModelId,
    steps: z.number().int().min(2).max(1000).default(40).meta({ description: 'grid points' }),
    sizes: z
      .array(z.number().int().min(1))
      .max(1000)
      .default([])
      .meta({ description: 'exact sizes to include; with steps omitted, only these' }),
  })
  .strict();

export const modelFrontierOp = defineOp({
  name: 'lookalike.frontier',
  summary: 'Expected precision (with its interval), positives, recall and lift at every audience size',
  input: FrontierInput,
  roles: ReadRoles,
  long: false,
  run: async (ctx, input) => {
    const { frontier: f, snapshot } = await frontierCache(wsOf(ctx)).get(input.id);
    for (const size of input.sizes) {
      if (size > f.size)
        throw new InvalidInputError(
          `size ${size} is larger than the universe (${f.size} after exclusions)`,
          'size',
        );
    }
    const points = input.sizes.length ? input.sizes.map((s) => f.at(s)) : f.grid(input.steps, [], 10);
    return { modelId: input.id, snapshot, summary: f.summary, points };
  },
});

export const ExplainInput = z
  .object({
    id: ModelId,
    size: z.number().int().min(1).default(1000).meta({ description: 'the top of the ranking to explain' }),
    ids: z
      .array(z.string().min(1).max(200))
      .max(100)
      .default([])
      .meta({ description: 'IDs of the universe to explain one by one (instead of the top of the ranking)' }),
    top: z.number().int().min(1).max(100).default(15).meta({ description: 'features per answer' }),
  })
  .strict();

export const explainModelOp = defineOp({
  name: 'lookalike.explain',
  summary: 'What drives the model: features of the top of its ranking, or the contributions for scored IDs',
  input: ExplainInput,
  roles: ReadRoles,
  long: false,
  run: async (ctx, input) => {
    const ws = wsOf(ctx);
    if (input.ids.length) {
      const explanations = await explainIds(ws, input.id, input.ids, input.top);
      return { modelId: input.id, size: null, drivers: [], explanations };
    }
    const drivers = await explainAudience(ws, input.id, input.size, { top: input.top });
    return { modelId: input.id, size: input.size, drivers, explanations: [] };
  },
});
