import { join } from 'node:path';
import { initTf } from '../features/tf-backend.ts';
import { type NeedModelManifest, saveNeedModel } from './artifact.ts';
import { loadCorpus } from './corpus.ts';
import type { NeedTrainParams } from './model.ts';
import { DEFAULT_CORPUS_DIR, DEFAULT_MODELS_DIR, DEFAULT_THEMES_DIR } from './paths.ts';
import { clearClassifierCache } from './registry.ts';
import { loadTheme } from './themes.ts';
import type { Tokenizer } from './tokenizer.ts';
import { type NeedTrainResult, type TrainProgress, trainNeedClassifier } from './train.ts';

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
 * @param theme theme id
 * @param options directories, parameters, tokenizer
 * @returns the training result, the manifest and the directory written
 * @throws NotFoundError when the theme or its corpus does not exist
 * @example
 * const { manifest } = await trainTheme('convection_oven', { params: { seed: 42 } });
 * manifest.metrics?.test.microF1; // ~0.9
 */
export async function trainTheme(
  theme: string,
  options: TrainThemeOptions = {},
): Promise<{ result: NeedTrainResult; manifest: NeedModelManifest; dir: string }> {
  const backend = await initTf();
  const taxonomy = loadTheme(theme, options.themesDir ?? DEFAULT_THEMES_DIR);
  const corpus = loadCorpus(taxonomy, options.corpusDir ?? DEFAULT_CORPUS_DIR);
  const result = await trainNeedClassifier(taxonomy, corpus, {
    ...(options.params ? { params: options.params } : {}),
    ...(options.tokenizer ? { tokenizer: options.tokenizer } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const dir = join(options.modelsDir ?? DEFAULT_MODELS_DIR, theme);
  const manifest = await saveNeedModel(dir, result.model, {
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
