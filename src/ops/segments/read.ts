/** Reading published segmentations: the list, one manifest, one segment's members, site visitors. */
import { z } from 'zod';
import { siteVisitorComparison } from '../../enrich/index.ts';
import { listSegmentations, loadSegmentation, segmentMemberIds } from '../../segment/index.ts';
import { defineOp, wsOf } from '../operation.ts';

const ReadRoles = ['data_scientist', 'marketer'] as const;
const SegmentationId = z.string().min(1).max(200);

export const listSegmentationsOp = defineOp({
  name: 'segment.list',
  summary: 'Published segmentations, newest first',
  input: z.object({}).strict(),
  roles: ReadRoles,
  long: false,
  run: async (ctx) => ({ segmentations: await listSegmentations(wsOf(ctx)) }),
});

export const getSegmentationOp = defineOp({
  name: 'segment.get',
  summary: 'Segments with profiles and names, Pareto, growth grid, affinity and site-visitor comparison',
  input: z.object({ id: SegmentationId }).strict(),
  roles: ReadRoles,
  long: false,
  run: (ctx, input) => loadSegmentation(wsOf(ctx), input.id),
});

export const segmentMembersOp = defineOp({
  name: 'segment.members',
  summary: 'Member IDs of one segment',
  input: z.object({ id: SegmentationId, segmentId: z.string().min(1).max(100) }).strict(),
  roles: ['data_scientist'],
  long: false,
  run: async (ctx, input) => ({
    segmentationId: input.id,
    segmentId: input.segmentId,
    memberIds: await segmentMemberIds(wsOf(ctx), input.id, input.segmentId),
  }),
});

export const siteVisitorsOp = defineOp({
  name: 'segment.site-visitors',
  summary:
    'Site visitors who buy compared with those who do not (stored with a segmentation, or computed now)',
  input: z
    .object({
      id: SegmentationId.optional().meta({ description: 'the comparison stored with this segmentation' }),
    })
    .strict(),
  roles: ReadRoles,
  long: false,
  run: async (ctx, input) => {
    if (!input.id)
      return { segmentationId: null, comparison: await siteVisitorComparison(wsOf(ctx)), reason: null };
    const m = await loadSegmentation(wsOf(ctx), input.id);
    return {
      segmentationId: input.id,
      comparison: m.siteVisitors ?? null,
      reason: m.siteVisitors ? null : 'the workspace had no site visits when this segmentation was built',
    };
  },
});
