import { InvalidInputError, NotFoundError } from '../../schema/index.ts';
import { joinPath, type NeedFiles, readText } from '../files.ts';
import type { CompiledDictionary } from '../themes/dictionary.ts';
import type { FeatureParams } from './features.ts';
import type { NeedMetrics, NeedModel, NeedTrainParams, Scoring, ThemeSnapshot } from './model.ts';

export const NEED_MODEL_KIND = 'need-classifier';
export const NEED_MODEL_FORMAT = 1;

/** What `manifest.json` of a need classifier artifact holds. */
export interface NeedModelManifest {
  kind: typeof NEED_MODEL_KIND;
  format: number;
  /** `<theme>-<first 12 hex of the content hash>`: equal versions score identically. */
  version: string;
  theme: string;
  needs: string[];
  training: {
    /** sha256 of the corpus file the model was trained on. */
    corpusFingerprint: string;
    /** sha256 of the theme file. */
    themeFingerprint: string;
    trainTexts: number;
    testTexts: number;
    tfBackend: string;
  };
  params: NeedTrainParams;
  scoring: Scoring;
  metrics: { crossValidation: NeedMetrics; test: NeedMetrics; dictionaryOnlyTest: NeedMetrics } | null;
  files: { weights: string; vocab: string };
  /** sha256 of weights.bin and vocab.json: a half-copied artifact is refused, not misread. */
  sha256: { weights: string; vocab: string };
  layout: { features: number; needs: number; columns: number };
  createdAt: string;
}

interface VocabFile {
  features: string[];
  tf: 'binary' | 'log';
  featureParams: FeatureParams;
  dictionary: CompiledDictionary;
  theme: ThemeSnapshot;
}

/** weights.bin: idf, then the head matrix (features x (2k+1), row-major), need and polarity biases. */
function weightsBytes(model: NeedModel): Uint8Array {
  const { k, features } = model.heads;
  const cols = 2 * k + 1;
  const all = new Float32Array(features + features * cols + 2 * k);
  all.set(model.vocab.idf, 0);
  all.set(model.heads.w, features);
  all.set(model.heads.needBias, features + features * cols);
  all.set(model.heads.polarityBias, features + features * cols + k);
  // Float32Array is little-endian on every platform Node runs on; the format says so explicitly.
  return new Uint8Array(all.buffer);
}

/** The files of an artifact, and its manifest, without writing anything. */
export function serializeNeedModel(
  sha256: NeedFiles['sha256'],
  model: NeedModel,
  info: {
    corpusFingerprint: string;
    trainTexts: number;
    testTexts: number;
    tfBackend: string;
    metrics: NeedModelManifest['metrics'];
    createdAt?: string;
  },
): { manifest: NeedModelManifest; files: Record<string, Uint8Array | string> } {
  const weights = weightsBytes(model);
  const vocabFile: VocabFile = {
    features: model.vocab.features,
    tf: model.vocab.tf,
    featureParams: model.features,
    dictionary: model.dictionary,
    theme: model.theme,
  };
  const vocab = `${JSON.stringify(vocabFile)}\n`;
  const content = sha256(
    `${sha256(weights)}${sha256(vocab)}${JSON.stringify(model.scoring)}${JSON.stringify(model.params)}`,
  );
  const manifest: NeedModelManifest = {
    kind: NEED_MODEL_KIND,
    format: NEED_MODEL_FORMAT,
    version: `${model.theme.theme}-${content.slice(0, 12)}`,
    theme: model.theme.theme,
    needs: model.theme.needs.map((n) => n.id),
    training: {
      corpusFingerprint: info.corpusFingerprint,
      themeFingerprint: model.theme.fingerprint,
      trainTexts: info.trainTexts,
      testTexts: info.testTexts,
      tfBackend: info.tfBackend,
    },
    params: model.params,
    scoring: model.scoring,
    metrics: info.metrics,
    files: { weights: 'weights.bin', vocab: 'vocab.json' },
    sha256: { weights: sha256(weights), vocab: sha256(vocab) },
    layout: { features: model.heads.features, needs: model.heads.k, columns: 2 * model.heads.k + 1 },
    createdAt: info.createdAt ?? new Date().toISOString(),
  };
  return {
    manifest,
    files: {
      'weights.bin': weights,
      'vocab.json': vocab,
      'manifest.json': `${JSON.stringify(manifest, null, 2)}\n`,
    },
  };
}

/**
 * Writes an artifact directory as one unit (the port's `publish`: staged, then renamed into
 * place). A reader sees the old artifact or the new one, never a mix.
 *
 * @param files the file port
 * @param dir target directory, e.g. `models/needs/convection_oven`
 * @param model the trained model
 * @param info provenance and metrics for the manifest
 * @returns the manifest written
 * @example
 * await saveNeedModel(nodeNeedFiles, 'models/needs/convection_oven', result.model, { corpusFingerprint, trainTexts, testTexts, tfBackend: 'wasm', metrics });
 */
export async function saveNeedModel(
  files: NeedFiles,
  dir: string,
  model: NeedModel,
  info: Parameters<typeof serializeNeedModel>[2],
): Promise<NeedModelManifest> {
  const serialized = serializeNeedModel(files.sha256, model, info);
  await files.publish(dir, serialized.files);
  return serialized.manifest;
}

/** True when `dir` holds a need classifier artifact (its manifest). */
export function hasNeedModel(files: NeedFiles, dir: string): boolean {
  return files.list(dir).includes('manifest.json');
}

/**
 * Reads a need classifier artifact and checks it: kind, format, file hashes and sizes.
 *
 * @param files the file port
 * @param dir artifact directory
 * @returns the model and its manifest
 * @throws NotFoundError when the directory has no manifest
 * @throws InvalidInputError when the artifact is of another kind, format, or damaged
 * @example
 * const { model, manifest } = loadNeedModel(nodeNeedFiles, 'models/needs/convection_oven');
 */
export function loadNeedModel(
  files: NeedFiles,
  dir: string,
): { model: NeedModel; manifest: NeedModelManifest } {
  const manifestText = readText(files, joinPath(dir, 'manifest.json'));
  if (manifestText === null) throw new NotFoundError('need model', dir);
  let manifest: NeedModelManifest;
  try {
    manifest = JSON.parse(manifestText) as NeedModelManifest;
  } catch {
    throw new InvalidInputError(`${dir} is damaged: manifest.json is not valid JSON`, 'model');
  }
  if (manifest.kind !== NEED_MODEL_KIND || manifest.format !== NEED_MODEL_FORMAT) {
    throw new InvalidInputError(
      `${dir} holds a "${manifest.kind}" artifact of format ${manifest.format}; expected "${NEED_MODEL_KIND}" format ${NEED_MODEL_FORMAT}`,
      'model',
    );
  }
  const weights = files.read(joinPath(dir, manifest.files.weights));
  const vocabText = readText(files, joinPath(dir, manifest.files.vocab));
  if (
    weights === null ||
    vocabText === null ||
    files.sha256(weights) !== manifest.sha256.weights ||
    files.sha256(vocabText) !== manifest.sha256.vocab
  ) {
    throw new InvalidInputError(
      `${dir} is damaged: its files do not match the hashes in manifest.json`,
      'model',
    );
  }
  const vocab = JSON.parse(vocabText) as VocabFile;
  const { features, needs: k, columns } = manifest.layout;
  // Copied so the floats are aligned whatever offset the bytes came at.
  const floats = new Float32Array(Uint8Array.from(weights).buffer);
  if (floats.length !== features + features * columns + 2 * k || vocab.features.length !== features) {
    throw new InvalidInputError(`${dir} is damaged: weights.bin does not match its layout`, 'model');
  }
  const slice = (from: number, n: number) => Float32Array.from(floats.subarray(from, from + n));
  const model: NeedModel = {
    theme: vocab.theme,
    dictionary: vocab.dictionary,
    features: vocab.featureParams,
    vocab: { features: vocab.features, idf: slice(0, features), tf: vocab.tf },
    heads: {
      k,
      features,
      w: slice(features, features * columns),
      needBias: slice(features + features * columns, k),
      polarityBias: slice(features + features * columns + k, k),
    },
    scoring: manifest.scoring,
    params: manifest.params,
  };
  return { model, manifest };
}
