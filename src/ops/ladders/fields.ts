/**
 * Input fields shared by the ladder operations: CPM thresholds, RFM cut points, ladder classes (for
 * seeds and exclusions) and the engagement taxonomy, each with its limits and descriptions.
 */
import { z } from 'zod';
import { ENGAGEMENT_INDICES } from '../../ladders/index.ts';
import { Day } from '../fields.ts';

const Days = z.number().int().min(1).max(3650);

export const CpmThresholdsInput = z
  .object({
    lapseDays: z
      .union([Days, z.literal('auto')])
      .optional()
      .meta({
        description: '離脱 after this many days without a purchase (default 240); auto: the repurchase cycle',
      }),
    tenureDays: z
      .union([z.tuple([Days, Days]), z.literal('auto')])
      .optional()
      .meta({
        description: 'tenure bands [よちよち below, 流行 below] in days (default [90, 210]); auto: scaled',
      }),
    spend: z
      .union([z.number().positive(), z.literal('auto')])
      .optional()
      .meta({
        description: 'cumulative spend of 流行/優良 (default auto: the top fifth of repeat customers)',
      }),
  })
  .strict()
  .refine((t) => !Array.isArray(t.tenureDays) || t.tenureDays[0] < t.tenureDays[1], {
    message: 'tenureDays must be [low, high] with low < high',
    path: ['tenureDays'],
  })
  .meta({ id: 'CpmThresholds' });

const Rank = z.number().int().min(1).max(5);
const RankRange = z
  .tuple([Rank, Rank])
  .refine((r) => r[0] <= r[1], 'a rank range is [low, high] with low <= high');

export const RfmCutsInput = z
  .object({
    r: z.union([z.array(z.number()).max(4), z.literal('auto')]).optional(),
    f: z.union([z.array(z.number()).max(4), z.literal('auto')]).optional(),
    m: z.union([z.array(z.number()).max(4), z.literal('auto')]).optional(),
  })
  .strict()
  .meta({
    description:
      'up to 4 ascending upper bounds per dimension (R in days, F purchases, M spend); auto: quintiles',
  });

export const LadderClassInput = z
  .discriminatedUnion('ladder', [
    z
      .object({
        ladder: z.literal('cpm'),
        classes: z
          .array(z.string().min(1).max(50))
          .min(1)
          .max(20)
          .meta({ description: 'classes, stages or states: 優良・現役, loyal_active, 優良, 現役, ...' }),
        thresholds: CpmThresholdsInput.optional(),
      })
      .strict(),
    z
      .object({
        ladder: z.literal('rfm'),
        r: RankRange.optional(),
        f: RankRange.optional(),
        m: RankRange.optional(),
        since: Day.optional(),
        cuts: RfmCutsInput.optional(),
      })
      .strict(),
    z
      .object({
        ladder: z.literal('decile'),
        deciles: z.array(z.number().int().min(1).max(10)).min(1).max(10),
        since: Day.optional(),
      })
      .strict(),
    z
      .object({
        ladder: z.literal('engagement'),
        ladderId: z.string().min(1).max(200),
        statuses: z
          .array(z.string().min(1).max(50))
          .min(1)
          .max(5)
          .meta({ description: 'statuses: 貢献度, contribution, 交流度, ...' }),
      })
      .strict(),
  ])
  .meta({ id: 'LadderClass' });

const LabelInput = z.object({ ja: z.string().min(1).max(500), en: z.string().min(1).max(500) }).strict();
const Code = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'use 1-100 letters, digits, "_", "-" or "."');
const Pattern = z.union([z.literal('*'), Code]);
const IndexOrNull = z.enum(ENGAGEMENT_INDICES).nullable();
const IndexInput = LabelInput.extend({ description: LabelInput, nudge: LabelInput }).strict();

export const TaxonomyInput = z
  .object({
    version: z.string().min(1).max(100),
    description: z.string().max(2000).optional(),
    indices: z
      .object({
        support: IndexInput,
        affinity: IndexInput,
        interaction: IndexInput,
        contribution: IndexInput,
      })
      .strict(),
    places: z.record(Code, LabelInput).optional(),
    actionTypes: z.record(Code, LabelInput).optional(),
    targetKinds: z.record(Code, LabelInput).optional(),
    receivedTargetKinds: z.array(Code).max(50).optional(),
    rules: z
      .array(
        z
          .object({
            place: Pattern,
            actionType: Pattern,
            targetKind: Pattern,
            index: IndexOrNull,
            substantive: z.object({ otherwise: IndexOrNull }).strict().optional(),
          })
          .strict(),
      )
      .min(1)
      .max(2000),
  })
  .strict()
  .meta({
    id: 'EngagementTaxonomy',
    description: 'rules tried in order, first match wins; "*" matches anything',
  });
