import { z } from 'zod';
import { type NeedMix, needMixBySegment, type SegmentNeedMix, servingClassifier } from '../../needs/index.ts';
import { NotFoundError } from '../../schema/index.ts';
import { loadSegmentation, segmentMemberIds } from '../../segment/index.ts';
import { defineOp, wsOf } from '../operation.ts';
import { ThemeId } from './classify.ts';
import { needFilesOf, requireTheme, tokenizerOf } from './context.ts';

export const NeedMixInput = z
  .object({
    segmentationId: z.string().min(1).max(200).meta({ example: 'sgm_20261121_030000_ab12cd' }),
    segmentId: z.string().min(1).max(100).optional().meta({ example: 'seg_01' }),
    theme: ThemeId,
  })
  .strict();

export interface NeedMixResult {
  segmentationId: string;
  theme: string;
  overall: NeedMix;
  segments: SegmentNeedMix[];
}

export const segmentNeedMixOp = defineOp({
  name: 'needs.mix',
  summary: 'Need mix of a segment (or of every segment) through the texts of its linked third-party profiles',
  input: NeedMixInput,
  roles: ['marketer', 'data_scientist'],
  long: false,
  run: async (ctx, input): Promise<NeedMixResult> => {
    const files = needFilesOf(ctx);
    const ws = wsOf(ctx);
    requireTheme(files, input.theme);
    const m = await loadSegmentation(ws, input.segmentationId);
    if (input.segmentId && !m.segments.some((s) => s.segmentId === input.segmentId)) {
      throw new NotFoundError(
        'segment',
        input.segmentId,
        `segmentation ${m.id} has ${m.segments.map((s) => s.segmentId).join(', ')}`,
      );
    }
    const assignment = new Map<string, string>();
    for (const s of m.segments) {
      for (const member of await segmentMemberIds(ws, m.id, s.segmentId)) assignment.set(member, s.segmentId);
    }
    const { classifier } = await servingClassifier(files, input.theme, {
      workspaceModelsDir: ctx.needModelsDir,
    });
    const result = await needMixBySegment(ws, classifier, assignment, { tokenizer: tokenizerOf(ctx) });
    return {
      segmentationId: m.id,
      theme: input.theme,
      overall: result.overall,
      segments: result.segments.filter((s) => !input.segmentId || s.segmentId === input.segmentId),
    };
  },
});
