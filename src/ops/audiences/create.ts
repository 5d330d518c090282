import { z } from 'zod';
import { audienceRevisions, createAudience, DEFAULT_MIN_SIZE, readDefinition } from '../../audience/index.ts';
import { loadLookalikeModel } from '../../lookalike/index.ts';
import { TokenizerPool } from '../../needs/index.ts';
import { ConflictError, InvalidInputError } from '../../schema/index.ts';
import { Day, IdList } from '../fields.ts';
import { defineOp, wsOf } from '../operation.ts';
import { resolveConditions } from './conditions.ts';
import {
  AudienceId,
  ConditionsInput,
  domainTarget,
  MinSize,
  ModelId,
  NeedMixInput,
  Purposes,
  ReachLockInput,
  RetentionInput,
  ScheduleInput,
  TargetInput,
} from './fields.ts';

export const CreateAudienceInput = z
  .object({
    modelId: ModelId,
    id: AudienceId.optional(),
    target: TargetInput,
    minSize: MinSize.optional().meta({ description: 'smallest audience released (default 100)' }),
    exclusions: z
      .object({
        optedOut: IdList('IDs that opted out since training').optional(),
        ids: IdList('other IDs to leave out (suppression lists)').optional(),
      })
      .strict()
      .optional(),
    needMix: NeedMixInput.optional(),
    consentPurposes: Purposes.optional().meta({
      description:
        'every member must have granted these (members universe; third-party IDs lose those linked to a member who refused)',
    }),
    reachLock: ReachLockInput.optional(),
    retention: RetentionInput.optional(),
    schedule: ScheduleInput.optional(),
    asOf: Day.optional().meta({ description: 'members universe: features as of this day (every refresh)' }),
    conditions: ConditionsInput.optional(),
  })
  .strict()
  .meta({ id: 'CreateAudienceRequest' });

export interface CreateAudienceResult {
  audienceId: string;
  revision: number;
  size: number;
  reached: boolean;
  expectedPrecision: number;
  ci: [number, number];
  location: string;
}

/**
 * Creates an audience definition and materialises its first revision. The checks that need only
 * the model (size against its universe, the minimum, an existing id) answer before the job is
 * queued.
 */
export const createAudienceOp = defineOp({
  name: 'audience.create',
  summary: 'Create an audience for a target size, a minimum precision or a budget (its first revision)',
  input: CreateAudienceInput,
  roles: ['marketer', 'data_scientist'],
  long: true,
  precheck: async (ctx, input) => {
    const minSize = input.minSize ?? DEFAULT_MIN_SIZE;
    if (input.target.kind === 'size' && input.target.size < minSize) {
      throw new InvalidInputError(
        `target.size ${input.target.size} is below the minimum release size of ${minSize}`,
        'target.size',
      );
    }
    const model = await loadLookalikeModel(wsOf(ctx).artifacts, input.modelId);
    const universe = model.manifest.training.universeSize;
    if (input.target.kind === 'size' && input.target.size > universe) {
      throw new InvalidInputError(
        `target.size ${input.target.size} is larger than the model's universe (${universe} people)`,
        'target.size',
      );
    }
    if (input.reachLock && 'min' in input.reachLock && input.reachLock.min < minSize) {
      throw new InvalidInputError(
        `reachLock.min ${input.reachLock.min} is below the minimum release size of ${minSize}`,
        'reachLock.min',
      );
    }
    if (input.conditions?.length) await resolveConditions(wsOf(ctx), input.conditions);
    if (
      input.id &&
      ((await audienceRevisions(wsOf(ctx).artifacts, input.id)).length > 0 ||
        (await readDefinition(wsOf(ctx).artifacts, input.id)))
    ) {
      throw new ConflictError(
        `audience "${input.id}" already exists; refresh it (POST /v1/audiences/${input.id}/refresh) to publish a new revision, or choose another id`,
        'id',
      );
    }
  },
  run: async (ctx, input): Promise<CreateAudienceResult> => {
    const { conditions: typed, target, needMix, exclusions, ...rest } = input;
    const conditions = typed?.length ? (await resolveConditions(wsOf(ctx), typed)).conditions : [];
    const a = await createAudience(
      wsOf(ctx),
      {
        ...rest,
        conditions,
        target: domainTarget(target),
        ...(needMix !== undefined ? { needMix } : {}),
        ...(exclusions ? { exclusions } : {}),
        // The need mix tokenizes texts: on the server's threads, not the job's.
        ...(ctx.runner && needMix !== false ? { tokenizers: new TokenizerPool(ctx.runner) } : {}),
      },
      { progress: ctx.progress, ...(ctx.signal ? { signal: ctx.signal } : {}) },
    );
    const m = a.manifest;
    return {
      audienceId: m.id,
      revision: m.revision,
      size: m.size,
      reached: m.reached,
      expectedPrecision: m.expectedPrecision,
      ci: m.ci,
      location: `/v1/audiences/${m.id}`,
    };
  },
});
