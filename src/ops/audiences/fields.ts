/**
 * Input fields of the audience operations, defined once with their limits and messages: the API
 * documents them and the CLI fills them from flags.
 */
import { z } from 'zod';
import type { AudienceTarget } from '../../audience/index.ts';
import { DEFAULT_MIN_SIZE, KNOWN_PURPOSES, PURPOSE_PATTERN } from '../../audience/index.ts';
import { ArtifactId } from '../fields.ts';
import { ConditionsList } from './conditions.ts';

export const AudienceId = ArtifactId.meta({ description: 'audience ID', example: 'au_demo_top_segment' });
export const ModelId = z.string().min(1).max(100).meta({ example: 'lm_demo_top_segment' });

/** Size, minimum precision or budget. The API names the cost of one contact `costPerContact`. */
export const TargetInput = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('size'),
        size: z
          .number()
          .int()
          .min(DEFAULT_MIN_SIZE, `audiences smaller than ${DEFAULT_MIN_SIZE} people are never released`)
          .max(100_000_000),
      })
      .strict(),
    z
      .object({
        kind: z.literal('precision'),
        minPrecision: z.number().gt(0).lt(1),
        basis: z
          .enum(['expected', 'lower'])
          .optional()
          .meta({ description: 'hold the expected precision, or its interval lower bound, to minPrecision' }),
      })
      .strict(),
    z
      .object({
        kind: z.literal('budget'),
        costPerContact: z.number().positive().meta({ description: 'cost of reaching one person (yen)' }),
        valuePerConversion: z.number().positive().meta({ description: 'value of one conversion (yen)' }),
        conversionRate: z
          .number()
          .gt(0)
          .max(1)
          .optional()
          .meta({ description: 'conversions per expected positive (default 1)' }),
        maxSpend: z.number().positive().optional(),
      })
      .strict(),
  ])
  .meta({ id: 'AudienceTarget' });
export type TargetInput = z.output<typeof TargetInput>;

export function domainTarget(t: TargetInput): AudienceTarget {
  if (t.kind !== 'budget') return t;
  const { costPerContact, ...rest } = t;
  return { ...rest, costPerPerson: costPerContact };
}

export function apiTarget(t: AudienceTarget): TargetInput {
  if (t.kind !== 'budget') return t;
  const { costPerPerson, ...rest } = t;
  return { ...rest, costPerContact: costPerPerson };
}

export const MinSize = z
  .number()
  .int()
  .min(DEFAULT_MIN_SIZE, `the release minimum cannot be below ${DEFAULT_MIN_SIZE}`)
  .max(100_000_000);

export const Purposes = z
  .array(z.string().regex(PURPOSE_PATTERN, `use lower-case codes such as ${KNOWN_PURPOSES.join(', ')}`))
  .max(10)
  .meta({ description: `consent purposes, e.g. ${KNOWN_PURPOSES.join(', ')}` });

export const ReachLockInput = z
  .union([
    z
      .object({ min: z.number().int().min(1), max: z.number().int().min(1) })
      .strict()
      .refine((b) => b.min <= b.max, {
        message: 'reachLock.min must not exceed reachLock.max',
        path: ['max'],
      }),
    z
      .object({
        tolerance: z
          .number()
          .gt(0)
          .lt(1)
          .meta({ description: 'keep every revision within this share of the first revision’s size' }),
      })
      .strict(),
  ])
  .meta({ id: 'ReachLock', description: 'keep the size of every refresh within a band' });

export const ScheduleInput = z
  .object({
    everyHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 90)
      .meta({ description: 'hours between refreshes (24: daily)' }),
  })
  .strict()
  .meta({ id: 'RefreshSchedule' });

export const RetentionInput = z
  .object({
    keep: z.number().int().min(1).max(1000).meta({ description: 'revisions kept (older ones are deleted)' }),
  })
  .strict();

export const NeedMixInput = z.union([
  z.literal(false),
  z
    .object({
      themes: z.array(z.string().min(1).max(100)).max(20).optional(),
      sample: z.number().int().min(1).max(50_000).optional(),
    })
    .strict(),
]);

/** Rule conditions on an audience: only people meeting all of them are ranked (a relaxation plan's). */
export const ConditionsInput = ConditionsList.meta({
  description:
    'rule conditions every member must meet (all of them); values as stored or said in Japanese (女性, 30代, 東京, 料理)',
});

export const HeadQuery = z.number().int().min(0).max(100);
