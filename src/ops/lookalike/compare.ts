/**
 * Comparing lookalike models side by side: seed, data fingerprint, parameters, validation and
 * backtest metrics, tags, lineage, and why each kept its architecture (the tie rule).
 */
import { z } from 'zod';
import {
  BACKTEST_SHARES,
  type BacktestRecord,
  type CaseLiftRatio,
  type CatalogueEntry,
  explainSelection,
  type LookalikeManifest,
  type PooledLiftRatio,
  poolLiftRatios,
  readCatalogueEntry,
  readModelManifest,
  SELECTION_RULE,
} from '../../lookalike/index.ts';
import { InvalidInputError } from '../../schema/index.ts';
import { defineOp, wsOf } from '../operation.ts';
import { liftRatioKeys } from './backtest.ts';
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

/** One backtest's lift ratio over the baseline at a share, when it was recorded with its interval. */
function caseAt(b: BacktestRecord, share: number): CaseLiftRatio | null {
  const keys = liftRatioKeys(share);
  const ratio = b.metrics[keys.ratio];
  const low = b.metrics[keys.low];
  if (ratio == null || low == null) return null;
  // A missing upper bound was unbounded (some replicate had no positive in the baseline's top share).
  return { ratio, ci: [low, b.metrics[keys.high] ?? Number.POSITIVE_INFINITY] };
}

/**
 * The compared models' backtests read together, at each share: one backtest rests on a few dozen
 * future buyers, so whether ours beats the baseline is a question for many of them at once.
 * Shares with fewer than two backtests whose interval bounds a spread are left out.
 */
function pooledBacktests(backtests: readonly BacktestRecord[]): (PooledLiftRatio & { share: number })[] {
  return BACKTEST_SHARES.flatMap((share) => {
    const pooled = poolLiftRatios(backtests.flatMap((b) => caseAt(b, share) ?? []));
    return pooled ? [{ share, ...pooled }] : [];
  });
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
      backtestsPooled: pooledBacktests(models.flatMap((m) => m.backtests)),
      selectionRule: SELECTION_RULE,
    };
  },
});
