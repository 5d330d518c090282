import { initTf } from '../features/tf-backend.ts';
import { joinPath, type NeedFiles } from './files.ts';
import { type NeedModelManifest, saveNeedModel } from './model/artifact.ts';
import type { NeedTrainParams } from './model/model.ts';
import { type NeedTrainResult, type TrainProgress, trainNeedClassifier } from './model/train.ts';
import { DEFAULT_CORPUS_DIR, DEFAULT_MODELS_DIR, DEFAULT_THEMES_DIR } from './paths.ts';
import { clearClassifierCache } from './registry.ts';
import { loadCorpus } from './themes/corpus.ts';
import { loadTheme } from './themes/themes.ts';
import type { Tokenizer } from './tokenize/tokenizer.ts';

export interface TrainThemeOptions {
  themesDir?: string;
  corpusDir?: string;
  /** Where `<theme>/` is written (default `models/needs`). */
  modelsDir?: string;
  params?: Partial<NeedTrainParams>;
  tokenizer?: Tokenizer;
  /** Fixed creation time, for byte-identical manifests in tests. */
  createdAt?: string;
  onProgress?: (p: TrainProgress) => void;
}

/**
 * Trains a theme's classifier from `data/needs/corpus/<theme>.jsonl` and publishes it to
 * `models/needs/<theme>/` (manifest, weights, vocabulary), replacing the previous version as one
 * unit. This is what `lookalike needs train` runs; the same seed reproduces the same weights.
 *
 * @param files the file port
 * @param theme theme id
 * @param options directories, parameters, tokenizer
 * @returns the training result, the manifest and the directory written
 * @throws NotFoundError when the theme or its corpus does not exist
 * @example
 * const { manifest } = await trainTheme(nodeNeedFiles, 'convection_oven', { params: { seed: 42 } });
 * manifest.metrics?.test.microF1; // ~0.9
 */
export async function trainTheme(
  files: NeedFiles,
  theme: string,
  options: TrainThemeOptions = {},
): Promise<{ result: NeedTrainResult; manifest: NeedModelManifest; dir: string }> {
  const backend = await initTf();
  const taxonomy = loadTheme(files, theme, options.themesDir ?? DEFAULT_THEMES_DIR);
  const corpus = loadCorpus(files, taxonomy, options.corpusDir ?? DEFAULT_CORPUS_DIR);
  const result = await trainNeedClassifier(taxonomy, corpus, {
    ...(options.params ? { params: options.params } : {}),
    ...(options.tokenizer ? { tokenizer: options.tokenizer } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const dir = joinPath(options.modelsDir ?? DEFAULT_MODELS_DIR, theme);
  const manifest = await saveNeedModel(files, dir, result.model, {
    corpusFingerprint: corpus.fingerprint,
    trainTexts: result.trainTexts,
    testTexts: result.testTexts,
    tfBackend: backend,
    metrics: {
      crossValidation: result.crossValidation,
      test: result.test,
      dictionaryOnlyTest: result.dictionaryOnlyTest,
    },
    ...(options.createdAt ? { createdAt: options.createdAt } : {}),
  });
  clearClassifierCache();
  return { result, manifest, dir };
}
