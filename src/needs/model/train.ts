import { InvalidInputError } from '../../schema/index.ts';
import { focusClauseIndex } from '../text/clauses.ts';
import { type PreparedText, prepareTexts } from '../text/prepare.ts';
import type { Corpus, CorpusRow } from '../themes/corpus.ts';
import { type CompiledDictionary, compileDictionary } from '../themes/dictionary.ts';
import type { Theme } from '../themes/themes.ts';
import { kuromojiTokenizer, type Tokenizer } from '../tokenize/tokenizer.ts';
import { decideText, NeedClassifier, rawConfidence, type TextDecision } from './classifier.ts';
import { evaluateDecisions } from './evaluate.ts';
import { DEFAULT_FEATURES } from './features.ts';
import { type MilData, trainHeads } from './heads.ts';
import type { NeedMetrics, NeedModel, NeedTrainParams, Scoring } from './model.ts';
import { hashFraction } from './order.ts';
import { type ClauseInputs, clauseInputs, type ScoringModel, scoreTexts, type TextScores } from './score.ts';
import { type FocusSample, tuneFocusThresholds } from './tune-focus.ts';
import { featureIndex, fitVocabulary, vectorize } from './vectorizer.ts';

export const DEFAULT_TRAIN_PARAMS: NeedTrainParams = {
  seed: 42,
  features: DEFAULT_FEATURES,
  minDf: 1,
  maxFeatures: 60_000,
  heads: {
    epochs: 60,
    lr: 0.05,
    batchSize: 32,
    l2: 3e-5,
    l2Polarity: 1e-4,
    focusWeight: 2,
    polarityWeight: 0.5,
  },
  folds: 5,
};

const BLEND_GRID = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
const UNMET_GRID = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7];
const THRESHOLD_GRID = Array.from({ length: 17 }, (_, i) => Math.round((0.05 + i * 0.05) * 100) / 100);

export interface TrainProgress {
  stage: string;
  done: number;
  total: number;
}

export interface NeedTrainResult {
  model: NeedModel;
  classifier: NeedClassifier;
  /** Out-of-fold metrics on the train split (what blend and thresholds were tuned on). */
  crossValidation: NeedMetrics;
  /** Held-out test split. */
  test: NeedMetrics;
  /** The same test split scored by the theme's dictionary alone (what a new theme gets). */
  dictionaryOnlyTest: NeedMetrics;
  corpusFingerprint: string;
  trainTexts: number;
  testTexts: number;
  seconds: number;
}

interface Example {
  row: CorpusRow;
  prepared: PreparedText;
  inputs: ClauseInputs;
}

async function fitModel(
  examples: readonly Example[],
  needIds: readonly string[],
  params: NeedTrainParams,
): Promise<ScoringModel> {
  const used = examples.filter((e) => e.prepared.clauses.length > 0);
  const vocab = fitVocabulary(
    used.flatMap((e) => e.inputs.features),
    { minDf: params.minDf, maxFeatures: params.maxFeatures, tf: 'binary' },
  );
  const index = featureIndex(vocab);
  const k = needIds.length;
  const spans: [number, number][] = [];
  const labels = new Uint8Array(used.length * k);
  const unmet = new Uint8Array(used.length * k);
  const focus = new Uint8Array(used.length * k);
  const focusRow: (number | null)[] = [];
  let row = 0;
  used.forEach((e, t) => {
    const n = e.prepared.clauses.length;
    spans.push([row, row + n]);
    needIds.forEach((id, j) => {
      labels[t * k + j] = e.row.labels.includes(id) ? 1 : 0;
      unmet[t * k + j] = e.row.unmet.includes(id) ? 1 : 0;
      focus[t * k + j] = e.row.focus.includes(id) ? 1 : 0;
    });
    const f = e.row.focus.length ? focusClauseIndex(e.prepared.clauses) : null;
    focusRow.push(f === null ? null : row + f);
    row += n;
  });
  const data: MilData = {
    x: vectorize(
      vocab,
      used.flatMap((e) => e.inputs.features),
      index,
    ),
    spans,
    k,
    labels,
    unmet,
    focusRow,
    focus,
  };
  const heads = await trainHeads(data, { ...params.heads, seed: params.seed });
  return { vocab, heads, features: params.features, index };
}

function bestThreshold(scores: readonly number[], gold: readonly boolean[]): { tau: number; f1: number } {
  let best = { tau: 0.5, f1: -1 };
  for (const tau of THRESHOLD_GRID) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    scores.forEach((s, i) => {
      if (s >= tau && gold[i]) tp++;
      else if (s >= tau) fp++;
      else if (gold[i]) fn++;
    });
    const f1 = tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
    // Ties prefer the threshold nearer 0.5: less tuned to this particular sample.
    if (
      f1 > best.f1 + 1e-12 ||
      (Math.abs(f1 - best.f1) <= 1e-12 && Math.abs(tau - 0.5) < Math.abs(best.tau - 0.5))
    ) {
      best = { tau, f1 };
    }
  }
  return best;
}

/**
 * Chooses the dictionary blend and per-need thresholds that maximise micro-F1 on out-of-fold
 * text scores.
 */
function tuneScoring(
  model: Float64Array[],
  dict: Float64Array[],
  gold: readonly CorpusRow[],
  needIds: readonly string[],
): Scoring {
  let best: { scoring: Scoring; micro: number } | null = null;
  for (const blend of BLEND_GRID) {
    const thresholds: number[] = [];
    let tp = 0;
    let fp = 0;
    let fn = 0;
    needIds.forEach((id, j) => {
      const scores = model.map((m, t) => (1 - blend) * m[j]! + blend * dict[t]![j]!);
      const truth = gold.map((r) => r.labels.includes(id));
      const { tau } = bestThreshold(scores, truth);
      thresholds.push(tau);
      scores.forEach((s, t) => {
        if (s >= tau && truth[t]) tp++;
        else if (s >= tau) fp++;
        else if (truth[t]) fn++;
      });
    });
    const micro = (2 * tp) / Math.max(1, 2 * tp + fp + fn);
    if (!best || micro > best.micro + 1e-12) best = { scoring: { blend, thresholds }, micro };
  }
  return best!.scoring;
}

/**
 * Fits p = sigmoid(a x + b) to binary outcomes by Newton's method (logistic regression on one
 * feature, with Platt's smoothed targets so a separable sample does not diverge).
 */
export function fitPlatt(x: readonly number[], y: readonly boolean[]): { a: number; b: number } {
  const positives = y.filter(Boolean).length;
  const negatives = y.length - positives;
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (negatives + 2);
  let a = 0;
  let b = Math.log((positives + 1) / (negatives + 1));
  for (let iter = 0; iter < 50; iter++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-9;
    let hab = 0;
    let hbb = 1e-9;
    for (let i = 0; i < x.length; i++) {
      const p = 1 / (1 + Math.exp(-(a * x[i]! + b)));
      const t = y[i] ? hi : lo;
      const w = p * (1 - p);
      ga += (p - t) * x[i]!;
      gb += p - t;
      haa += w * x[i]! * x[i]!;
      hab += w * x[i]!;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (Math.abs(det) < 1e-12) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-9) break;
  }
  return { a: Math.round(a * 1e6) / 1e6, b: Math.round(b * 1e6) / 1e6 };
}

/** Out-of-fold scores of one train text: model and dictionary, per text and per clause. */
interface OofScores {
  model: Float64Array;
  dict: Float64Array;
  clauseModel: Float32Array;
  clauseDict: Float32Array[];
}

/** Blended out-of-fold score of need j for the text: (1 - blend) model + blend dictionary. */
const textScore = (o: OofScores, blend: number, j: number) => (1 - blend) * o.model[j]! + blend * o.dict[j]!;

/** Blended out-of-fold score of need j in clause c (k needs). */
const clauseScore = (o: OofScores, blend: number, k: number, c: number, j: number) =>
  (1 - blend) * o.clauseModel[c * k + j]! + blend * o.clauseDict[c]![j]!;

/**
 * Chooses per-need clause thresholds: the clause score at which a need the text reports is also
 * placed in the clause after the last adversative, by F1 against the corpus's focus labels on
 * out-of-fold scores. Never above the text threshold (a clause cannot need more than its text).
 */
function tuneClauseThresholds(
  oof: readonly OofScores[],
  examples: readonly Example[],
  scoring: Scoring,
  needIds: readonly string[],
): number[] {
  const k = needIds.length;
  const { blend } = scoring;
  return needIds.map((id, j) => {
    const tau = scoring.thresholds[j]!;
    // What a candidate does not change, once per text: the gold label, whether the text reports
    // the need, whether the point clause is its strongest clause, and its score there.
    const cases = examples.flatMap((e, t) => {
      const focus = focusClauseIndex(e.prepared.clauses);
      if (focus === null) return [];
      const o = oof[t]!;
      let strongest = 0;
      for (let c = 1; c < e.prepared.clauses.length; c++)
        if (clauseScore(o, blend, k, c, j) >= clauseScore(o, blend, k, strongest, j)) strongest = c;
      return [
        {
          gold: e.row.focus.includes(id),
          reported: textScore(o, blend, j) >= tau,
          strongestIsFocus: strongest === focus,
          focusScore: clauseScore(o, blend, k, focus, j),
        },
      ];
    });
    let best = { tau, f1: -1 };
    for (const candidate of THRESHOLD_GRID.filter((t) => t <= tau)) {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (const x of cases) {
        const predicted = x.reported && (x.strongestIsFocus || x.focusScore >= candidate);
        if (predicted && x.gold) tp++;
        else if (predicted) fp++;
        else if (x.gold) fn++;
      }
      const f1 = tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
      // Ties keep the higher threshold: place a need in fewer clauses when it costs nothing.
      if (f1 > best.f1 + 1e-12) best = { tau: candidate, f1 };
    }
    return best.tau;
  });
}

/**
 * Blend, text thresholds, clause thresholds and point-clause thresholds, in that order, each tuned
 * on the out-of-fold scores of the train split given the ones before.
 */
function tuneDecisions(
  oof: readonly OofScores[],
  train: readonly Example[],
  needIds: readonly string[],
): Scoring {
  const tuned = tuneScoring(
    oof.map((o) => o.model),
    oof.map((o) => o.dict),
    train.map((e) => e.row),
    needIds,
  );
  return {
    ...tuned,
    clauseThresholds: tuneClauseThresholds(oof, train, tuned, needIds),
    focusThresholds: focusPrior(oof, train, tuned, needIds),
  };
}

/** The point-clause thresholds, tuned on the out-of-fold blended scores of the train split. */
function focusPrior(
  oof: readonly OofScores[],
  examples: readonly Example[],
  scoring: Scoring,
  needIds: readonly string[],
): number[] {
  const k = needIds.length;
  const { blend } = scoring;
  const samples: FocusSample[] = examples.map((e, t) => {
    const o = oof[t]!;
    const c = focusClauseIndex(e.prepared.clauses);
    return {
      text: needIds.map((_, j) => textScore(o, blend, j)),
      focus: c === null ? null : needIds.map((_, j) => clauseScore(o, blend, k, c, j)),
      labels: e.row.labels,
    };
  });
  return tuneFocusThresholds(samples, needIds, scoring.thresholds, THRESHOLD_GRID);
}

/**
 * Trains a theme's need classifier from its labelled corpus: features per clause, the need and
 * polarity heads in TensorFlow.js, then the dictionary blend and per-need thresholds tuned by
 * k-fold cross-validation on the train split, and a final fit on the whole train split. The
 * test split is only scored, never used for a choice.
 *
 * @param theme the taxonomy (its dictionary is part of the model)
 * @param corpus the labelled corpus of the same theme
 * @param options parameters (merged over DEFAULT_TRAIN_PARAMS), tokenizer, progress callback
 * @returns the model, a classifier for it, and cross-validation and test metrics
 * @throws InvalidInputError when the corpus has no train rows or folds is below 2
 * @example
 * const theme = loadTheme(files, 'convection_oven');
 * const result = await trainNeedClassifier(theme, loadCorpus(files, theme));
 * result.test.microF1; // ~0.9
 */
export async function trainNeedClassifier(
  theme: Theme,
  corpus: Corpus,
  options: {
    params?: Partial<NeedTrainParams>;
    tokenizer?: Tokenizer;
    onProgress?: (p: TrainProgress) => void;
  } = {},
): Promise<NeedTrainResult> {
  const started = performance.now();
  const params = trainParams(options.params);
  const progress = options.onProgress ?? (() => undefined);
  const needIds = theme.needs.map((n) => n.id);
  const dictionary = compileDictionary(theme);
  progress({ stage: 'tokenizing', done: 0, total: 1 });
  const prepared = await prepareTexts(
    corpus.rows.map((r) => r.text),
    options.tokenizer ?? kuromojiTokenizer,
  );
  const examples: Example[] = corpus.rows.map((row, i) => ({
    row,
    prepared: prepared[i]!,
    inputs: clauseInputs(prepared[i]!.clauses, dictionary, params.features),
  }));
  const train = examples.filter((e) => e.row.split === 'train');
  const test = examples.filter((e) => e.row.split === 'test');
  if (train.length === 0) {
    throw new InvalidInputError(`the ${theme.theme} corpus has no rows with split "train"`, 'corpus');
  }

  // Out-of-fold scores on the train split; folds come from a hash of the row id, so they do not
  // move when rows are added elsewhere in the file.
  const fold = train.map((e) => Math.floor(hashFraction(e.row.id) * params.folds));
  const { oof, foldModels } = await outOfFold(train, fold, needIds, dictionary, params, progress);
  const scoring = tuneDecisions(oof, train, needIds);

  progress({ stage: 'final fit', done: params.folds, total: params.folds + 1 });
  const final = await fitModel(train, needIds, params);

  const cv = crossValidate(train, fold, foldModels, dictionary, scoring, needIds);
  const { theme: themeId, name_ja, name_en, needs, fingerprint } = theme;
  const model: NeedModel = {
    theme: { theme: themeId, name_ja, name_en, needs, fingerprint },
    dictionary,
    features: params.features,
    vocab: final.vocab,
    heads: final.heads,
    scoring: { ...scoring, unmetThreshold: cv.unmetThreshold, confidence: cv.confidence },
    params,
  };
  const classifier = NeedClassifier.fromModel(model, 'unsaved');
  const evaluate = (clf: NeedClassifier) => {
    const scores = clf.score(test.map((e) => e.prepared));
    return evaluateDecisions(
      needIds,
      test.map((e) => e.row),
      test.map((e, i) => clf.decide(e.prepared, scores[i]!)),
    );
  };
  progress({ stage: 'done', done: params.folds + 1, total: params.folds + 1 });
  return {
    model,
    classifier,
    crossValidation: cv.metrics,
    test: evaluate(classifier),
    dictionaryOnlyTest: evaluate(NeedClassifier.fromDictionary(theme)),
    corpusFingerprint: corpus.fingerprint,
    trainTexts: train.length,
    testTexts: test.length,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The training parameters with their defaults; at least two folds. */
function trainParams(given: Partial<NeedTrainParams> | undefined): NeedTrainParams {
  const params: NeedTrainParams = {
    ...DEFAULT_TRAIN_PARAMS,
    ...given,
    heads: { ...DEFAULT_TRAIN_PARAMS.heads, ...given?.heads },
    features: { ...DEFAULT_TRAIN_PARAMS.features, ...given?.features },
  };
  if (!Number.isInteger(params.folds) || params.folds < 2) {
    throw new InvalidInputError(`folds must be a whole number of at least 2, got ${params.folds}`, 'folds');
  }
  return params;
}

/** Each fold's model and its out-of-fold scores on the rows it held out. */
async function outOfFold(
  train: readonly Example[],
  fold: readonly number[],
  needIds: string[],
  dictionary: CompiledDictionary,
  params: NeedTrainParams,
  progress: (p: TrainProgress) => void,
): Promise<{ oof: OofScores[]; foldModels: (ScoringModel | null)[] }> {
  const oof: OofScores[] = new Array(train.length);
  const foldModels: (ScoringModel | null)[] = [];
  for (let f = 0; f < params.folds; f++) {
    progress({ stage: 'cross-validation', done: f, total: params.folds });
    const fitOn = train.filter((_, i) => fold[i] !== f);
    const held = train.map((_, i) => i).filter((i) => fold[i] === f);
    foldModels.push(null);
    if (held.length === 0) continue;
    const m = await fitModel(fitOn, needIds, params);
    foldModels[f] = m;
    const scores = scoreTexts(
      held.map((i) => train[i]!.prepared.clauses),
      dictionary,
      m,
      0,
    );
    held.forEach((i, h) => {
      const sc = scores[h]!;
      oof[i] = {
        model: sc.model,
        dict: sc.dictionary,
        clauseModel: sc.clause,
        clauseDict: sc.inputs.dict.map((d) => d.scores),
      };
    });
  }
  return { oof, foldModels };
}

/**
 * Cross-validation metrics (each fold's model on its held-out rows, with the tuned scoring) and
 * the confidence: Platt scaling of the raw confidence against out-of-fold exact matches.
 */
function crossValidate(
  train: readonly Example[],
  fold: readonly number[],
  foldModels: readonly (ScoringModel | null)[],
  dictionary: CompiledDictionary,
  scoring: Scoring,
  needIds: string[],
) {
  const held: (TextScores | undefined)[] = new Array(train.length);
  foldModels.forEach((m, f) => {
    if (!m) return;
    const rows = train.map((_, i) => i).filter((i) => fold[i] === f);
    const scores = scoreTexts(
      rows.map((i) => train[i]!.prepared.clauses),
      dictionary,
      m,
      scoring.blend,
    );
    rows.forEach((i, h) => {
      held[i] = scores[h]!;
    });
  });
  const decide = (s: Scoring) =>
    train.map((e, i) => {
      const sc = held[i];
      return sc ? decideText(e.prepared.clauses, sc, s) : undefined;
    }) as TextDecision[];
  const rows = train.map((e) => e.row);
  const unmetThreshold = bestUnmetThreshold((t) =>
    evaluateDecisions(needIds, rows, decide({ ...scoring, unmetThreshold: t })),
  );
  const tuned: Scoring = { ...scoring, unmetThreshold };
  const cvDecisions = decide(tuned);
  const cvRaw = train.map((_, i) => {
    const sc = held[i];
    return sc ? rawConfidence(sc, scoring.thresholds) : 0;
  });
  const metrics = evaluateDecisions(needIds, rows, cvDecisions);
  const exact = train.map((e, i) => {
    const predicted = new Set((cvDecisions[i]?.needs ?? []).map((j) => needIds[j]!));
    return predicted.size === e.row.labels.length && e.row.labels.every((id) => predicted.has(id));
  });
  return { metrics, confidence: fitPlatt(cvRaw, exact), unmetThreshold };
}

/**
 * The unmet probability cut with the best met/unmet accuracy on out-of-fold decisions (of needs
 * found); ties go to the cut nearer 0.5.
 */
function bestUnmetThreshold(evaluate: (t: number) => NeedMetrics): number {
  let best = { t: 0.5, accuracy: evaluate(0.5).polarityAccuracy };
  for (const t of UNMET_GRID) {
    const accuracy = evaluate(t).polarityAccuracy;
    if (
      accuracy > best.accuracy + 1e-12 ||
      (Math.abs(accuracy - best.accuracy) <= 1e-12 && Math.abs(t - 0.5) < Math.abs(best.t - 0.5))
    ) {
      best = { t, accuracy };
    }
  }
  return best.t;
}
