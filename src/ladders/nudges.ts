/**
 * The next-step nudge for each status: where members of that status most often go next (from the
 * mined steps; the next rung when nobody moved yet), what the taxonomy says brings people to that
 * rung, and the strongest mined trigger of that step as the evidence and the lever ("members whose
 * question got answers moved up 4.1 times as often: route their questions to answerers").
 */
import {
  ENGAGEMENT_INDICES,
  ENGAGEMENT_LABELS,
  ENGAGEMENT_STATUSES,
  type EngagementStatus,
  type Label,
} from './labels.ts';
import type { Taxonomy } from './taxonomy.ts';
import type { StepTriggers, TriggerCandidate } from './triggers.ts';

export interface Nudge {
  status: EngagementStatus;
  ja: string;
  en: string;
  next: EngagementStatus | null;
  nudge: Label;
  /** The strongest trigger of the step to `next`, when one was found. */
  evidence: (Pick<TriggerCandidate, 'event' | 'label' | 'support' | 'lift'> & { text: Label }) | null;
}

/** Keeping the top rung: recognition rather than a next step. */
export const TOP_NUDGE: Label = {
  ja: '貢献を称えて続けてもらう：役に立った回答の紹介、アンバサダーやモニターへの招待',
  en: 'Recognise and keep them: feature helpful answers, invite them as ambassadors or product testers',
};

export function nudges(taxonomy: Taxonomy, steps: readonly StepTriggers[]): Nudge[] {
  return ENGAGEMENT_STATUSES.map((status, level): Nudge => {
    const label = ENGAGEMENT_LABELS[status];
    const top = level === ENGAGEMENT_INDICES.length;
    const out = steps.filter((s) => s.from === status).sort((a, b) => b.movers - a.movers)[0];
    const next: EngagementStatus | null = out ? out.to : top ? null : ENGAGEMENT_INDICES[level]!;
    if (next === null || next === 'none')
      return { status, ...label, next: null, nudge: TOP_NUDGE, evidence: null };
    const trigger = out?.to === next ? out.triggers[0] : undefined;
    const nextLabel = ENGAGEMENT_LABELS[next];
    return {
      status,
      ...label,
      next,
      nudge: taxonomy.indices[next].nudge,
      evidence: trigger
        ? {
            event: trigger.event,
            label: trigger.label,
            support: trigger.support,
            lift: trigger.lift,
            text: {
              ja: `${label.ja}から${nextLabel.ja}へ進んだ人の${Math.round(trigger.support * 100)}%が直前に「${trigger.label.ja}」。進まなかった人の${trigger.lift.toFixed(1)}倍：これが起きるよう後押しする`,
              en: `${Math.round(trigger.support * 100)}% of those who moved from ${label.en} to ${nextLabel.en} had "${trigger.label.en}" just before, ${trigger.lift.toFixed(1)}x as often as those who did not: make it happen`,
            },
          }
        : null,
    };
  });
}
