/**
 * @module needs
 * Need classification of Japanese consumer text (DESIGN §4 "Need classifier"): kuromoji
 * tokens (or MeCab, same IPADIC), clauses split at adversatives with negation marks, a
 * multi-label TensorFlow.js classifier per theme blended with the theme's seed dictionary, and
 * need mixes of people and segments through the workspace's `texts` table.
 *
 * Limits: MAX_TEXT_CHARS (5,000) characters per text, MAX_BATCH_TEXTS (1,000) texts per call.
 *
 * @example
 * import { classifyTexts } from './needs/index.ts';
 * const [r] = await classifyTexts(['唐揚げはイマイチだけど、パンはふっくら焼けて良かった'], {
 *   theme: 'convection_oven',
 * });
 * r.needs; // [{ id: 'baking', score: 0.79, polarity: 'met', ... }, { id: 'taste', score: 0.74, polarity: 'unmet', ... }]
 * r.clauses[1]; // { text: 'パンはふっくら焼けて良かった', adversativeBefore: true, needs: [{ id: 'baking', ... }] }
 */

export type { NeedModelManifest } from './artifact.ts';
export {
  loadNeedModel,
  NEED_MODEL_FORMAT,
  NEED_MODEL_KIND,
  saveNeedModel,
  serializeNeedModel,
} from './artifact.ts';
export type { TextDecision } from './classifier.ts';
export { DICTIONARY_THRESHOLD, decideText, NeedClassifier } from './classifier.ts';
export type { ClassifyOptions } from './classify.ts';
export { classifyTexts, validateTexts } from './classify.ts';
export { focusClauseIndex, splitClauses } from './clauses.ts';
export type { Corpus, CorpusRow } from './corpus.ts';
export { loadCorpus } from './corpus.ts';
export type { CompiledDictionary, DictionaryMatch } from './dictionary.ts';
export { compileDictionary, matchDictionary } from './dictionary.ts';
export { evaluateDecisions } from './evaluate.ts';
export type { FeatureParams } from './features.ts';
export { DEFAULT_FEATURES } from './features.ts';
export { getKuromoji } from './kuromoji.ts';
export { countCues, lexiconPolarity } from './lexicon.ts';
export { MAX_BATCH_TEXTS, MAX_TEXT_CHARS, MIN_JAPANESE_SHARE } from './limits.ts';
export type { LivedoorDoc, LivedoorOptions, LivedoorResult } from './livedoor.ts';
export { LIVEDOOR_CATEGORIES, LIVEDOOR_DEFAULTS, readLivedoor, trainLivedoor } from './livedoor.ts';
export type { MecabInfo } from './mecab.ts';
export { findMecab, tokenizeMecab } from './mecab.ts';
export type { NeedMix, NeedMixEntry, NeedMixOptions, SegmentNeedMix } from './mix.ts';
export { NEED_CACHE_TABLE, needMixBySegment, needMixForTpIds } from './mix.ts';
export type { NeedMetric, NeedMetrics, NeedModel, NeedTrainParams, Scoring, ThemeSnapshot } from './model.ts';
export { detectNegation } from './negation.ts';
export { codePointLength, japaneseShare, normalizeText } from './normalize.ts';
export { DEFAULT_CORPUS_DIR, DEFAULT_MODELS_DIR, DEFAULT_THEMES_DIR } from './paths.ts';
export type { TokenizerPoolOptions } from './pool.ts';
export { TokenizerPool } from './pool.ts';
export type { PreparedText } from './prepare.ts';
export { prepareTexts } from './prepare.ts';
export type { ClassifierLocation } from './registry.ts';
export { clearClassifierCache, loadNeedClassifier } from './registry.ts';
export { splitSentences } from './sentences.ts';
export type { NeedDefinition, Theme } from './themes.ts';
export { listThemes, loadTheme, parseTheme } from './themes.ts';
export type { Tokenizer, TokenizerBackendName } from './tokenizer.ts';
export {
  kuromojiTokenizer,
  poolTokenizer,
  resolveTokenizer,
  TOKENIZER_BACKENDS,
  tokenize,
} from './tokenizer.ts';
export type { NeedTrainResult, TrainProgress } from './train.ts';
export { DEFAULT_TRAIN_PARAMS, trainNeedClassifier } from './train.ts';
export type { TrainThemeOptions } from './train-theme.ts';
export { trainTheme } from './train-theme.ts';
export type {
  Clause,
  ClauseNeed,
  ClauseResult,
  NeedResult,
  Polarity,
  TextNeed,
  Token,
} from './types.ts';
