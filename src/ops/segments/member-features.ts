import { z } from 'zod';
import { computeMemberFeatures } from '../../features/index.ts';
import { Day } from '../fields.ts';
import { defineOp, filesOf, wsOf } from '../operation.ts';

export const MemberFeaturesInput = z
  .object({
    asOf: Day.optional().meta({ description: 'only purchases before this day' }),
    since: Day.optional().meta({ description: 'only purchases from this day on' }),
    categoryLevel: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
    out: z.string().min(1).optional().meta({ description: 'write every row as CSV to this file' }),
  })
  .strict();

/** Member purchase features as of a day, summarised (and written as CSV where asked). */
export const memberFeaturesOp = defineOp({
  name: 'features.members',
  summary: 'Member purchase features as of a day (RFM, basket, category shares and breadth, channel, time)',
  input: MemberFeaturesInput,
  roles: ['data_scientist'],
  long: false,
  localOnly: true,
  run: async (ctx, input) => {
    const m = await computeMemberFeatures(wsOf(ctx).db, {
      ...(input.asOf ? { asOf: input.asOf } : {}),
      ...(input.since ? { since: input.since } : {}),
      ...(input.categoryLevel ? { categoryLevel: input.categoryLevel } : {}),
    });
    let written: string | null = null;
    if (input.out) {
      const lines = [['member_id', ...m.featureNames].join(',')];
      for (let r = 0; r < m.rows; r++)
        lines.push([m.memberIds[r], ...m.values.subarray(r * m.cols, (r + 1) * m.cols)].join(','));
      written = await filesOf(ctx).writeText(input.out, `${lines.join('\n')}\n`);
    }
    const means = m.featureNames.map((feature, c) => {
      let s = 0;
      for (let r = 0; r < m.rows; r++) s += m.values[r * m.cols + c]!;
      return { feature, mean: m.rows ? s / m.rows : 0 };
    });
    return { members: m.rows, asOf: m.asOf, categoryLevel: m.categoryLevel, out: written, means };
  },
});
