import { z } from 'zod';
import { Frontier } from '../../audience/index.ts';
import {
  type BacktestRecord,
  type BacktestReport,
  type BacktestSeed,
  buildCalibration,
  type CalibrationData,
  recordBacktest,
  runBacktest,
  seedAsOf,
} from '../../lookalike/index.ts';
import { ConflictError, InvalidInputError } from '../../schema/index.ts';
import { ArtifactId, Day, RandomSeed } from '../fields.ts';
import { defineOp, type OpContext, wsOf } from '../operation.ts';
import { SeedInput } from './seed-input.ts';
import { poolTrainers } from './train.ts';

const BACKTEST_SEED_KINDS = ['purchase', 'top_value'] as const;

export const BacktestInput = z
  .object({
    seed: SeedInput.meta({
      description:
        'a purchase or top_value seed; its window ends at the cut-off (a window past it is rejected)',
    }),
    cutoff: Day.meta({ description: 'seed, universe and features use data strictly before this day' }),
    outcomeDays: z
      .number()
      .int()
      .min(1)
      .max(730)
      .default(91)
      .meta({ description: "days after the cut-off in which the seed's event counts as the outcome" }),
    modelId: ArtifactId.optional().meta({
      description: 'id of the model trained for the backtest (default: a new lm_… id)',
    }),
    randomSeed: RandomSeed.default(42),
    baselineProducts: z
      .number()
      .int()
      .min(10)
      .max(2000)
      .default(300)
      .meta({ description: 'product-purchase indicators of the logistic baseline' }),
    itemSignals: z
      .union([
        z.literal(false),
        z
          .object({
            size: z.number().int().min(1).max(5000).optional(),
            weighting: z.enum(['binary', 'tfidf', 'indicator', 'standardised']).optional(),
            halfLifeDays: z.number().positive().max(3650).optional(),
            seedAssociated: z.number().int().min(0).max(2000).optional().meta({
              description:
                "products most over-represented among the seed's members, added beyond the most-bought (default 0: none)",
            }),
          })
          .strict(),
      ])
      .optional()
      .meta({
        description:
          "our model's item-level signals (default: the 300 most-bought products, 0/1); false: none",
      }),
  })
  .strict()
  .meta({ id: 'BacktestRequest' });

export type BacktestInput = z.output<typeof BacktestInput>;

export interface BacktestResult extends BacktestReport {
  location: string;
}

/** The frontier's stated precision and interval at each size: what calibration hits check. */
export function frontierPrecision(
  sorted: Float32Array,
  calibration: CalibrationData,
  sizes: readonly number[],
): { expected: number; ci: [number, number] }[] {
  const f = new Frontier(sorted, buildCalibration(calibration));
  return sizes.map((n) => {
    const p = f.at(n);
    return { expected: p.expectedPrecision, ci: p.ci };
  });
}

function backtestSeed(seed: BacktestInput['seed']): BacktestSeed {
  if (seed.kind !== 'purchase' && seed.kind !== 'top_value') {
    throw new InvalidInputError(
      `a backtest seed must be one of ${BACKTEST_SEED_KINDS.join(', ')} (its event after the cut-off is the outcome), got "${seed.kind}"`,
      'seed.kind',
    );
  }
  return seed as BacktestSeed;
}

async function modelExists(ctx: OpContext, id: string): Promise<boolean> {
  return (await wsOf(ctx).artifacts.get(`lookalike-models/${id}/manifest.json`)) !== null;
}

/**
 * Backtest a lookalike on the members universe: seed, universe and features as of a cut-off, the
 * seed's event in a window after it as the outcome; AUC, precision and lift at 1/5/10/20% for our
 * model, random, purchase frequency and a logistic baseline fitted in the same run, and whether
 * the frontier's stated precision intervals held.
 */
export const backtestOp = defineOp({
  name: 'lookalike.backtest',
  summary: 'Backtest a lookalike against baselines: seed and features as of a cut-off, outcome after it',
  input: BacktestInput,
  roles: ['data_scientist'],
  long: true,
  precheck: async (ctx, input) => {
    seedAsOf(backtestSeed(input.seed), input.cutoff);
    if (input.modelId && (await modelExists(ctx, input.modelId)))
      throw new ConflictError(
        `model "${input.modelId}" already exists; models are immutable, choose another id`,
        'modelId',
      );
  },
  run: async (ctx, input): Promise<BacktestResult> => {
    const report = await runBacktest(
      wsOf(ctx),
      {
        seed: backtestSeed(input.seed),
        cutoff: input.cutoff,
        outcomeDays: input.outcomeDays,
        randomSeed: input.randomSeed,
        baselineProducts: input.baselineProducts,
        ...(input.modelId ? { modelId: input.modelId } : {}),
        ...(input.itemSignals !== undefined ? { itemSignals: input.itemSignals } : {}),
        statedPrecision: frontierPrecision,
      },
      {
        progress: ctx.progress,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        ...(ctx.runner ? poolTrainers(ctx.runner) : {}),
      },
    );
    // The model's catalogue entry keeps the result, so `compare` shows it beside validation.
    await recordBacktest(wsOf(ctx).artifacts, report.modelId, backtestRecord(report));
    return { ...report, location: `/v1/lookalike-models/${report.modelId}` };
  },
});

/** JSON has no Infinity: an unbounded figure is recorded as null. */
const finite = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : null);

/** Names of a backtest record's lift-ratio metrics at one share (e.g. `liftRatioAt10`), read by `compare`. */
export function liftRatioKeys(share: number): { ratio: string; low: string; high: string } {
  const pct = Math.round(share * 100);
  return { ratio: `liftRatioAt${pct}`, low: `liftRatioLowAt${pct}`, high: `liftRatioHighAt${pct}` };
}

/** The figures a model comparison shows: AUC, and lift and precision at each share, ours and the baseline's. */
function backtestRecord(report: BacktestReport): BacktestRecord {
  const metrics: Record<string, number | null> = {
    auc: report.rankers.model.auc,
    baselineAuc: report.rankers.logistic.auc,
    positives: report.rankers.model.positives,
    universe: report.universe,
    calibrationHits: report.calibration?.hits ?? null,
    calibrationPoints: report.calibration?.of ?? null,
  };
  for (const t of report.rankers.model.top) {
    const pct = Math.round(t.share * 100);
    metrics[`precisionAt${pct}`] = t.precision;
    metrics[`liftAt${pct}`] = t.lift;
    metrics[`baselineLiftAt${pct}`] =
      report.rankers.logistic.top.find((b) => b.share === t.share)?.lift ?? null;
    // The bootstrap interval travels with the ratio, so `compare` can pool backtests.
    const versus = report.versusLogistic.find((v) => v.share === t.share);
    const keys = liftRatioKeys(t.share);
    metrics[keys.ratio] = finite(versus?.ratio);
    metrics[keys.low] = finite(versus?.ci[0]);
    metrics[keys.high] = finite(versus?.ci[1]);
  }
  return {
    id: `bt_${report.cutoff}_${report.outcomeWindow.until}`,
    createdAt: new Date().toISOString(),
    cutoff: report.cutoff,
    window: [report.outcomeWindow.from, report.outcomeWindow.until],
    metrics,
  };
}
