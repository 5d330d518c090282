import type { TextDecision } from './classifier.ts';
import type { CorpusRow } from './corpus.ts';
import type { NeedMetric, NeedMetrics } from './model.ts';

const f1 = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

/**
 * Scores decisions against gold rows: per-need precision/recall/F1, micro and macro F1, exact
 * match, after-adversative focus recall (the focus need must be reported in the clause after
 * the last adversative; a text whose contrast the clause splitter missed counts as a miss), and
 * polarity accuracy on the needs found.
 *
 * @param needIds the theme's need ids, in model order
 * @param rows gold rows
 * @param decisions one decision per row, from `NeedClassifier.decide`
 * @example
 * const m = evaluateDecisions(clf.needIds, testRows, decisions);
 * m.microF1; // 0.9
 */
export function evaluateDecisions(
  needIds: readonly string[],
  rows: readonly CorpusRow[],
  decisions: readonly TextDecision[],
): NeedMetrics {
  const k = needIds.length;
  const tp = new Array<number>(k).fill(0);
  const fp = new Array<number>(k).fill(0);
  const fn = new Array<number>(k).fill(0);
  let exact = 0;
  let focusPairs = 0;
  let focusHits = 0;
  let polarityPairs = 0;
  let polarityHits = 0;
  rows.forEach((row, t) => {
    const d = decisions[t]!;
    const gold = new Set(row.labels);
    const predicted = new Set(d.needs.map((j) => needIds[j]!));
    let same = gold.size === predicted.size;
    needIds.forEach((id, j) => {
      const g = gold.has(id);
      const p = predicted.has(id);
      if (g && p) {
        tp[j]!++;
        polarityPairs++;
        if (d.unmet[j] === row.unmet.includes(id)) polarityHits++;
      } else if (p) {
        fp[j]!++;
        same = false;
      } else if (g) {
        fn[j]!++;
        same = false;
      }
    });
    if (same) exact++;
    for (const id of row.focus) {
      focusPairs++;
      const j = needIds.indexOf(id);
      if (d.focusClause !== null && d.clauseNeeds[d.focusClause]!.includes(j)) focusHits++;
    }
  });
  const perNeed: NeedMetric[] = needIds.map((id, j) => {
    const precision = ratio(tp[j]!, tp[j]! + fp[j]!);
    const recall = ratio(tp[j]!, tp[j]! + fn[j]!);
    return { id, precision, recall, f1: f1(precision, recall), support: tp[j]! + fn[j]! };
  });
  const TP = tp.reduce((a, b) => a + b, 0);
  const FP = fp.reduce((a, b) => a + b, 0);
  const FN = fn.reduce((a, b) => a + b, 0);
  const microPrecision = ratio(TP, TP + FP);
  const microRecall = ratio(TP, TP + FN);
  return {
    texts: rows.length,
    microPrecision,
    microRecall,
    microF1: f1(microPrecision, microRecall),
    macroF1: perNeed.reduce((s, m) => s + m.f1, 0) / Math.max(1, k),
    perNeed,
    exactMatch: ratio(exact, rows.length),
    focusRecall: ratio(focusHits, focusPairs),
    focusPairs,
    polarityAccuracy: ratio(polarityHits, polarityPairs),
    polarityPairs,
  };
}
