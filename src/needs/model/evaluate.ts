import type { PreparedText } from '../text/prepare.ts';
import { prepareTexts } from '../text/prepare.ts';
import type { CorpusRow } from '../themes/corpus.ts';
import type { Tokenizer } from '../tokenize/tokenizer.ts';
import type { NeedClassifier, TextDecision } from './classifier.ts';
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
  const t = newTally(needIds.length);
  for (const [i, row] of rows.entries()) tallyText(t, needIds, row, decisions[i]!);
  const perNeed: NeedMetric[] = needIds.map((id, j) => {
    const precision = ratio(t.tp[j]!, t.tp[j]! + t.fp[j]!);
    const recall = ratio(t.tp[j]!, t.tp[j]! + t.fn[j]!);
    return { id, precision, recall, f1: f1(precision, recall), support: t.tp[j]! + t.fn[j]! };
  });
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  const microPrecision = ratio(sum(t.tp), sum(t.tp) + sum(t.fp));
  const microRecall = ratio(sum(t.tp), sum(t.tp) + sum(t.fn));
  return {
    texts: rows.length,
    microPrecision,
    microRecall,
    microF1: f1(microPrecision, microRecall),
    macroF1: perNeed.reduce((s, m) => s + m.f1, 0) / Math.max(1, needIds.length),
    perNeed,
    exactMatch: ratio(t.exact, rows.length),
    focusRecall: ratio(t.focusHits, t.focusPairs),
    focusPairs: t.focusPairs,
    polarityAccuracy: ratio(t.polarityHits, t.polarityPairs),
    polarityPairs: t.polarityPairs,
    unmetRecall: ratio(t.unmetHits, t.unmetGold),
    unmetPrecision: ratio(t.unmetHits, t.unmetPredicted),
    unmetPairs: t.unmetGold,
    focusPrecision: ratio(t.focusReportedRight, t.focusReported),
  };
}

/** The counts behind every metric: per need (tp, fp, fn) and over all texts. */
function newTally(k: number) {
  return {
    tp: new Array<number>(k).fill(0),
    fp: new Array<number>(k).fill(0),
    fn: new Array<number>(k).fill(0),
    exact: 0,
    focusPairs: 0,
    focusHits: 0,
    polarityPairs: 0,
    polarityHits: 0,
    unmetGold: 0,
    unmetPredicted: 0,
    unmetHits: 0,
    focusReported: 0,
    focusReportedRight: 0,
  };
}

type Tally = ReturnType<typeof newTally>;

function tallyText(t: Tally, needIds: readonly string[], row: CorpusRow, d: TextDecision): void {
  const gold = new Set(row.labels);
  const predicted = new Set(d.needs.map((j) => needIds[j]!));
  let same = gold.size === predicted.size;
  needIds.forEach((id, j) => {
    const g = gold.has(id);
    const p = predicted.has(id);
    const goldUnmet = row.unmet.includes(id);
    const predictedUnmet = p && d.unmet[j] === true;
    if (goldUnmet) t.unmetGold++;
    if (predictedUnmet) t.unmetPredicted++;
    if (goldUnmet && predictedUnmet) t.unmetHits++;
    if (g && p) {
      t.tp[j]!++;
      t.polarityPairs++;
      if (d.unmet[j] === row.unmet.includes(id)) t.polarityHits++;
    } else if (p) {
      t.fp[j]!++;
      same = false;
    } else if (g) {
      t.fn[j]!++;
      same = false;
    }
  });
  if (same) t.exact++;
  for (const id of row.focus) {
    t.focusPairs++;
    const j = needIds.indexOf(id);
    if (d.focusClause !== null && d.clauseNeeds[d.focusClause]!.includes(j)) t.focusHits++;
  }
  // Precision is counted where the labels say where the point is: texts with focus labels.
  if (row.focus.length && d.focusClause !== null) {
    for (const j of d.clauseNeeds[d.focusClause]!) {
      t.focusReported++;
      if (row.focus.includes(needIds[j]!)) t.focusReportedRight++;
    }
  }
}

/** Metrics of a subset of rows (e.g. one adversative form of an evaluation set). */
export interface EvaluationSlice {
  name: string;
  texts: number;
  focusPairs: number;
  focusRecall: number;
  microF1: number;
}

/** One bin of a reliability table: texts whose confidence fell in [low, high). */
export interface CalibrationBin {
  low: number;
  high: number;
  texts: number;
  meanConfidence: number;
  /** Share of those texts whose reported needs equal the labelled needs exactly. */
  exactShare: number;
}

export interface EvaluationReport {
  metrics: NeedMetrics;
  /** By the row's adversative form when the rows name one (evaluation sets do), else empty. */
  byForm: EvaluationSlice[];
  /** Reliability of `confidence` against exact match, in five bins, and its expected calibration error. */
  calibration: { bins: CalibrationBin[]; ece: number };
}

/** A labelled row: a corpus row, or an evaluation-set row with its adversative form. */
export type EvaluationRow = CorpusRow;

/**
 * Scores a classifier on labelled rows: the metrics of `evaluateDecisions`, the same figures per
 * adversative form, and how well its confidence predicts an exactly right answer.
 *
 * @param classifier the classifier to score
 * @param rows labelled rows (a corpus's test split, or an evaluation set)
 * @param tokenizer the tokenizer (kuromoji, the one the API runs)
 * @example
 * const report = await evaluateClassifier(clf, loadEvalSet(files, theme).rows, kuromojiTokenizer);
 * report.metrics.microF1; // 0.9
 */
export async function evaluateClassifier(
  classifier: NeedClassifier,
  rows: readonly EvaluationRow[],
  tokenizer: Tokenizer,
): Promise<EvaluationReport> {
  const prepared: PreparedText[] = await prepareTexts(
    rows.map((r) => r.text),
    tokenizer,
  );
  const scores = classifier.score(prepared);
  const decisions = prepared.map((p, i) => classifier.decide(p, scores[i]!));
  const results = classifier.classifyPrepared(prepared);
  const needIds = classifier.needIds;
  const metrics = evaluateDecisions(needIds, rows, decisions);
  const forms = [...new Set(rows.map((r) => r.form).filter((f): f is string => typeof f === 'string'))];
  const byForm = forms.sort().map((form): EvaluationSlice => {
    const at = rows.map((r, i) => (r.form === form ? i : -1)).filter((i) => i >= 0);
    const m = evaluateDecisions(
      needIds,
      at.map((i) => rows[i]!),
      at.map((i) => decisions[i]!),
    );
    return {
      name: form,
      texts: at.length,
      focusPairs: m.focusPairs,
      focusRecall: m.focusRecall,
      microF1: m.microF1,
    };
  });
  const exact = rows.map((r, i) => {
    const predicted = decisions[i]!.needs.map((j) => needIds[j]!).sort();
    const gold = [...r.labels].sort();
    return predicted.length === gold.length && predicted.every((id, k) => id === gold[k]);
  });
  return {
    metrics,
    byForm,
    calibration: reliability(
      results.map((r) => r.confidence),
      exact,
    ),
  };
}

/**
 * Reliability table of confidences against outcomes in five equal-width bins, and the expected
 * calibration error (the texts-weighted mean gap between confidence and the share right).
 */
export function reliability(
  confidence: readonly number[],
  right: readonly boolean[],
): { bins: CalibrationBin[]; ece: number } {
  const edges = [0, 0.2, 0.4, 0.6, 0.8, 1.0000001];
  const bins: CalibrationBin[] = [];
  let ece = 0;
  for (let b = 0; b + 1 < edges.length; b++) {
    const low = edges[b]!;
    const high = edges[b + 1]!;
    const at = confidence.map((c, i) => (c >= low && c < high ? i : -1)).filter((i) => i >= 0);
    const mean = at.reduce((s, i) => s + confidence[i]!, 0) / Math.max(1, at.length);
    const share = at.filter((i) => right[i]).length / Math.max(1, at.length);
    bins.push({ low, high: Math.min(1, high), texts: at.length, meanConfidence: mean, exactShare: share });
    ece += (at.length / Math.max(1, confidence.length)) * Math.abs(mean - share);
  }
  return { bins, ece };
}
