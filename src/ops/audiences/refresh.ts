/**
 * Refreshing audiences and changing their definitions: a refresh publishes the next revision on
 * today's data and releases it to every destination the audience is shared with; the scheduler
 * submits the refreshes whose time has come.
 */
import { z } from 'zod';
import {
  audienceDefinition,
  bandAround,
  isDue,
  listDefinitions,
  nextRun,
  openAudience,
  refreshAudience,
  writeDefinition,
} from '../../audience/index.ts';
import { TokenizerPool } from '../../needs/index.ts';
import { InvalidInputError } from '../../schema/index.ts';
import type { ArtifactStore } from '../../store/artifacts.ts';
import { releaseAudience, releaseMinimum } from '../exports/releases.ts';
import { defineOp, wsOf } from '../operation.ts';
import {
  AudienceId,
  domainTarget,
  MinSize,
  NeedMixInput,
  Purposes,
  ReachLockInput,
  RetentionInput,
  ScheduleInput,
  TargetInput,
} from './fields.ts';
import { publicDefinition } from './read.ts';

export const RefreshAudienceInput = z
  .object({
    id: AudienceId,
    trigger: z.enum(['on_demand', 'schedule']).default('on_demand'),
  })
  .strict();

export const refreshAudienceOp = defineOp({
  name: 'audience.refresh',
  summary: 'Publish the next revision of an audience on today’s data and release it to its destinations',
  input: RefreshAudienceInput,
  roles: ['marketer', 'data_scientist'],
  long: true,
  precheck: async (ctx, input) => {
    await audienceDefinition(wsOf(ctx).artifacts, input.id);
  },
  run: async (ctx, input) => {
    const a = await refreshAudience(
      wsOf(ctx),
      input.id,
      { trigger: input.trigger, ...(ctx.runner ? { tokenizers: new TokenizerPool(ctx.runner) } : {}) },
      { progress: ctx.progress, ...(ctx.signal ? { signal: ctx.signal } : {}) },
    );
    const m = a.manifest;
    const releases = await releaseAudience(
      wsOf(ctx),
      input.id,
      releaseMinimum(m.minSize),
      ctx.caller?.keyId ?? null,
    );
    return {
      audienceId: m.id,
      revision: m.revision,
      size: m.size,
      reached: m.reached,
      expectedPrecision: m.expectedPrecision,
      ci: m.ci,
      consentExcluded: m.consent?.excluded ?? 0,
      reachLockHeld: m.reachLock?.held ?? false,
      releases,
      location: `/v1/audiences/${m.id}`,
    };
  },
});

/** What a definition update may change (the API's PATCH body). */
export const AudienceChanges = z
  .object({
    target: TargetInput.optional(),
    minSize: MinSize.optional(),
    needMix: NeedMixInput.optional(),
    consentPurposes: Purposes.optional(),
    reachLock: ReachLockInput.nullable()
      .optional()
      .meta({ description: 'a band, a tolerance around the latest size, or null to release the lock' }),
    retention: RetentionInput.optional(),
    schedule: ScheduleInput.nullable().optional().meta({ description: 'null stops scheduled refreshes' }),
  })
  .strict()
  .meta({ id: 'AudienceChanges' });

export const UpdateAudienceInput = AudienceChanges.extend({ id: AudienceId }).refine(
  (u) => Object.keys(u).length > 1,
  {
    message:
      'give at least one field to change (target, minSize, needMix, consentPurposes, reachLock, retention, schedule)',
  },
);

/** Changes what the next refresh does (the published revisions stay as they are). */
export const updateAudienceOp = defineOp({
  name: 'audience.update',
  summary: 'Change an audience definition: target, minimum, consent, reach lock, retention, schedule',
  input: UpdateAudienceInput,
  roles: ['marketer', 'data_scientist'],
  long: false,
  run: async (ctx, input) => {
    const store = wsOf(ctx).artifacts;
    const d = await audienceDefinition(store, input.id);
    const now = new Date();
    const next = { ...d, updatedAt: now.toISOString() };
    if (input.target) next.target = domainTarget(input.target);
    if (input.minSize !== undefined) next.minSize = input.minSize;
    if (input.needMix !== undefined) next.needMix = input.needMix === false ? false : { ...input.needMix };
    if (input.consentPurposes) next.consentPurposes = [...input.consentPurposes];
    if (input.retention) next.retention = input.retention;
    if (input.schedule !== undefined)
      next.schedule = input.schedule
        ? { everyHours: input.schedule.everyHours, nextRefreshAt: nextRun(now, input.schedule.everyHours) }
        : null;
    if (input.reachLock !== undefined) {
      if (input.reachLock === null) next.reachLock = null;
      else if ('min' in input.reachLock)
        next.reachLock = { min: input.reachLock.min, max: input.reachLock.max };
      else
        next.reachLock = bandAround(
          (await openAudience(wsOf(ctx), input.id)).manifest.size,
          input.reachLock.tolerance,
        );
    }
    if (next.reachLock && next.reachLock.min < next.minSize) {
      throw new InvalidInputError(
        `reachLock.min ${next.reachLock.min} is below the minimum release size of ${next.minSize}`,
        'reachLock',
      );
    }
    await writeDefinition(store, next);
    return publicDefinition(next);
  },
});

/**
 * Submits a refresh for every audience whose schedule is due, moving its next time on first so a
 * slow queue does not submit it twice; a refresh that fails is recorded on the definition and
 * retried at the next scheduled time.
 *
 * @returns the IDs submitted.
 */
export async function submitDueRefreshes(
  store: ArtifactStore,
  now: Date,
  submit: (input: z.input<typeof RefreshAudienceInput>) => Promise<unknown>,
): Promise<string[]> {
  const submitted: string[] = [];
  for (const d of await listDefinitions(store)) {
    if (!isDue(d, now) || !d.schedule) continue;
    await writeDefinition(store, {
      ...d,
      schedule: { ...d.schedule, nextRefreshAt: nextRun(now, d.schedule.everyHours) },
    });
    await submit({ id: d.id, trigger: 'schedule' });
    submitted.push(d.id);
  }
  return submitted;
}
