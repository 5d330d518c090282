/**
 * @module lookalike
 * Lookalike scorers (DESIGN §4): positive-unlabelled learning from a 1st-party seed (segment,
 * member list, purchase query, top value; negative seeds) against the `third_party` universe
 * (acquisition) or the `members` universe (cross-sell, as of a date). TensorFlow.js trains a
 * logistic model and a small MLP with a manual loop over pre-batched tensors, the better one by
 * validation is kept, held-out seed rows calibrate it, and the artifact (manifest, feature spec,
 * Float32 weights) loads back bit-for-bit. Scoring runs in a pure-TypeScript kernel over sparse
 * rows (`kernel.ts`, `feature-spec.ts`, `csr.ts` import nothing Node-only, so the Worker bundles
 * them).
 *
 * @example
 * import { trainLookalike, scoreUniverse, loadLookalikeModel } from './lookalike/index.ts';
 * const { id, manifest } = await trainLookalike(ws, {
 *   seed: { kind: 'segment', segmentationId: 'sgm_…', segmentId: 'seg_02' },
 *   universe: 'third_party',
 * });
 * manifest.diagnostics; // { matched: 1012, matchRate: 0.62, distinctiveness: 0.95, warnings: [] , ... }
 * const scored = await scoreUniverse(ws, await loadLookalikeModel(ws.artifacts, id));
 * await scored.ids(0, 10); // the ten best prospects
 * await scored.close();
 */

export type { CandidateMetrics, LookalikeManifest, LookalikeModel, StoredExclusions } from './artifact.ts';
export { listLookalikeModels, loadLookalikeModel, MODEL_PREFIX, MODEL_VERSION } from './artifact.ts';
export type {
  ArmContext,
  ArmResult,
  BacktestArm,
  BacktestOptions,
  BacktestReport,
  BacktestSeed,
  CalibrationHit,
} from './backtest.ts';
export { outcomeSeed, runBacktest, seedAsOf } from './backtest.ts';
export type { RankingMetrics, TopShareMetrics } from './backtest-metrics.ts';
export { BACKTEST_SHARES, rankingMetrics, sizeOfShare } from './backtest-metrics.ts';
export type { CaseLiftRatio, PooledLiftRatio, UniformStandings } from './backtest-pool.ts';
export { poolLiftRatios, standingsIfUniform } from './backtest-pool.ts';
export type { LogisticFit, LogisticOptions } from './baseline.ts';
export { fitLogistic, logisticScores } from './baseline.ts';
export type { Calibration, CalibrationData, CalibrationSummary, WeightedSorted } from './calibration.ts';
export { bestBin, buildCalibration, dkw, percentile, shareAtLeast } from './calibration.ts';
export type { DataVersion } from './data-version.ts';
export { dataVersion, UNIVERSE_TABLES } from './data-version.ts';
export type { FeatureDriver, IdExplanation } from './explain.ts';
export { explainIds, featureDrivers, rowsOfIds } from './explain.ts';
export type {
  FeatureSpec,
  ItemWeighting,
  MemberFeatureSpec,
  MemberProfile,
  Profile,
  TpFeatureSpec,
  TpProfile,
} from './feature-spec.ts';
export { featureNames, ITEM_PREFIX, specDim, vectorizeProfiles } from './feature-spec.ts';
export { dataFingerprint } from './fingerprint.ts';
export type { CrossFitted } from './irls-train.ts';
export type { Architecture, Contribution, DenseLayer, PortableModel } from './kernel.ts';
export { explainRow, scoreCsr, scoreLogits, scoreProfiles, sigmoid } from './kernel.ts';
export { auc } from './metrics.ts';
export type { PortableManifest } from './portable.ts';
export { portableModelFromFiles } from './portable.ts';
export { rankDescending } from './rank.ts';
export type { BacktestRecord, CataloguedModel, CatalogueEntry } from './registry.ts';
export {
  CATALOGUE_PREFIX,
  checkTag,
  deleteModelFiles,
  readCatalogueEntry,
  readModelManifest,
  recordBacktest,
  tagModel,
  updateCatalogueEntry,
  withCatalogue,
} from './registry.ts';
export type { SelectionExplanation } from './registry-selection.ts';
export { explainSelection, SELECTION_RULE } from './registry-selection.ts';
export { Rng } from './rng.ts';
export type { ScoredUniverse, ScoreUniverseOptions } from './score.ts';
export { scoreUniverse } from './score.ts';
export { LARGE_SHARE, largeShareWarning } from './seed-warnings.ts';
export type { ResolvedSeed } from './seeds.ts';
export { resolveSeed } from './seeds.ts';
export type { StoredLogits } from './stored-logits.ts';
export { storedLogitsOf, useStoredLogits } from './stored-logits.ts';
export type { NetworkData, NetworkParams, TrainedNetwork } from './tf-train.ts';
export { trainNetwork } from './tf-train.ts';
export { fitTpSpec } from './tp-matrix.ts';
export type { CrossFitter, NetworkTrainer, TrainHooks, TrainResult } from './train.ts';
export { DEFAULT_ARCHITECTURES, diagnoseSeed, TIE_AUC, trainLookalike } from './train.ts';
export type {
  ArchitectureParams,
  Exclusions,
  ItemSignalOptions,
  LongWorkHooks,
  SeedDiagnostics,
  SeedKind,
  SeedSpec,
  SeedWarning,
  SeedWarningCode,
  TrainLookalikeOptions,
  Universe,
} from './types.ts';
