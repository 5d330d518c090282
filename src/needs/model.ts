import type { CompiledDictionary } from './dictionary.ts';
import type { FeatureParams } from './features.ts';
import type { NeedDefinition } from './themes.ts';
import type { HeadParams, HeadWeights } from './train-heads.ts';
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
