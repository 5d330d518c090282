/** One out-of-fold text as the focus prior sees it: blended scores of the text and its point clause. */
export interface FocusSample {
  /** Per need, the text's blended score. */
  text: readonly number[];
  /** Per need, the blended score of the clause after the last adversative; null without one. */
  focus: readonly number[] | null;
  /** The text's gold needs. */
  labels: readonly string[];
}

/**
 * Chooses, per need, the point-clause threshold (see `Scoring.focusThresholds`) that maximises the
 * need's text-level F1 on out-of-fold scores: a need scored at or above it in the clause after the
 * last adversative is reported even under the text threshold. Candidates are the grid values
 * below the text threshold; the text threshold itself means no prior and wins ties.
 *
 * @param samples out-of-fold scores of the train split
 * @param needIds the theme's needs, in score order
 * @param thresholds the tuned text thresholds
 * @param grid candidate thresholds
 * @example
 * tuneFocusThresholds(samples, ['cost', 'taste'], [0.3, 0.2], [0.05, 0.1, 0.15]); // [0.15, 0.2]
 */
export function tuneFocusThresholds(
  samples: readonly FocusSample[],
  needIds: readonly string[],
  thresholds: readonly number[],
  grid: readonly number[],
): number[] {
  return needIds.map((id, j) => {
    const tau = thresholds[j]!;
    const f1At = (prior: number) => {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (const s of samples) {
        const gold = s.labels.includes(id);
        const predicted = s.text[j]! >= tau || (s.focus !== null && s.focus[j]! >= prior);
        if (predicted && gold) tp++;
        else if (predicted) fp++;
        else if (gold) fn++;
      }
      return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
    };
    let best = { prior: tau, f1: f1At(tau) };
    for (const prior of [...grid].filter((g) => g < tau).sort((a, b) => b - a)) {
      const f1 = f1At(prior);
      // Ties keep the higher threshold: no prior unless it finds more than it adds in error.
      if (f1 > best.f1 + 1e-12) best = { prior, f1 };
    }
    return best.prior;
  });
}
