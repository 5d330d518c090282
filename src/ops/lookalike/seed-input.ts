/** The seed of a lookalike model as every adapter takes it: one schema, one set of limits. */
import { z } from 'zod';
import { Day, IdList } from '../fields.ts';

export const SeedInput = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('segment'),
        segmentationId: z.string().min(1).max(200),
        segmentId: z.string().min(1).max(100).meta({ example: 'seg_01' }),
      })
      .strict(),
    z.object({ kind: z.literal('members'), memberIds: IdList('member IDs').min(1) }).strict(),
    z.object({ kind: z.literal('third_party_ids'), tpIds: IdList('third-party IDs').min(1) }).strict(),
    z
      .object({
        kind: z.literal('purchase'),
        nameContains: z.string().min(1).max(200).optional(),
        productIds: IdList('product IDs').optional(),
        categories: z.array(z.string().min(1).max(100)).max(1000).optional(),
        since: Day.optional(),
        until: Day.optional(),
        minSpend: z.number().min(0).optional(),
      })
      .strict()
      .refine((s) => s.nameContains || s.productIds?.length || s.categories?.length, {
        message: 'a purchase seed needs nameContains, productIds or categories',
      }),
    z
      .object({
        kind: z.literal('top_value'),
        count: z.number().int().min(1).optional(),
        share: z.number().gt(0).lt(1).optional(),
        since: Day.optional(),
        until: Day.optional(),
      })
      .strict()
      .refine((s) => (s.count === undefined) !== (s.share === undefined), {
        message: 'a top_value seed needs exactly one of count or share',
      }),
  ])
  .meta({ id: 'SeedSpec' });

export const Universe = z
  .enum(['third_party', 'members'])
  .meta({ description: 'third_party (acquisition) or members (cross-sell, reactivation)' });
