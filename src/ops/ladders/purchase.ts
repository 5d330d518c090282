/** Purchase-ladder operations: CPM classes, their movement between two days, RFM ranks, deciles. */
import { z } from 'zod';
import {
  cpmClasses,
  cpmMovements,
  decileAnalysis,
  gridByClass,
  RFM_DIMENSIONS,
  rfmRanks,
} from '../../ladders/index.ts';
import { Day } from '../fields.ts';
import { defineOp, wsOf } from '../operation.ts';
import { CpmThresholdsInput, RfmCutsInput } from './fields.ts';

const ReadRoles = ['data_scientist', 'marketer'] as const;

export const CpmInput = z
  .object({
    asOf: Day.meta({ description: 'classes as of this day (only purchases before it)' }),
    thresholds: CpmThresholdsInput.optional(),
  })
  .strict()
  .meta({ id: 'CpmRequest' });

export const cpmOp = defineOp({
  name: 'ladder.cpm',
  summary:
    'CPM classes (初回・よちよち・コツコツ・流行・優良 x 現役・離脱) as of a day, with the growth-grid action per class',
  input: CpmInput,
  roles: ReadRoles,
  long: false,
  run: async (ctx, input) => {
    const r = await cpmClasses(wsOf(ctx).db, { asOf: input.asOf }, input.thresholds ?? {});
    const { grid, byClass } = gridByClass(r.history, r.assigned);
    return {
      asOf: input.asOf,
      customers: r.history.memberIds.length,
      thresholds: r.thresholds,
      classes: r.classes,
      grid: { frequencyCuts: grid.frequency.cuts, breadthCuts: grid.breadth.cuts, byClass },
    };
  },
});

export const MovementsInput = z
  .object({
    from: Day.meta({ description: 'the first day (thresholds are resolved here)' }),
    to: Day.meta({ description: 'the later day' }),
    thresholds: CpmThresholdsInput.optional(),
  })
  .strict()
  .refine((v) => v.from < v.to, { message: 'to must be after from', path: ['to'] })
  .meta({ id: 'CpmMovementsRequest' });

export const cpmMovementsOp = defineOp({
  name: 'ladder.cpm.movements',
  summary: 'CPM movement matrix between two days: who is new, moved up or down, lapsed or came back',
  input: MovementsInput,
  roles: ReadRoles,
  long: false,
  run: (ctx, input) => cpmMovements(wsOf(ctx).db, { from: input.from, to: input.to }, input.thresholds ?? {}),
});

export const RfmInput = z
  .object({
    asOf: Day,
    since: Day.optional().meta({ description: 'only purchases from this day on (e.g. the last 12 months)' }),
    cuts: RfmCutsInput.optional(),
    limit: z.number().int().min(1).max(125).default(125).meta({ description: 'R x F x M cells returned' }),
  })
  .strict()
  .refine((v) => !v.since || v.since < v.asOf, { message: 'since must be before asOf', path: ['since'] })
  .meta({ id: 'RfmRequest' });

export const rfmOp = defineOp({
  name: 'ladder.rfm',
  summary: 'RFM ranks (1-5 on recency, frequency, monetary value) as of a day',
  input: RfmInput,
  roles: ReadRoles,
  long: false,
  run: async (ctx, input) => {
    const r = await rfmRanks(
      wsOf(ctx).db,
      { asOf: input.asOf, ...(input.since ? { since: input.since } : {}) },
      input.cuts ? { cuts: input.cuts } : {},
    );
    return {
      asOf: r.asOf,
      since: r.since,
      customers: r.members,
      cuts: Object.fromEntries(RFM_DIMENSIONS.map((d) => [d, r.cuts[d]])) as typeof r.cuts,
      distribution: r.distribution,
      cells: r.cells.slice(0, input.limit),
      rf: r.rf,
    };
  },
});

export const DecileInput = z
  .object({ asOf: Day, since: Day.optional().meta({ description: 'only purchases from this day on' }) })
  .strict()
  .refine((v) => !v.since || v.since < v.asOf, { message: 'since must be before asOf', path: ['since'] })
  .meta({ id: 'DecileRequest' });

export const decilesOp = defineOp({
  name: 'ladder.deciles',
  summary: 'デシル分析: buying members in ten equal groups by spend, with sales shares',
  input: DecileInput,
  roles: ReadRoles,
  long: false,
  run: async (ctx, input) => {
    const d = await decileAnalysis(wsOf(ctx).db, {
      asOf: input.asOf,
      ...(input.since ? { since: input.since } : {}),
    });
    return {
      asOf: d.asOf,
      since: d.since,
      customers: d.members,
      totalSales: d.totalSales,
      deciles: d.deciles,
    };
  },
});
