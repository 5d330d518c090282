/**
 * What an audience would be before it is made: the target (size, minimum precision or budget)
 * solved on the model's frontier, with its expected precision and interval, said in plain
 * Japanese and English ("約1万人、推定精度89%（95%区間 60-100%）"). The studio's slider calls it on
 * every move; the frontier is scored once per data version (the shared frontier cache).
 */
import { z } from 'zod';
import { DEFAULT_MIN_SIZE, solveTarget } from '../../audience/index.ts';
import { frontierCache } from '../lookalike/read.ts';
import { defineOp, wsOf } from '../operation.ts';
import { domainTarget, MinSize, ModelId, TargetInput } from './fields.ts';

export const PreviewInput = z
  .object({ modelId: ModelId, target: TargetInput, minSize: MinSize.optional() })
  .strict()
  .meta({ id: 'AudiencePreviewRequest' });

const pct = (p: number) => Math.round(p * 100);

/** People as a Japanese marketer says them: 約1万人, 約1.5万人, 約3,400人, 250人. */
export function peopleJa(n: number): string {
  if (n >= 10_000) {
    const man = Math.round(n / 1000) / 10;
    return `約${Number.isInteger(man) ? man.toFixed(0) : man.toFixed(1)}万人`;
  }
  if (n >= 1000) return `約${(Math.round(n / 100) * 100).toLocaleString('ja-JP')}人`;
  return `${n}人`;
}

/** The solved audience in one sentence: 約1万人、推定精度89%（95%区間 60-100%）. */
export function describeSolved(
  size: number,
  precision: number,
  ci: readonly [number, number],
  confidence: number,
) {
  const level = pct(confidence);
  return {
    ja: `${peopleJa(size)}、推定精度${pct(precision)}%（${level}%区間 ${pct(ci[0])}-${pct(ci[1])}%）`,
    en: `about ${size.toLocaleString('en-US')} people, expected precision ${pct(precision)}% (${level}% interval ${pct(ci[0])}-${pct(ci[1])}%)`,
  };
}

export const previewAudienceOp = defineOp({
  name: 'audience.preview',
  summary: 'The audience a target would give (size, expected precision and interval), without making it',
  input: PreviewInput,
  roles: ['marketer', 'data_scientist'],
  long: false,
  run: async (ctx, input) => {
    const { frontier, snapshot } = await frontierCache(wsOf(ctx)).get(input.modelId);
    const minSize = input.minSize ?? DEFAULT_MIN_SIZE;
    const s = solveTarget(frontier, domainTarget(input.target), { minSize });
    const confidence = frontier.summary.confidence;
    return {
      modelId: input.modelId,
      snapshot,
      size: s.size,
      reached: s.reached,
      note: s.note,
      expectedPrecision: s.point.expectedPrecision,
      ci: s.point.ci,
      confidence,
      expectedPositives: s.point.expectedPositives,
      lift: s.point.lift,
      expectedProfit: s.expectedProfit ?? null,
      releasable: s.size >= minSize,
      sentence: describeSolved(s.size, s.point.expectedPrecision, s.point.ci, confidence),
    };
  },
});
