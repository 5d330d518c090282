/**
 * @module segment
 * Data-driven member segments: k-means (typed-array kernels, k-means++ seeding, Hamerly-
 * accelerated Lloyd) on log-transformed, standardised purchase features, k chosen by sample
 * silhouette, segment profiles with Japanese and English names, the Pareto summary and
 * important-member flag, the 来店頻度 x 購入カテゴリ数 growth grid, and the persisted,
 * versioned segmentation (manifest + `segment_assignments` rows).
 *
 * @example
 * const m = await runSegmentation(ws, { kRange: [2, 12], seed: 7 });
 * m.segments[0]; // { segmentId: 'seg_01', nameJa: '高頻度・酒類中心', size: 812, salesShare: 0.21, ... }
 * const ids = await segmentMemberIds(ws, m.id, 'seg_01');
 */

export type { SegmentationManifest, SegmentationSummary } from './artifact.ts';
export {
  ASSIGNMENTS_TABLE,
  cleanOrphanAssignments,
  listSegmentations,
  loadSegmentation,
  SEGMENTATION_PREFIX,
  SEGMENTATION_VERSION,
  segmentMemberIds,
} from './artifact.ts';
export type { SegmentFitInput, SegmentFitOutput } from './fit.ts';
export { fitSegments } from './fit.ts';
export type { ActionText, Band, BandCuts, GridAction, GridCell, GrowthGrid } from './grid.ts';
export { ACTION_TEXT, bandCuts, GRID_ACTIONS, growthGrid } from './grid.ts';
export type { KmeansOptions, KmeansResult, Matrix } from './kmeans.ts';
export { kmeans } from './kmeans.ts';
export { _assignStep } from './kmeans-kernels.ts';
export { adjustedRandIndex, pairwiseDistances, silhouette } from './metrics.ts';
export type { Distinctive } from './naming.ts';
export { segmentName } from './naming.ts';
export type { ParetoPoint, ParetoResult, ParetoSummary } from './pareto.ts';
export { paretoOf } from './pareto.ts';
export type { SegmentProfile } from './profile.ts';
export type { SegmentationHooks, SegmentationOptions } from './run.ts';
export { DEFAULT_K_RANGE, runSegmentation } from './run.ts';
export type { KScore, KSelection, SelectKOptions } from './select-k.ts';
export { selectK } from './select-k.ts';
export type { FeatureTransform } from './transform.ts';
export { applyTransform, BLOCK_WEIGHTS, fitTransform, invertRow } from './transform.ts';
