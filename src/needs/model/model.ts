import type { CompiledDictionary } from '../themes/dictionary.ts';
import type { NeedDefinition } from '../themes/themes.ts';
import type { FeatureParams } from './features.ts';
import type { HeadParams, HeadWeights } from './heads.ts';
import type { Vocabulary } from './vectorizer.ts';

/** The taxonomy a model was trained with, kept in the artifact so it scores the same later. */
export interface ThemeSnapshot {
  theme: string;
  name_ja: string;
  name_en: string;
  needs: NeedDefinition[];
  fingerprint: string;
}

/** How clause and text scores become decisions. */
export interface Scoring {
  /** Weight of the dictionary prior in the blended score: (1 - blend) model + blend dictionary. */
  blend: number;
  /** Per need, the blended score at or above which the need is reported. */
  thresholds: number[];
  /**
   * Per need, the clause score at or above which a need the text reports is also placed in a
   * clause (besides its strongest one). Tuned on the clauses after an adversative, whose needs the
   * corpus labels; absent in older artifacts, where the text thresholds serve.
   */
  clauseThresholds?: number[];
  /**
   * Per need, the score at or above which a need is reported and placed in the clause after the
   * last adversative (the point of a contrast), even when the text score is under its threshold.
   * Tuned on out-of-fold text decisions; absent in older artifacts (no such prior).
   */
  focusThresholds?: number[];
  /**
   * The unmet probability at or above which a need in a clause is unmet, chosen for met/unmet
   * accuracy on out-of-fold decisions of the train split; absent in older artifacts (0.5).
   */
  unmetThreshold?: number;
  /**
   * Platt scaling of a text's raw confidence (decisiveness of its scores times the share of its
   * words the model knows) into the probability that its reported needs are exactly right,
   * fitted on out-of-fold decisions of the train split. Absent in older artifacts.
   */
  confidence?: { a: number; b: number };
}

export interface NeedTrainParams {
  seed: number;
  features: FeatureParams;
  minDf: number;
  maxFeatures: number;
  heads: Omit<HeadParams, 'seed'>;
  /** Folds of cross-validation on the train split used to tune blend and thresholds. */
  folds: number;
}

/** Per-need precision, recall and F1 with their support (gold positives). */
export interface NeedMetric {
  id: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface NeedMetrics {
  texts: number;
  microPrecision: number;
  microRecall: number;
  microF1: number;
  macroF1: number;
  perNeed: NeedMetric[];
  /** Texts whose predicted need set equals the gold set. */
  exactMatch: number;
  /** Of (text, need) pairs whose need sits after an adversative, the share found in that clause. */
  focusRecall: number;
  focusPairs: number;
  /** Of correctly found needs, the share whose met/unmet polarity is right. */
  polarityAccuracy: number;
  polarityPairs: number;
  /** Of (text, need) pairs labelled unmet, the share reported with polarity unmet. */
  unmetRecall: number;
  /** Of (text, need) pairs reported unmet, the share labelled unmet. */
  unmetPrecision: number;
  unmetPairs: number;
  /**
   * Of the clauses after an adversative, the share of reported needs that the labels put there
   * (the other side of focusRecall: a classifier that put every need everywhere would score low).
   */
  focusPrecision: number;
}

/** A trained need classifier: everything needed to score, nothing that depends on the machine. */
export interface NeedModel {
  theme: ThemeSnapshot;
  dictionary: CompiledDictionary;
  features: FeatureParams;
  vocab: Vocabulary;
  heads: HeadWeights;
  scoring: Scoring;
  params: NeedTrainParams;
}
