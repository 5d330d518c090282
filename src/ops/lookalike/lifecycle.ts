/**
 * The life of a stored lookalike model after training: tags, deletion (refused while an audience
 * or a queued job uses the model), and retraining the same spec on the data as it is now.
 */
import { z } from 'zod';
import { listDefinitions } from '../../audience/index.ts';
import {
  DEFAULT_ARCHITECTURES,
  deleteModelFiles,
  loadLookalikeModel,
  readModelManifest,
  type TrainLookalikeOptions,
  tagModel,
  trainLookalike,
  updateCatalogueEntry,
} from '../../lookalike/index.ts';
import { AppError, ConflictError, InvalidInputError } from '../../schema/index.ts';
import { ArtifactId, Day, RandomSeed } from '../fields.ts';
import { type ActiveJob, defineOp, type OpContext, wsOf } from '../operation.ts';
import { describeIssues, issuePath } from '../parse.ts';
import { poolTrainers, TrainModelInput, trainModelOp } from './train.ts';

const ModelId = z.string().min(1).max(200);
const Tag = z.string().min(1).max(40);

export const TagModelInput = z
  .object({
    id: ModelId,
    add: z.array(Tag).max(50).default([]).meta({ description: 'tags to add' }),
    remove: z.array(Tag).max(50).default([]).meta({ description: 'tags to remove' }),
  })
  .strict()
  .refine((v) => v.add.length + v.remove.length > 0, { message: 'give tags to add or to remove' })
  .meta({ id: 'TagModelRequest' });

export const tagModelOp = defineOp({
  name: 'lookalike.tag',
  summary: 'Add or remove tags of a model',
  input: TagModelInput,
  roles: ['data_scientist'],
  long: false,
  run: async (ctx, input) => {
    const entry = await tagModel(wsOf(ctx).artifacts, input.id, { add: input.add, remove: input.remove });
    return { id: input.id, tags: entry.tags };
  },
});

/** Whether a queued or running job's input names the model (its `modelId`, or the id of a model op). */
function jobUses(job: ActiveJob, id: string): boolean {
  const p = job.params as Record<string, unknown> | null;
  if (!p || typeof p !== 'object') return false;
  return p.modelId === id || (job.kind.startsWith('lookalike.') && p.id === id);
}

export const DeleteModelInput = z.object({ id: ModelId }).strict().meta({ id: 'DeleteModelRequest' });

export const deleteModelOp = defineOp({
  name: 'lookalike.delete',
  summary:
    'Delete a model and its files; refused (409, naming them) while audiences are defined on it or jobs use it',
  input: DeleteModelInput,
  roles: ['data_scientist'],
  long: false,
  run: async (ctx, input) => {
    const store = wsOf(ctx).artifacts;
    await readModelManifest(store, input.id);
    const audiences = (await listDefinitions(store)).filter((d) => d.modelId === input.id).map((d) => d.id);
    const jobs = ((await ctx.activeJobs?.()) ?? []).filter((j) => jobUses(j, input.id)).map((j) => j.id);
    if (audiences.length || jobs.length) {
      const what = [
        audiences.length ? `audiences ${audiences.map((a) => `"${a}"`).join(', ')} are defined on it` : '',
        jobs.length ? `jobs ${jobs.map((j) => `"${j}"`).join(', ')} use it` : '',
      ]
        .filter(Boolean)
        .join(' and ');
      const todo = [
        audiences.length ? 'delete those audiences (or move them to another model)' : '',
        jobs.length ? 'wait for or cancel those jobs' : '',
      ]
        .filter(Boolean)
        .join(' and ');
      throw new AppError('conflict', `model "${input.id}" is in use: ${what}; ${todo} first`, 409, 'id', {
        audiences,
        jobs,
      });
    }
    const files = await deleteModelFiles(store, input.id);
    return { id: input.id, deleted: true as const, files: files.length };
  },
});

export const RetrainModelInput = z
  .object({
    id: ModelId.meta({ description: 'the model whose spec is retrained' }),
    newId: ArtifactId.optional().meta({ description: 'id of the new model (default: a new lm_… id)' }),
    asOf: Day.optional().meta({
      description:
        'members universe: features from data strictly before this day (default: all data in the workspace now)',
    }),
    since: Day.optional().meta({
      description: 'members universe: feature window start (default: the source model’s)',
    }),
    randomSeed: RandomSeed.optional().meta({ description: 'default: the source model’s' }),
  })
  .strict()
  .meta({ id: 'RetrainModelRequest' });
export type RetrainModelInput = z.output<typeof RetrainModelInput>;

/**
 * The training options of a retrain: the source model's seed, negative seed, universe,
 * exclusions (the stored opted-out and explicit ID lists), sample sizes, split shares and candidate
 * architectures, on the data as it is now (or as of `asOf`).
 */
async function retrainOptions(ctx: OpContext, input: RetrainModelInput): Promise<TrainLookalikeOptions> {
  const { manifest: m, exclusions } = await loadLookalikeModel(wsOf(ctx).artifacts, input.id);
  const since = input.since ?? m.window.since ?? undefined;
  const raw = {
    ...(input.newId ? { id: input.newId } : {}),
    seed: m.seed.spec,
    ...(m.negativeSeed ? { negativeSeed: m.negativeSeed.spec } : {}),
    universe: m.universe,
    exclusions: {
      existingCustomers: m.exclusions.existingCustomers,
      optedOut: exclusions.optedOut,
      ids: exclusions.ids,
    },
    ...(input.asOf ? { asOf: input.asOf } : {}),
    ...(since ? { since } : {}),
    randomSeed: input.randomSeed ?? m.params.randomSeed,
    unlabelledSample: m.params.unlabelledSample,
    minSeedSize: m.params.minSeedSize,
  };
  // The train operation's schema checks the rebuilt input, so a retrain obeys every rule a train does.
  const parsed = TrainModelInput.safeParse(raw);
  if (!parsed.success)
    throw new InvalidInputError(
      `model "${input.id}" cannot be retrained as stored: ${describeIssues(parsed.error.issues)}`,
      issuePath(parsed.error.issues[0]!),
    );
  const archs = Object.fromEntries(
    m.candidates
      .filter((c) => c.architecture in DEFAULT_ARCHITECTURES)
      .map((c) => [c.architecture, { ...c.params, hidden: [...c.params.hidden] }]),
  );
  return {
    ...(parsed.data as TrainLookalikeOptions),
    calibrationShare: m.params.calibrationShare,
    validationShare: m.params.validationShare,
    selectionCorrection: m.params.selectionCorrection !== 'none',
    ...(Object.keys(archs).length ? { architectures: archs } : {}),
  };
}

export interface RetrainModelResult {
  modelId: string;
  retrainedFrom: string;
  architecture: string;
  dataFingerprint: string;
  location: string;
}

export const retrainModelOp = defineOp({
  name: 'lookalike.retrain',
  summary: 'Retrain a model’s spec (seed, exclusions, parameters) on the data as it is now: a new model',
  input: RetrainModelInput,
  roles: ['data_scientist'],
  long: true,
  precheck: async (ctx, input) => {
    if (input.newId === input.id)
      throw new ConflictError(`newId "${input.newId}" is the source model; models are immutable`, 'newId');
    const options = await retrainOptions(ctx, input);
    await trainModelOp.precheck?.(ctx, options as never);
  },
  run: async (ctx, input): Promise<RetrainModelResult> => {
    const options = await retrainOptions(ctx, input);
    const { id, manifest } = await trainLookalike(wsOf(ctx), options, {
      progress: ctx.progress,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(ctx.runner ? poolTrainers(ctx.runner) : {}),
    });
    await updateCatalogueEntry(wsOf(ctx).artifacts, id, (e) => ({ ...e, retrainedFrom: input.id }));
    return {
      modelId: id,
      retrainedFrom: input.id,
      architecture: manifest.architecture,
      dataFingerprint: manifest.dataFingerprint,
      location: `/v1/lookalike-models/${id}`,
    };
  },
});
