/**
 * @module needs
 * Need classification of Japanese consumer text (DESIGN §4 "Need classifier"), in four concerns:
 *
 * - `text/`: normalisation, sentences, clauses split at adversatives and concessives, negation;
 * - `tokenize/`: the Tokenizer port and kuromoji (in-thread or on a worker pool);
 * - `model/`: features, vectorizer, the TensorFlow.js need and polarity heads, training,
 *   scoring, decisions, artifacts and evaluation;
 * - `themes/`: taxonomies with seed dictionaries, labelled corpora and evaluation sets;
 *
 * plus `livedoor/` (the pipeline checked on livedoor news) and, here, the serving registry,
 * classification, retraining and need mixes. Files are read and written through the `NeedFiles`
 * port (Node's is in `src/adapters`), so the domain itself is portable.
 *
 * Limits: MAX_TEXT_CHARS (5,000) characters per text, MAX_BATCH_TEXTS (1,000) texts per call.
 *
 * @example
 * import { classifyTexts, servingClassifier } from './needs/index.ts';
 * const { classifier } = await servingClassifier(nodeNeedFiles, 'convection_oven');
 * const [r] = await classifyTexts(['唐揚げはイマイチだけど、パンはふっくら焼けて良かった'], { classifier });
 * r.needs; // [{ id: 'baking', score: 0.79, polarity: 'met', ... }, { id: 'taste', score: 0.74, polarity: 'unmet', ... }]
 * r.clauses[1]; // { text: 'パンはふっくら焼けて良かった', adversativeBefore: true, needs: [{ id: 'baking', ... }] }
 */

export type { ClassifyOptions } from './classify.ts';
export { classifyTexts, validateTexts } from './classify.ts';
export type { NeedFiles } from './files.ts';
export { defaultNeedFiles, joinPath, readText, setDefaultNeedFiles } from './files.ts';
export { MAX_BATCH_TEXTS, MAX_TEXT_CHARS, MIN_JAPANESE_SHARE } from './limits.ts';
export type { ArchiveFile, LivedoorDoc, LivedoorOptions, LivedoorResult } from './livedoor/livedoor.ts';
export { LIVEDOOR_CATEGORIES, LIVEDOOR_DEFAULTS, parseLivedoor, trainLivedoor } from './livedoor/livedoor.ts';
export type { NeedMix, NeedMixEntry, NeedMixOptions, SegmentNeedMix } from './mix.ts';
export { NEED_CACHE_TABLE, needMixBySegment, needMixForTpIds } from './mix.ts';
export type { NeedModelManifest } from './model/artifact.ts';
export {
  hasNeedModel,
  loadNeedModel,
  NEED_MODEL_FORMAT,
  NEED_MODEL_KIND,
  saveNeedModel,
  serializeNeedModel,
} from './model/artifact.ts';
export type { TextDecision } from './model/classifier.ts';
export { DICTIONARY_THRESHOLD, decideText, NeedClassifier } from './model/classifier.ts';
export type { CalibrationBin, EvaluationReport, EvaluationRow, EvaluationSlice } from './model/evaluate.ts';
export { evaluateClassifier, evaluateDecisions, reliability } from './model/evaluate.ts';
export type { FeatureParams } from './model/features.ts';
export { DEFAULT_FEATURES } from './model/features.ts';
export { countCues, lexiconPolarity } from './model/lexicon.ts';
export type {
  NeedMetric,
  NeedMetrics,
  NeedModel,
  NeedTrainParams,
  Scoring,
  ThemeSnapshot,
} from './model/model.ts';
export { hashFraction, shuffledIndices } from './model/order.ts';
export type { NeedTrainResult, TrainProgress } from './model/train.ts';
export { DEFAULT_TRAIN_PARAMS, trainNeedClassifier } from './model/train.ts';
export { DEFAULT_CORPUS_DIR, DEFAULT_EVAL_DIR, DEFAULT_MODELS_DIR, DEFAULT_THEMES_DIR } from './paths.ts';
export type { ClassifierLocation, ClassifierSource, ServingLocation } from './registry.ts';
export {
  clearClassifierCache,
  loadNeedClassifier,
  servingClassifier,
  workspaceNeedModelsDir,
} from './registry.ts';
export { focusClauseIndex, splitClauses } from './text/clauses.ts';
export type { MarkerPattern } from './text/markers.ts';
export { MARKER_PATTERNS } from './text/markers.ts';
export { detectNegation } from './text/negation.ts';
export { codePointLength, japaneseShare, normalizeText } from './text/normalize.ts';
export type { PreparedText } from './text/prepare.ts';
export { prepareTexts } from './text/prepare.ts';
export { splitSentences } from './text/sentences.ts';
export type { Corpus, CorpusRow } from './themes/corpus.ts';
export { hasCorpus, hasEvalSet, loadCorpus, loadEvalSet, parseCorpus } from './themes/corpus.ts';
export type { CompiledDictionary, DictionaryMatch } from './themes/dictionary.ts';
export { compileDictionary, matchDictionary } from './themes/dictionary.ts';
export type { NeedDefinition, Theme } from './themes/themes.ts';
export { listThemes, loadTheme, parseTheme } from './themes/themes.ts';
export { byChunks } from './tokenize/chunks.ts';
export { fromKuromoji, getKuromoji, tokenizeKuromoji } from './tokenize/kuromoji.ts';
export type { TokenizerPoolOptions } from './tokenize/pool.ts';
export { TokenizerPool } from './tokenize/pool.ts';
export type { Tokenizer, TokenizerBackendName } from './tokenize/tokenizer.ts';
export { kuromojiTokenizer, poolTokenizer, TOKENIZER_BACKENDS, tokenize } from './tokenize/tokenizer.ts';
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
