/**
 * Response schemas of the audience and export routes: every field the operations return, so the
 * OpenAPI document is complete and tests (which check every JSON response against these) catch
 * any drift.
 */
import { z } from '@hono/zod-openapi';
import { ID_FORMS, PLATFORMS } from '../../export/index.ts';
import { TargetInput } from '../../ops/index.ts';
import { ReleaseCountsSchema, ReleaseErrorSchema } from './pull-schemas.ts';

const Ci = z.tuple([z.number(), z.number()]);
const IdKind = z.enum(['third_party', 'member']);
const Trigger = z.enum(['create', 'on_demand', 'schedule']);

export const AudienceSchema = z
  .object({
    id: z.string(),
    revision: z.number().int(),
    modelId: z.string(),
    universe: z.enum(['third_party', 'members']),
    idKind: IdKind,
    target: TargetInput,
    reached: z.boolean(),
    note: z.string(),
    size: z.number().int(),
    universeSize: z
      .number()
      .int()
      .openapi({ description: 'people it could be chosen from (after exclusions and consent)' }),
    threshold: z.number(),
    expectedPrecision: z.number(),
    ci: Ci,
    confidence: z.number(),
    expectedPositives: z.number(),
    heldOutRecall: z.number(),
    lift: z.number().nullable().openapi({
      description:
        'precision over the estimated positive share; null when that share is 0 (nobody outside the seed resembles it)',
    }),
    expectedProfit: z.number().nullable(),
    positiveShare: z.number(),
    needMix: z.record(z.string(), z.unknown()).nullable(),
    needMixReason: z.string().nullable(),
    minSize: z.number().int(),
    consent: z
      .object({ purposes: z.array(z.string()), excluded: z.number().int() })
      .nullable()
      .openapi({ description: 'purposes every member needed, and how many of the universe lacked them' }),
    reachLock: z
      .object({
        min: z.number().int(),
        max: z.number().int(),
        targetSize: z.number().int(),
        held: z.boolean(),
      })
      .nullable(),
    trigger: Trigger,
    asOf: z.string().nullable(),
    snapshot: z.string(),
    createdAt: z.string(),
  })
  .openapi('Audience');

export const DefinitionSchema = z
  .object({
    id: z.string(),
    modelId: z.string(),
    target: TargetInput,
    minSize: z.number().int(),
    conditions: z.array(z.unknown()),
    exclusions: z.object({ optedOut: z.number().int(), ids: z.number().int() }),
    needMix: z.union([
      z.literal(false),
      z.object({ themes: z.array(z.string()).optional(), sample: z.number().int().optional() }),
    ]),
    consentPurposes: z.array(z.string()),
    asOf: z.string().nullable(),
    reachLock: z.object({ min: z.number().int(), max: z.number().int() }).nullable(),
    retention: z.object({ keep: z.number().int() }),
    schedule: z.object({ everyHours: z.number().int(), nextRefreshAt: z.string() }).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    lastRefresh: z
      .object({
        at: z.string(),
        revision: z.number().int().nullable(),
        error: z.string().nullable(),
        trigger: Trigger,
      })
      .nullable(),
  })
  .openapi('AudienceDefinition');

export const HeadRow = z.object({ rank: z.number().int(), id: z.string(), score: z.number() });

export const AudienceDetailSchema = AudienceSchema.extend({
  head: z.array(HeadRow),
  definition: DefinitionSchema,
}).openapi('AudienceDetail');

export const RevisionsSchema = z.object({
  audienceId: z.string(),
  definition: DefinitionSchema,
  revisions: z.array(
    z.object({
      revision: z.number().int(),
      createdAt: z.string(),
      trigger: Trigger,
      size: z.number().int(),
      universeSize: z.number().int(),
      expectedPrecision: z.number(),
      ci: Ci,
      reached: z.boolean(),
      consentExcluded: z.number().int(),
      reachLockHeld: z.boolean(),
      snapshot: z.string(),
    }),
  ),
});

const RelaxChange = z.object({
  condition: z.number().int(),
  rung: z.number().int(),
  label: z.string(),
  labelJa: z.string(),
});
const TopAudience = z.object({ size: z.number().int(), expectedPrecision: z.number() });

const RelaxAlternative = z
  .object({
    rungs: z.array(z.number().int()),
    changes: z.array(RelaxChange),
    size: z.number().int(),
    expectedPrecision: z.number(),
    reachesTarget: z.boolean(),
    audience: TopAudience.optional().openapi({
      description: 'the audience this choice gives: its top min(size, targetSize) by score',
    }),
  })
  .openapi('RelaxAlternative');

export const RelaxPlanSchema = z
  .object({
    method: z.enum(['exact', 'beam']),
    modelId: z.string(),
    targetSize: z.number().int(),
    universeSize: z.number().int(),
    full: RelaxAlternative,
    plan: RelaxAlternative,
    reached: z.boolean(),
    alternatives: z.array(RelaxAlternative),
    evaluated: z.number().int(),
    note: z.string(),
    steps: z.array(
      z.object({
        change: RelaxChange,
        size: z.number().int(),
        expectedPrecision: z.number(),
        sizeGain: z.number().int(),
        precisionCost: z.number(),
        audience: TopAudience,
      }),
    ),
    reach: z.array(
      z.object({
        condition: z.number().int(),
        label: z.string(),
        labelJa: z.string(),
        alone: z.number().int(),
        withoutIt: z.number().int(),
      }),
    ),
    partialPlans: z.array(RelaxAlternative),
    planConditions: z
      .array(z.record(z.string(), z.unknown()))
      .openapi({ description: 'the plan as conditions for POST /v1/audiences (stored codes)' }),
    explanation: z.object({ en: z.string(), ja: z.string() }),
    readings: z.array(z.object({ field: z.string(), typed: z.string(), value: z.string() })),
    conditions: z
      .array(z.record(z.string(), z.unknown()))
      .openapi({ description: 'the conditions in stored codes' }),
  })
  .openapi('RelaxPlan');

export const DriversSchema = z.object({
  audienceId: z.string().nullable(),
  modelId: z.string(),
  size: z.number().int(),
  drivers: z.array(
    z.object({
      feature: z.string(),
      meanContribution: z.number(),
      prevalence: z.number(),
      referencePrevalence: z.number(),
      index: z.number().nullable(),
    }),
  ),
});

export const OverlapSchema = z
  .object({
    idKind: IdKind,
    audiences: z.array(z.object({ id: z.string(), revision: z.number().int(), size: z.number().int() })),
    union: z.number().int(),
    inAll: z.number().int(),
    pairs: z.array(
      z.object({
        a: z.string(),
        b: z.string(),
        intersection: z.number().int(),
        jaccard: z.number(),
        shareOfA: z.number(),
        shareOfB: z.number(),
      }),
    ),
    combinations: z
      .array(z.object({ audiences: z.array(z.string()), exclusive: z.number().int(), share: z.number() }))
      .openapi({ description: 'UpSet: people in exactly these audiences and no other, largest first' }),
  })
  .openapi('AudienceOverlap');

export const ConsentSummarySchema = z.object({
  audienceId: z.string(),
  revision: z.number().int(),
  idKind: IdKind,
  size: z.number().int(),
  audienceConsent: z.object({ purposes: z.array(z.string()), excluded: z.number().int() }).nullable(),
  purposes: z.array(
    z.object({
      purpose: z.string(),
      granted: z.number().int(),
      refused: z.number().int(),
      undecided: z.number().int(),
    }),
  ),
  destinations: z.array(
    z.object({
      destination: z.string(),
      revision: z.number().int().nullable(),
      purposes: z.array(z.string()),
      size: z.number().int().nullable(),
      counts: ReleaseCountsSchema.nullable(),
      lastReleaseError: ReleaseErrorSchema.nullable(),
    }),
  ),
});

export const DestinationSchema = z
  .object({
    name: z.string(),
    idForm: z.enum(ID_FORMS),
    platform: z.enum(PLATFORMS),
    purposes: z.array(z.string()),
    keyVersion: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string().nullable(),
  })
  .openapi('Destination');

export const ReleaseOutcomeSchema = z.object({
  destination: z.string(),
  audienceId: z.string(),
  revision: z.number().int().nullable(),
  size: z.number().int().nullable(),
  error: z.string().nullable(),
});
