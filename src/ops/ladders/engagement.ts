/** Engagement-ladder operations: build (a job), list, read, status on a day, transitions, taxonomy. */
import { z } from 'zod';
import {
  buildEngagementLadder,
  checkTaxonomy,
  DEFAULT_TAXONOMY,
  DEFAULT_TRIGGER_OPTIONS,
  DEFAULT_WINDOW_DAYS,
  ENGAGEMENT_INDICES,
  engagementStatusOn,
  engagementTransitions,
  listEngagementLadders,
  loadEngagementLadder,
} from '../../ladders/index.ts';
import { Day } from '../fields.ts';
import { defineOp, wsOf } from '../operation.ts';
import { substantiveClassifier } from './classifier.ts';
import { TaxonomyInput } from './fields.ts';

const ReadRoles = ['data_scientist', 'marketer'] as const;
const LadderId = z.string().min(1).max(200);
const Threshold = z.number().int().min(1).max(1000);

export const EngagementInput = z
  .object({
    asOf: Day.meta({ description: 'statuses as of this day (only actions before it)' }),
    windowDays: z
      .number()
      .int()
      .min(7)
      .max(730)
      .default(DEFAULT_WINDOW_DAYS)
      .meta({ description: 'days of actions a status counts (default 90)' }),
    thresholds: z
      .object(
        Object.fromEntries(ENGAGEMENT_INDICES.map((i) => [i, Threshold.optional()])) as Record<
          (typeof ENGAGEMENT_INDICES)[number],
          z.ZodOptional<typeof Threshold>
        >,
      )
      .strict()
      .default({})
      .meta({
        description: 'thresholds to keep fixed (actions in the window); the others are chosen by simulation',
      }),
    maxThreshold: z
      .number()
      .int()
      .min(2)
      .max(200)
      .default(30)
      .meta({ description: 'largest threshold simulated' }),
    taxonomy: TaxonomyInput.optional().meta({ description: 'action taxonomy (default: the shipped one)' }),
    minedSince: Day.optional().meta({ description: 'mine steps from this day on (default: all history)' }),
    triggers: z
      .object({
        lookbackDays: z.number().int().min(1).max(365).default(DEFAULT_TRIGGER_OPTIONS.lookbackDays),
        minSupport: z.number().min(0).max(1).default(DEFAULT_TRIGGER_OPTIONS.minSupport),
        minLift: z.number().min(1).max(1000).default(DEFAULT_TRIGGER_OPTIONS.minLift),
        minMovers: z.number().int().min(5).max(1_000_000).default(DEFAULT_TRIGGER_OPTIONS.minMovers),
      })
      .strict()
      .default({ ...DEFAULT_TRIGGER_OPTIONS }),
  })
  .strict()
  .refine((v) => !v.minedSince || v.minedSince < v.asOf, {
    message: 'minedSince must be before asOf',
    path: ['minedSince'],
  })
  .meta({ id: 'EngagementLadderRequest' });

export interface EngagementBuildResult {
  ladderId: string;
  location: string;
  asOf: string;
  population: number;
  thresholds: Record<(typeof ENGAGEMENT_INDICES)[number], number>;
}

export const buildEngagementOp = defineOp({
  name: 'ladder.engagement.build',
  summary:
    'Engagement ladder as of a day: thresholds by simulation, statuses, routes, triggers, nudges (runs as a job)',
  input: EngagementInput,
  roles: ['data_scientist'],
  long: true,
  precheck: async (_ctx, input) => {
    if (input.taxonomy) checkTaxonomy(input.taxonomy);
  },
  run: async (ctx, input): Promise<EngagementBuildResult> => {
    const m = await buildEngagementLadder(
      wsOf(ctx),
      {
        asOf: input.asOf,
        windowDays: input.windowDays,
        thresholds: input.thresholds,
        maxThreshold: input.maxThreshold,
        taxonomy: input.taxonomy ? checkTaxonomy(input.taxonomy) : DEFAULT_TAXONOMY,
        ...(input.minedSince ? { minedSince: input.minedSince } : {}),
        triggers: input.triggers,
      },
      {
        classifier: substantiveClassifier(ctx),
        progress: ctx.progress,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      },
    );
    return {
      ladderId: m.id,
      location: `/v1/ladders/engagement/${m.id}`,
      asOf: m.asOf,
      population: m.status.population,
      thresholds: m.thresholds,
    };
  },
});

export const listEngagementOp = defineOp({
  name: 'ladder.engagement.list',
  summary: 'Published engagement ladders, newest first',
  input: z.object({}).strict(),
  roles: ReadRoles,
  long: false,
  run: async (ctx) => ({ ladders: await listEngagementLadders(wsOf(ctx)) }),
});

export const getEngagementOp = defineOp({
  name: 'ladder.engagement.get',
  summary: 'An engagement ladder: thresholds and their simulation, statuses, routes, triggers, nudges',
  input: z.object({ id: LadderId }).strict(),
  roles: ReadRoles,
  long: false,
  run: (ctx, input) => loadEngagementLadder(wsOf(ctx), input.id),
});

export const engagementStatusOp = defineOp({
  name: 'ladder.engagement.status',
  summary: "Engagement status distribution on a day, under a ladder's taxonomy, window and thresholds",
  input: z.object({ id: LadderId, asOf: Day }).strict(),
  roles: ReadRoles,
  long: false,
  run: async (ctx, input) =>
    engagementStatusOn(wsOf(ctx), await loadEngagementLadder(wsOf(ctx), input.id), input.asOf, {
      classifier: substantiveClassifier(ctx),
    }),
});

export const engagementTransitionsOp = defineOp({
  name: 'ladder.engagement.transitions',
  summary: 'Moves between engagement statuses from one day to a later one',
  input: z
    .object({ id: LadderId, from: Day, to: Day })
    .strict()
    .refine((v) => v.from < v.to, { message: 'to must be after from', path: ['to'] }),
  roles: ReadRoles,
  long: false,
  run: async (ctx, input) =>
    engagementTransitions(
      wsOf(ctx),
      await loadEngagementLadder(wsOf(ctx), input.id),
      { from: input.from, to: input.to },
      { classifier: substantiveClassifier(ctx) },
    ),
});

export const taxonomyOp = defineOp({
  name: 'ladder.taxonomy',
  summary: 'The default engagement action taxonomy (place x type x target -> index, Japanese labels)',
  input: z.object({}).strict(),
  roles: ReadRoles,
  long: false,
  run: async () => DEFAULT_TAXONOMY,
});
