import { z } from 'zod';
import {
  DEFAULT_K_RANGE,
  runSegmentation,
  type SegmentationOptions,
  type SegmentFitOutput,
} from '../../segment/index.ts';
import { Day, RandomSeed } from '../fields.ts';
import { defineOp, wsOf } from '../operation.ts';

const K = z.number().int().min(2).max(100);

export const SegmentInput = z
  .object({
    k: K.optional().meta({ description: 'fixed number of segments; otherwise chosen by the data' }),
    kRange: z
      .tuple([K, K])
      .default(DEFAULT_K_RANGE)
      .meta({ description: 'candidate k when choosing, inclusive (default [3, 15])' }),
    asOf: Day.optional().meta({ description: 'only purchases before this day' }),
    seed: RandomSeed.default(1),
    categoryLevel: z
      .union([z.literal(1), z.literal(2), z.literal(3)])
      .optional()
      .meta({ description: 'product-tree level of the category shares (default: chosen from the data)' }),
    sampleSize: z
      .number()
      .int()
      .min(100)
      .max(1_000_000)
      .default(10_000)
      .meta({ description: 'members the fit is seeded on before everyone refines it' }),
    affinity: z
      .union([
        z.literal(false),
        z
          .object({
            minSupport: z.number().int().min(1).max(100_000).default(30),
            minLinked: z.number().int().min(1).max(1_000_000).default(50),
          })
          .strict(),
      ])
      .default({ minSupport: 30, minLinked: 50 })
      .meta({ description: 'affinity rules, or false to skip third-party enrichment' }),
  })
  .strict()
  .refine((v) => v.kRange[0] <= v.kRange[1], {
    message: 'kRange must be [low, high] with low <= high',
    path: ['kRange'],
  })
  .meta({ id: 'SegmentationRequest' });

export interface SegmentResult {
  segmentationId: string;
  k: number;
  members: number;
  location: string;
}

export const runSegmentationOp = defineOp({
  name: 'segment.run',
  summary: 'Segment members by how they buy (k-means, k chosen by silhouette unless given)',
  input: SegmentInput,
  roles: ['data_scientist'],
  long: true,
  run: async (ctx, input): Promise<SegmentResult> => {
    const options: SegmentationOptions = { ...input };
    const runner = ctx.runner;
    const m = await runSegmentation(wsOf(ctx), options, {
      progress: ctx.progress,
      ...(runner
        ? {
            runKmeans: (fit) =>
              runner.run<SegmentFitOutput>('segment-fit', fit, {
                transfer: [fit.values.buffer as ArrayBuffer],
                ...(ctx.signal ? { signal: ctx.signal } : {}),
              }),
          }
        : {}),
    });
    return {
      segmentationId: m.id,
      k: m.params.k,
      members: m.data.members,
      location: `/v1/segmentations/${m.id}`,
    };
  },
});
