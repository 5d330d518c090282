/**
 * Comparing lookalike models side by side: seed, data fingerprint, parameters, validation and
 * backtest metrics, tags, lineage, and why each kept its architecture (the tie rule).
 */
import { z } from 'zod';
import {
  type CatalogueEntry,
  explainSelection,
  type LookalikeManifest,
  readCatalogueEntry,
  readModelManifest,
  SELECTION_RULE,
} from '../../lookalike/index.ts';
import { InvalidInputError } from '../../schema/index.ts';
import { defineOp, wsOf } from '../operation.ts';
import { countIds } from './read.ts';

const ModelId = z.string().min(1).max(200);

export const CompareModelsInput = z
  .object({
    ids: z
      .array(ModelId)
      .min(2, 'compare at least 2 models')
      .max(20, 'compare at most 20 models at once')
      .meta({ description: 'model ids, in the order the columns should have' }),
  })
  .strict()
  .meta({ id: 'CompareModelsRequest' });

/** One model as a column of a comparison. */
export function comparedModel(m: LookalikeManifest, entry: CatalogueEntry) {
  const chosen = m.candidates.find((c) => c.architecture === m.architecture);
  return {
    id: m.id,
    createdAt: m.createdAt,
    universe: m.universe,
    architecture: m.architecture,
    tags: entry.tags,
    retrainedFrom: entry.retrainedFrom,
    seed: {
      description: m.seed.description,
      size: m.seed.size,
      matched: m.seed.matched,
      spec: countIds(m.seed.spec),
    },
    negativeSeed: m.negativeSeed
      ? { description: m.negativeSeed.description, matched: m.negativeSeed.matched }
      : null,
    dataFingerprint: m.dataFingerprint,
    window: m.window,
    params: m.params,
    training: m.training,
    validation: {
      auc: chosen?.validationAuc ?? null,
      distinctiveness: m.diagnostics.distinctiveness,
      candidates: m.candidates.map((c) => ({
        architecture: c.architecture,
        validationAuc: c.validationAuc,
        bestEpoch: c.bestEpoch,
        hidden: [...c.params.hidden],
        penalty: c.penalty ?? null,
      })),
    },
    calibration: {
      positiveShare: m.calibration.positiveShare,
      positiveShareInterval: m.calibration.positiveShareInterval,
      confidence: m.calibration.confidence,
    },
    backtests: entry.backtests ?? [],
    selection: explainSelection(m),
    warnings: m.diagnostics.warnings,
  };
}
export type ComparedModel = ReturnType<typeof comparedModel>;

/** Fields compared for `differences`: those whose values are not the same for every model. */
const COMPARED = [
  'universe',
  'architecture',
  'seed',
  'negativeSeed',
  'dataFingerprint',
  'window',
  'params',
  'training',
  'tags',
] as const;

/** Stable JSON (sorted keys), so two equal values compare equal whatever their key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

export const compareModelsOp = defineOp({
  name: 'lookalike.compare',
  summary:
    'Models side by side: seed, data, parameters, validation and backtest metrics, and why each kept its architecture',
  input: CompareModelsInput,
  roles: ['data_scientist', 'marketer'],
  long: false,
  run: async (ctx, input) => {
    const dup = input.ids.find((id, i) => input.ids.indexOf(id) !== i);
    if (dup) throw new InvalidInputError(`model "${dup}" is listed twice`, 'ids');
    const store = wsOf(ctx).artifacts;
    const models = await Promise.all(
      input.ids.map(async (id) =>
        comparedModel(await readModelManifest(store, id), await readCatalogueEntry(store, id)),
      ),
    );
    const differences = COMPARED.filter((f) => new Set(models.map((m) => canonical(m[f]))).size > 1);
    const byAuc = [...models].sort(
      (a, b) => (b.validation.auc ?? -1) - (a.validation.auc ?? -1) || a.id.localeCompare(b.id),
    );
    return {
      models,
      differences: [...differences],
      bestValidationAuc: byAuc[0]!.id,
      // Validation AUCs of models trained on different seeds or data measure different problems.
      comparable: !differences.some((f) => f === 'seed' || f === 'universe' || f === 'window'),
      selectionRule: SELECTION_RULE,
    };
  },
});
