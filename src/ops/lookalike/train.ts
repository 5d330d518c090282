import { z } from 'zod';
import {
  type CrossFitted,
  type CrossFitter,
  diagnoseSeed,
  type NetworkTrainer,
  type SeedDiagnostics,
  type TrainedNetwork,
  type TrainLookalikeOptions,
  trainLookalike,
} from '../../lookalike/index.ts';
import {
  ConflictError,
  InsufficientDataError,
  InvalidInputError,
  type TaskRunner,
} from '../../schema/index.ts';
import { ArtifactId, Day, IdList, RandomSeed } from '../fields.ts';
import { defineOp, type OpContext, wsOf } from '../operation.ts';
import { enforceQuota } from '../quota.ts';
import { SeedInput, Universe } from './seed-input.ts';

export const TrainModelInput = z
  .object({
    id: ArtifactId.optional().meta({ description: 'model id (default: a new lm_… id)' }),
    seed: SeedInput,
    negativeSeed: SeedInput.optional().meta({
      description: '"unlike these": training negatives, also excluded',
    }),
    universe: Universe,
    exclusions: z
      .object({
        existingCustomers: z
          .boolean()
          .optional()
          .meta({ description: 'third_party: drop linked members (default true)' }),
        optedOut: IdList('opted-out IDs, never scored').optional(),
        ids: IdList('other IDs to leave out').optional(),
      })
      .strict()
      .optional(),
    asOf: Day.optional().meta({
      description: 'members universe: features from data strictly before this day',
    }),
    since: Day.optional().meta({ description: 'members universe: feature window start' }),
    randomSeed: RandomSeed.default(42),
    unlabelledSample: z
      .number()
      .int()
      .min(200)
      .max(500_000)
      .default(30_000)
      .meta({ description: 'unlabelled universe rows sampled for training and calibration' }),
    minSeedSize: z.number().int().min(20).max(1_000_000).default(100),
  })
  .strict()
  .meta({ id: 'TrainModelRequest' });

export type TrainModelInput = z.output<typeof TrainModelInput>;

/** Marketers train from seeds within a per-key quota; data scientists are not limited. */
export const TRAIN_QUOTAS = { marketer: { concurrent: 1, perDay: 10 } } as const;

/**
 * Trains each candidate on a worker thread: the networks, and the members-universe logistic's
 * cross-validated fits. The data are copied, since every candidate reads them. A cancelled job
 * ends the thread mid-training (its progress report throws, or its signal aborts), and the runner
 * turns either into a rejected run, never an uncaught exception.
 */
export function poolTrainers(runner: TaskRunner): { trainer: NetworkTrainer; crossFitter: CrossFitter } {
  const options = (hooks?: { progress?: (f: number, detail: string) => void; signal?: AbortSignal }) => ({
    onProgress: (f: number, msg?: string) => hooks?.progress?.(f, msg ?? ''),
    ...(hooks?.signal ? { signal: hooks.signal } : {}),
  });
  return {
    trainer: (train, validation, params, hooks) =>
      runner.run<TrainedNetwork>('lookalike-train', { train, validation, params }, options(hooks)),
    crossFitter: (data, folds, grid, penaltyScale, hooks) =>
      runner.run<CrossFitted>(
        'lookalike-crossfit',
        { data, folds, grid: [...grid], ...(penaltyScale ? { penaltyScale } : {}) },
        options(hooks),
      ),
  };
}

async function modelExists(ctx: OpContext, id: string): Promise<boolean> {
  return (await wsOf(ctx).artifacts.get(`lookalike-models/${id}/manifest.json`)) !== null;
}

export interface TrainModelResult {
  modelId: string;
  architecture: string;
  diagnostics: SeedDiagnostics;
  location: string;
}

/**
 * Train a lookalike scorer from a 1st-party seed. The seed is checked before any work: an unknown
 * segment is 404, a seed that matches too few people is 422 with its diagnostics, an existing model
 * id is 409.
 */
export const trainModelOp = defineOp({
  name: 'lookalike.train',
  summary: 'Train a lookalike model from a 1st-party seed',
  input: TrainModelInput,
  roles: ['data_scientist', 'marketer'],
  long: true,
  precheck: async (ctx, input) => {
    await enforceQuota(ctx, 'lookalike.train', TRAIN_QUOTAS);
    if (input.id && (await modelExists(ctx, input.id)))
      throw new ConflictError(
        `model "${input.id}" already exists; models are immutable, choose another id`,
        'id',
      );
    if (input.universe === 'members' && input.seed.kind === 'third_party_ids')
      throw new InvalidInputError(
        'a third_party_ids seed works only with the third_party universe',
        'seed.kind',
      );
    const d = await diagnoseSeed(wsOf(ctx), input as TrainLookalikeOptions);
    if (d.matched < input.minSeedSize) {
      const e = new InsufficientDataError(
        `the seed matched ${d.matched} ${input.universe === 'third_party' ? 'third-party profiles' : 'members'}; at least ${input.minSeedSize} are needed to train`,
        'seed',
      );
      Object.assign(e.extra, { diagnostics: d });
      throw e;
    }
  },
  run: async (ctx, input): Promise<TrainModelResult> => {
    const { id, manifest } = await trainLookalike(wsOf(ctx), input as TrainLookalikeOptions, {
      progress: ctx.progress,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(ctx.runner ? poolTrainers(ctx.runner) : {}),
    });
    return {
      modelId: id,
      architecture: manifest.architecture,
      diagnostics: manifest.diagnostics,
      location: `/v1/lookalike-models/${id}`,
    };
  },
});

export const DiagnoseInput = z
  .object({ seed: SeedInput, universe: Universe, asOf: Day.optional() })
  .strict()
  .meta({ id: 'DiagnoseSeedRequest' });

export const diagnoseSeedOp = defineOp({
  name: 'lookalike.diagnose',
  summary: 'Seed diagnostics without training: size, match rate, share of members, warnings',
  input: DiagnoseInput,
  roles: ['data_scientist', 'marketer'],
  long: false,
  run: (ctx, input) => diagnoseSeed(wsOf(ctx), input as TrainLookalikeOptions),
});
