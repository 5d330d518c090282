/**
 * Why a trained model kept the architecture it did, in words a data scientist reads in a model
 * comparison. The rule itself is applied in `train.ts`; this states it from the stored candidates.
 */
import type { CandidateMetrics, LookalikeManifest } from './artifact.ts';
import type { Architecture } from './kernel.ts';
import { TIE_AUC } from './train.ts';

export interface SelectionExplanation {
  chosen: Architecture;
  /** Validation AUC difference under which the simpler (logistic) model wins. */
  tieThreshold: number;
  /**
   * Which way the rule went: the only candidate, the best AUC, a tie given to logistic, or a lead
   * within one standard error of the AUC difference given to logistic.
   */
  rule: 'only_candidate' | 'highest_auc' | 'tie_prefers_logistic' | 'within_noise_prefers_logistic';
  /** English first line of the reason. */
  reason: string;
  reasonJa: string;
}

const NAMES_JA: Readonly<Record<Architecture, string>> = {
  logistic: 'ロジスティック回帰',
  mlp: 'MLP',
};

const f4 = (v: number) => v.toFixed(4);

/** The architecture rule as users read it (API docs, comparisons, README). */
export const SELECTION_RULE = {
  tieThreshold: TIE_AUC,
  text:
    `Training fits logistic regression and an MLP and keeps the one with the higher validation AUC, except that ` +
    `logistic regression is kept when the MLP is ahead by less than ${TIE_AUC}, or by no more than one standard error ` +
    `of the difference (DeLong's, on the same validation rows): when the data cannot tell the two apart, the simpler ` +
    `model wins, which calibrates and explains directly.`,
  textJa:
    `学習ではロジスティック回帰とMLPを学習し、検証AUCの高い方を採用します。ただしMLPの優位が ${TIE_AUC} 未満、` +
    `または同じ検証データでのAUC差の標準誤差（DeLong法）以内なら、データでは両者を区別できないとみなし、` +
    `単純で説明しやすいロジスティック回帰を採用します。`,
} as const;

/**
 * States the architecture rule for one model: the candidate with the highest validation AUC is
 * kept, except that logistic regression is kept over a higher-AUC MLP when the MLP is ahead by
 * less than `TIE_AUC` or by no more than one standard error of the difference (a simpler model
 * that calibrates and explains directly wins when the data cannot tell the two apart).
 *
 * @example
 * explainSelection(manifest).reason;
 * // 'logistic kept over mlp: mlp's validation AUC 0.8431 is ahead by 0.0011, under the tie threshold 0.002, and ties go to the simpler model'
 */
export function explainSelection(
  m: Pick<LookalikeManifest, 'architecture' | 'candidates'>,
): SelectionExplanation {
  const chosen = m.architecture;
  const base = { chosen, tieThreshold: TIE_AUC };
  const mine = m.candidates.find((c) => c.architecture === chosen);
  const others = m.candidates.filter((c) => c.architecture !== chosen);
  if (!mine || !others.length) {
    return {
      ...base,
      rule: 'only_candidate',
      reason: `${chosen} was the only candidate trained`,
      reasonJa: `候補は${NAMES_JA[chosen]}のみ`,
    };
  }
  const best: CandidateMetrics = others.reduce((a, b) => (b.validationAuc > a.validationAuc ? b : a));
  const gap = best.validationAuc - mine.validationAuc;
  const ahead =
    `${chosen} kept over ${best.architecture}: ${best.architecture}'s validation AUC ${f4(best.validationAuc)} is ahead of ` +
    `${f4(mine.validationAuc)} by ${f4(gap)}`;
  const aheadJa =
    `${NAMES_JA[best.architecture]}の検証AUC ${f4(best.validationAuc)} は${NAMES_JA[chosen]}（${f4(mine.validationAuc)}）より ` +
    `${f4(gap)} 高いものの`;
  if (gap > 0 && gap < TIE_AUC) {
    return {
      ...base,
      rule: 'tie_prefers_logistic',
      reason: `${ahead}, under the tie threshold ${TIE_AUC}, and ties go to the simpler model`,
      reasonJa: `${aheadJa}、同点とみなす閾値 ${TIE_AUC} 未満のため、単純な${NAMES_JA[chosen]}を採用`,
    };
  }
  if (gap > 0) {
    const se = best.versusLogistic?.se ?? 0;
    return {
      ...base,
      rule: 'within_noise_prefers_logistic',
      reason: `${ahead}, within one standard error of the difference (${f4(se)}), so the data cannot tell them apart and the simpler model is kept`,
      reasonJa: `${aheadJa}、差はその標準誤差（${f4(se)}）以内でデータでは区別できないため、単純な${NAMES_JA[chosen]}を採用`,
    };
  }
  const se = mine.versusLogistic?.se;
  return {
    ...base,
    rule: 'highest_auc',
    reason:
      `${chosen} kept: validation AUC ${f4(mine.validationAuc)} against ${best.architecture}'s ${f4(best.validationAuc)}` +
      (chosen === 'logistic'
        ? ''
        : ` (ahead by ${f4(-gap)}, at least the tie threshold ${TIE_AUC}` +
          (se !== undefined ? ` and more than one standard error of the difference, ${f4(se)})` : ')')),
    reasonJa:
      `${NAMES_JA[chosen]}を採用: 検証AUC ${f4(mine.validationAuc)}（${NAMES_JA[best.architecture]} ${f4(best.validationAuc)}）` +
      (chosen === 'logistic'
        ? ''
        : `、差 ${f4(-gap)} は閾値 ${TIE_AUC} 以上` +
          (se !== undefined ? `かつ標準誤差 ${f4(se)} を上回る` : '')),
  };
}
