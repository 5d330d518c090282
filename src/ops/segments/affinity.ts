import { z } from 'zod';
import { type AffinityReport, DIMENSIONS, segmentAffinity } from '../../enrich/index.ts';
import { NotFoundError } from '../../schema/index.ts';
import { loadSegmentation } from '../../segment/index.ts';
import { defineOp, wsOf } from '../operation.ts';

export const AffinityInput = z
  .object({
    id: z.string().min(1).max(200),
    segmentId: z.string().min(1).max(100).optional().meta({ description: 'only this segment' }),
    dimension: z.enum(DIMENSIONS).optional().meta({ description: 'only this dimension' }),
    minSupport: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .optional()
      .meta({ description: 'least members behind an index (recomputes)' }),
    minLinked: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .meta({ description: 'least linked members in a segment (recomputes)' }),
    confidence: z
      .number()
      .refine((v) => [0.8, 0.9, 0.95, 0.98, 0.99].includes(v), 'must be 0.8, 0.9, 0.95, 0.98 or 0.99')
      .optional()
      .meta({ description: 'two-sided level of the index intervals (recomputes)' }),
    includeSuppressed: z.boolean().default(false),
    limit: z.number().int().min(1).max(1000).default(50).meta({ description: 'rows per segment' }),
  })
  .strict();

/**
 * Third-party affinity by segment, ranked by the interval's lower bound. The rows stored with the
 * segmentation are served as they are; any of minSupport, minLinked or confidence recomputes them
 * from the workspace under those rules.
 */
export const segmentAffinityOp = defineOp({
  name: 'segment.affinity',
  summary: 'Third-party affinity by segment and dimension, ranked by the interval lower bound',
  input: AffinityInput,
  roles: ['data_scientist', 'marketer'],
  long: false,
  run: async (ctx, q) => {
    const m = await loadSegmentation(wsOf(ctx), q.id);
    if (q.segmentId && !m.segments.some((s) => s.segmentId === q.segmentId)) {
      throw new NotFoundError(
        'segment',
        q.segmentId,
        `segmentation ${q.id} has ${m.segments.map((s) => s.segmentId).join(', ')}`,
      );
    }
    const recompute = q.minSupport !== undefined || q.minLinked !== undefined || q.confidence !== undefined;
    const report: AffinityReport | null = recompute
      ? await segmentAffinity(wsOf(ctx), q.id, {
          ...(q.minSupport !== undefined ? { minSupport: q.minSupport } : {}),
          ...(q.minLinked !== undefined ? { minLinked: q.minLinked } : {}),
          ...(q.confidence !== undefined ? { confidence: q.confidence } : {}),
          ...(q.dimension ? { dimensions: [q.dimension] } : {}),
        })
      : m.affinity;
    const segments = (report?.segments ?? [])
      .filter((s) => !q.segmentId || s.segmentId === q.segmentId)
      .map((s) => ({
        ...s,
        rows: s.rows
          .filter(
            (r) => (!q.dimension || r.dimension === q.dimension) && (q.includeSuppressed || !r.suppressed),
          )
          .slice(0, q.limit),
      }));
    return {
      segmentationId: q.id,
      recomputed: recompute,
      options: report?.options ?? null,
      population: report?.population ?? null,
      segments,
    };
  },
});
