/**
 * @module audience
 * Audiences and the size/precision trade-off: the frontier of a lookalike model over its
 * universe (expected precision with an interval, expected positives, held-out recall, lift at
 * any size), solving for a target size, a minimum precision or a budget, condition relaxation for
 * rule-based audiences, and audiences as definitions materialised into immutable revisions
 * (`manifest.json`, `members.arrow`, sorted ID chunks) below which size nothing is released:
 * refreshed on demand or on a schedule, held to a reach lock, pruned by retention, compared by
 * overlap, and filtered by members' consent.
 *
 * @example
 * import { createAudience, modelFrontier, relaxConditions } from './audience/index.ts';
 * const { summary, points } = await modelFrontier(ws, modelId);
 * const a = await createAudience(ws, { modelId, target: { kind: 'precision', minPrecision: 0.8 } });
 * a.manifest.size; a.manifest.expectedPrecision; a.manifest.ci; // 21840 0.80 [0.71, 0.86]
 */

export type { ConditionValue } from './condition-values.ts';
export { conditionValues } from './condition-values.ts';
export type { Condition, Rung } from './conditions.ts';
export type { ConsentCounts } from './consent.ts';
export { consentCounts, consentedSql, KNOWN_PURPOSES, PURPOSE_PATTERN } from './consent.ts';
export type { Audience, AudienceManifest, CreateAudienceOptions } from './create.ts';
export {
  AUDIENCE_PREFIX,
  AUDIENCE_VERSION,
  audienceIds,
  checkAudienceId,
  createAudience,
  DEFAULT_MIN_SIZE,
  listAudiences,
  loadAudience,
  modelFrontier,
  openAudience,
  openFrontier,
} from './create.ts';
export type {
  AudienceDefinition,
  ExclusionLists,
  LastRefresh,
  ReachLock,
  RefreshSchedule,
} from './definition.ts';
export {
  bandAround,
  DEFAULT_KEEP_REVISIONS,
  isDue,
  nextRun,
  readDefinition,
  readExclusions,
  writeDefinition,
} from './definition.ts';
export { explainAudience } from './explain.ts';
export type { FrontierPoint, FrontierSummary, RankedLogits } from './frontier.ts';
export { Frontier, marginalPrecision, rankedArray } from './frontier.ts';
export type { CachedFrontier } from './frontier-cache.ts';
export { FrontierCache } from './frontier-cache.ts';
export type { ConditionField, Label } from './labels.ts';
export { CONDITION_FIELDS, FIELD_LABELS, fold, matchValue, PREFECTURES, valueLabel } from './labels.ts';
export type { MembersView, RankedMembers } from './members-file.ts';
export {
  audienceRevisionPrefix,
  audienceRevisions,
  decodeMembers,
  encodeMembers,
  openMembers,
  RELEASE_PREFIX,
  readAudienceRevision,
} from './members-file.ts';
export type { NeedMix, NeedMixRequest, NeedMixResult } from './need-mix.ts';
export type { OverlapCombination, OverlapPair, OverlapResult } from './overlap.ts';
export { audienceOverlap, MAX_OVERLAP_AUDIENCES, revisionSortedIds } from './overlap.ts';
export type { RefreshOptions } from './refresh.ts';
export {
  audienceDefinition,
  listDefinitions,
  pruneRevisions,
  refreshAudience,
} from './refresh.ts';
export type { RelaxAlternative, RelaxChange, RelaxOptions, RelaxResult } from './relax.ts';
export { relaxConditions } from './relax.ts';
export type { AudienceTarget, Solution } from './solve.ts';
export { solveTarget } from './solve.ts';
export type { IdColumn, RankedColumns, SortedIds, SortedIndex, SortedPosition } from './sorted-ids.ts';
export {
  compareIds,
  encodeSortedChunks,
  openSortedIds,
  SORTED_CHUNK_ROWS,
  SortedCursor,
  sortedOrder,
  sortMembersInMemory,
} from './sorted-ids.ts';
