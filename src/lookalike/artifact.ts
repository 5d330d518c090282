/**
 * Model artifacts under `lookalike-models/<id>/` in the workspace artifact store:
 * `manifest.json` (what, from which data, how, how well), `spec.json` (the feature spec),
 * `weights.bin` (every layer's weights then bias, little-endian Float32), `calibration.bin`
 * (held-out logits) and `exclusions.json` (who the universe leaves out). Published atomically;
 * loads back bit-for-bit.
 */
import { InvalidInputError, NotFoundError } from '../schema/index.ts';
import { type ArtifactStore, getJson } from '../store/index.ts';
import type { CalibrationData, CalibrationSummary } from './calibration.ts';
import type { FeatureSpec } from './feature-spec.ts';
import type { Architecture, PortableModel } from './kernel.ts';
import { float32From, portableModelFromFiles, portableModelToFiles } from './portable.ts';
import type { ArchitectureParams, Exclusions, SeedDiagnostics, SeedSpec, Universe } from './types.ts';

export const MODEL_PREFIX = 'lookalike-models';
export const MODEL_VERSION = 1;

export interface CandidateMetrics {
  architecture: Architecture;
  params: ArchitectureParams;
  /**
   * AUC of seed against unlabelled rows on the `report` half of the validation rows, which
   * chose nothing of this candidate (see `validation-halves.ts`); every candidate of a run is
   * measured on the same rows.
   */
  validationAuc: number;
  bestEpoch: number;
  validationAucByEpoch: number[];
  trainLoss: number[];
  seconds: number;
  /**
   * Members-universe logistic candidates are fitted exactly (Newton) over a penalty grid: the
   * grid and the chosen C; `validationAucByEpoch` and `trainLoss` are then per grid point
   * (means over `folds` cross-validation folds when the penalty was cross-validated).
   * `denseMultiplier`: how many times harder the non-item columns were penalised.
   */
  penalty?: { grid: number[]; c: number; folds?: number; denseMultiplier?: number };
  /**
   * A network candidate's validation AUC against the logistic candidate's, on the same rows: the
   * difference and DeLong's standard error of it. The network is kept only when it is ahead by more
   * than this standard error (models trained before the rule have none).
   */
  versusLogistic?: { difference: number; se: number };
}

export interface LayerLayout {
  inputs: number;
  units: number;
  activation: 'relu' | 'linear';
  /** Float32 offsets into weights.bin. */
  weightsOffset: number;
  biasOffset: number;
}

export interface LookalikeManifest {
  kind: 'lookalike';
  version: number;
  id: string;
  createdAt: string;
  universe: Universe;
  /** Fingerprint of the tables the model was trained from. */
  dataFingerprint: string;
  seed: { spec: SeedSpec; description: string; size: number; matched: number };
  negativeSeed: { spec: SeedSpec; description: string; size: number; matched: number } | null;
  exclusions: {
    existingCustomers: boolean;
    optedOut: number;
    ids: number;
    seedRows: number;
    negativeRows: number;
  };
  window: { asOf: string | null; since: string | null };
  params: {
    randomSeed: number;
    unlabelledSample: number;
    calibrationShare: number;
    validationShare: number;
    minSeedSize: number;
    positiveWeight: number;
    /** Importance weighting of seed rows toward the universe's mix ('region'), or 'none'. */
    selectionCorrection: 'region' | 'none';
    backend: string;
  };
  training: {
    labelledTrain: number;
    labelledValidation: number;
    labelledCalibration: number;
    unlabelledTrain: number;
    unlabelledValidation: number;
    unlabelledCalibration: number;
    negatives: number;
    universeSize: number;
    features: number;
  };
  architecture: Architecture;
  candidates: CandidateMetrics[];
  calibration: CalibrationSummary & { seed: number; delta: number };
  diagnostics: SeedDiagnostics;
  layers: LayerLayout[];
  /** Offsets of the held-out logits in calibration.bin. */
  calibrationLayout: {
    heldOut: [number, number];
    heldOutWeights: [number, number];
    unlabelled: [number, number];
  };
}

export interface StoredExclusions {
  existingCustomers: boolean;
  /** Universe IDs of the seed and the negative seed (never scored). */
  seedIds: string[];
  negativeIds: string[];
  optedOut: string[];
  ids: string[];
}

export interface LookalikeModel {
  manifest: LookalikeManifest;
  model: PortableModel;
  calibration: CalibrationData;
  exclusions: StoredExclusions;
}

const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export function checkModelId(id: string): string {
  if (typeof id !== 'string' || !MODEL_ID.test(id)) {
    throw new InvalidInputError(
      `model id "${String(id)}" is not valid: use 1-100 letters, digits, "_", "-" or "."`,
      'modelId',
    );
  }
  return id;
}

function float32Bytes(parts: readonly Float32Array[]): Uint8Array {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Float32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return new Uint8Array(out.buffer);
}

/** Lays out a model's files; the manifest's `layers` and `calibrationLayout` are filled in here. */
export function serializeModel(
  manifest: Omit<LookalikeManifest, 'layers' | 'calibrationLayout'>,
  model: PortableModel,
  calibration: CalibrationData,
  exclusions: StoredExclusions,
): Record<string, Uint8Array | string> {
  const { layers, weights } = portableModelToFiles(model);
  const h = calibration.heldOut.length;
  const full: LookalikeManifest = {
    ...manifest,
    layers,
    calibrationLayout: {
      heldOut: [0, h],
      heldOutWeights: [h, 2 * h],
      unlabelled: [2 * h, 2 * h + calibration.unlabelled.length],
    },
  };
  return {
    'manifest.json': `${JSON.stringify(full, null, 2)}\n`,
    'spec.json': `${JSON.stringify(model.spec)}\n`,
    'weights.bin': weights,
    'calibration.bin': float32Bytes([
      calibration.heldOut,
      calibration.heldOutWeights,
      calibration.unlabelled,
    ]),
    'exclusions.json': `${JSON.stringify(exclusions)}\n`,
  };
}

/**
 * Loads a stored lookalike model: its manifest, the portable model (for the kernel), the
 * calibration data and the exclusions.
 *
 * @throws NotFoundError when no model has that ID.
 * @example
 * const { model, manifest } = await loadLookalikeModel(ws.artifacts, 'lm_20260101_ab12');
 */
export async function loadLookalikeModel(store: ArtifactStore, id: string): Promise<LookalikeModel> {
  checkModelId(id);
  const prefix = `${MODEL_PREFIX}/${id}`;
  const manifest = await getJson<LookalikeManifest>(store, `${prefix}/manifest.json`);
  if (!manifest) {
    throw new NotFoundError(
      'lookalike model',
      id,
      'list the models with `lookalike model list` or GET /v1/lookalike-models',
    );
  }
  const spec = await getJson<FeatureSpec>(store, `${prefix}/spec.json`);
  const weights = await store.get(`${prefix}/weights.bin`);
  const calib = await store.get(`${prefix}/calibration.bin`);
  const exclusions = await getJson<StoredExclusions>(store, `${prefix}/exclusions.json`);
  if (!spec || !weights || !calib || !exclusions) {
    throw new NotFoundError('lookalike model file', `${prefix}`, 'the artifact is incomplete');
  }
  const c = float32From(calib);
  const { heldOut, heldOutWeights, unlabelled } = manifest.calibrationLayout;
  return {
    manifest,
    model: portableModelFromFiles(manifest, spec, weights),
    calibration: {
      heldOut: c.slice(heldOut[0], heldOut[1]),
      heldOutWeights: c.slice(heldOutWeights[0], heldOutWeights[1]),
      unlabelled: c.slice(unlabelled[0], unlabelled[1]),
      delta: manifest.calibration.delta,
      replicates: manifest.calibration.replicates,
      seed: manifest.calibration.seed,
      confidence: manifest.calibration.confidence,
    },
    exclusions,
  };
}

/** Manifests of every stored lookalike model, newest first. */
export async function listLookalikeModels(store: ArtifactStore): Promise<LookalikeManifest[]> {
  const keys = (await store.list(`${MODEL_PREFIX}/`)).filter((k) => k.endsWith('/manifest.json'));
  const out: LookalikeManifest[] = [];
  for (const k of keys) {
    const m = await getJson<LookalikeManifest>(store, k);
    if (m) out.push(m);
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
}

export type { Exclusions };
