/**
 * @module ops
 * The use-case layer: every operation a user can run, defined once (input schema with defaults
 * and limits, roles, rules, typed result). The API routes, the CLI commands and the job queue are
 * adapters over these; see `operation.ts`.
 *
 * @example
 * const input = parseInput(runSegmentationOp, { k: 5 });
 * const result = await runSegmentationOp.run(ctx, input);
 */

import { consentSummaryOp, driversOp, overlapOp, relaxOp } from './audiences/analysis.ts';
import { conditionValuesOp } from './audiences/conditions.ts';
import { createAudienceOp } from './audiences/create.ts';
import { previewAudienceOp } from './audiences/preview.ts';
import { audienceRevisionsOp, getAudienceOp, listAudiencesOp } from './audiences/read.ts';
import { refreshAudienceOp, updateAudienceOp } from './audiences/refresh.ts';
import { importFileOp, importUploadOp } from './data/import.ts';
import { describeTableOp, listTablesOp } from './data/tables.ts';
import { describeExportOp } from './exports/describe.ts';
import { listDestinationsOp, putDestinationOp } from './exports/destinations.ts';
import { audienceSharesOp, sharedAudiencesOp, shareOp, unshareOp } from './exports/shares.ts';
import { auditLogOp, createKeyOp, listKeysOp, revokeKeyOp } from './keys/keys.ts';
import {
  buildEngagementOp,
  engagementStatusOp,
  engagementTransitionsOp,
  getEngagementOp,
  listEngagementOp,
  taxonomyOp,
} from './ladders/engagement.ts';
import { ladderMembersOp } from './ladders/members.ts';
import { cpmMovementsOp, cpmOp, decilesOp, rfmOp } from './ladders/purchase.ts';
import { backtestOp } from './lookalike/backtest.ts';
import { compareModelsOp } from './lookalike/compare.ts';
import { deleteModelOp, retrainModelOp, tagModelOp } from './lookalike/lifecycle.ts';
import { explainModelOp, getModelOp, listModelsOp, modelFrontierOp } from './lookalike/read.ts';
import { scoreRunStatusOp, scoreSnapshotOp } from './lookalike/score-snapshot.ts';
import { diagnoseSeedOp, trainModelOp } from './lookalike/train.ts';
import { classifyNeedsOp } from './needs/classify.ts';
import { evaluateNeedsOp } from './needs/evaluate.ts';
import { segmentNeedMixOp } from './needs/mix.ts';
import { retrainNeedsOp } from './needs/retrain.ts';
import { needThemesOp } from './needs/themes.ts';
import type { Operation } from './operation.ts';
import { segmentAffinityOp } from './segments/affinity.ts';
import { memberFeaturesOp } from './segments/member-features.ts';
import { getSegmentationOp, listSegmentationsOp, segmentMembersOp, siteVisitorsOp } from './segments/read.ts';
import { runSegmentationOp } from './segments/run.ts';

export {
  ConsentSummaryInput,
  consentSummaryOp,
  DriversInput,
  driversOp,
  OverlapInput,
  overlapOp,
  RelaxInput,
  relaxOp,
} from './audiences/analysis.ts';
export type { ValueReading } from './audiences/conditions.ts';
export {
  ConditionInput,
  ConditionValuesInput,
  conditionValuesOp,
  resolveConditions,
} from './audiences/conditions.ts';
export type { CreateAudienceResult } from './audiences/create.ts';
export { CreateAudienceInput, createAudienceOp } from './audiences/create.ts';
export { AudienceId, apiTarget, domainTarget, TargetInput } from './audiences/fields.ts';
export { describeSolved, PreviewInput, peopleJa, previewAudienceOp } from './audiences/preview.ts';
export type { PublicAudience } from './audiences/read.ts';
export {
  audienceRevisionsOp,
  GetAudienceInput,
  getAudienceOp,
  listAudiencesOp,
  publicAudience,
  publicDefinition,
} from './audiences/read.ts';
export {
  AudienceChanges,
  RefreshAudienceInput,
  refreshAudienceOp,
  submitDueRefreshes,
  UpdateAudienceInput,
  updateAudienceOp,
} from './audiences/refresh.ts';
export { ImportFileInput, ImportUploadInput, importFileOp, importUploadOp } from './data/import.ts';
export { describeTableOp, listTablesOp } from './data/tables.ts';
export { DescribeExportInput, describeExportOp, pullCaller } from './exports/describe.ts';
export {
  DestinationName,
  listDestinationsOp,
  PutDestinationInput,
  putDestinationOp,
} from './exports/destinations.ts';
export type { ReleaseOutcome } from './exports/releases.ts';
export { audienceSharesOp, ShareInput, sharedAudiencesOp, shareOp, unshareOp } from './exports/shares.ts';
export { ArtifactId, Day, IdList, RandomSeed } from './fields.ts';
export {
  constantTimeEqual,
  createApiKey,
  MemoryAuditLog,
  MemoryKeyStore,
  type Principal,
  publicKey,
  revokeApiKey,
  verifyApiKey,
} from './keys/api-keys.ts';
export { auditLogOp, CreateKeyInput, createKeyOp, listKeysOp, revokeKeyOp } from './keys/keys.ts';
export type { EngagementBuildResult } from './ladders/engagement.ts';
export {
  buildEngagementOp,
  EngagementInput,
  engagementStatusOp,
  engagementTransitionsOp,
  getEngagementOp,
  listEngagementOp,
  taxonomyOp,
} from './ladders/engagement.ts';
export { CpmThresholdsInput, LadderClassInput, TaxonomyInput } from './ladders/fields.ts';
export { LadderMembersInput, ladderMembersOp } from './ladders/members.ts';
export {
  CpmInput,
  cpmMovementsOp,
  cpmOp,
  DecileInput,
  decilesOp,
  MovementsInput,
  RfmInput,
  rfmOp,
} from './ladders/purchase.ts';
export type { BacktestResult } from './lookalike/backtest.ts';
export { BacktestInput, backtestOp, frontierPrecision } from './lookalike/backtest.ts';
export type { ComparedModel } from './lookalike/compare.ts';
export { CompareModelsInput, comparedModel, compareModelsOp } from './lookalike/compare.ts';
export type { RetrainModelResult } from './lookalike/lifecycle.ts';
export {
  DeleteModelInput,
  deleteModelOp,
  RetrainModelInput,
  retrainModelOp,
  TagModelInput,
  tagModelOp,
} from './lookalike/lifecycle.ts';
export {
  ExplainInput,
  explainModelOp,
  FrontierInput,
  getModelOp,
  ListModelsInput,
  listModelsOp,
  modelFrontierOp,
  modelSummary,
  publicModel,
} from './lookalike/read.ts';
export {
  type CloudOpContext,
  type CloudTarget,
  ScoreCloudInput,
  scoreCloudOp,
} from './lookalike/score-cloud.ts';
export { ScoreSnapshotInput, scoreRunStatusOp, scoreSnapshotOp } from './lookalike/score-snapshot.ts';
// Streams bytes, so it is served by its route (and the CLI), not through POST /v1/ops.
export type { ModelScores } from './lookalike/scores.ts';
export { ModelScoresInput, modelScoresOp } from './lookalike/scores.ts';
export { SeedInput, Universe } from './lookalike/seed-input.ts';
export type { TrainModelResult } from './lookalike/train.ts';
export {
  DiagnoseInput,
  diagnoseSeedOp,
  poolTrainers,
  TrainModelInput,
  trainModelOp,
} from './lookalike/train.ts';
export type { ClassifyResult } from './needs/classify.ts';
export { ClassifyInput, classifyNeedsOp, ThemeId } from './needs/classify.ts';
export type { ThemeEvaluation } from './needs/evaluate.ts';
export { EvaluateInput, evaluateNeedsOp } from './needs/evaluate.ts';
export type { NeedMixResult } from './needs/mix.ts';
export { NeedMixInput, segmentNeedMixOp } from './needs/mix.ts';
export type { RetrainResult } from './needs/retrain.ts';
export { RetrainInput, retrainNeedsOp } from './needs/retrain.ts';
export type { ThemeSummary } from './needs/themes.ts';
export { needThemesOp } from './needs/themes.ts';
export type { ActiveJob, Caller, OpContext, Operation, OpInput, OpOutput, OpRawInput } from './operation.ts';
export { defineOp, filesOf, wsOf } from './operation.ts';
export { describeIssues, issuePath, parseInput } from './parse.ts';
export type { JobRecord, Quota } from './quota.ts';
export { enforceQuota, QuotaExceededError } from './quota.ts';
export { AffinityInput, segmentAffinityOp } from './segments/affinity.ts';
export { MemberFeaturesInput, memberFeaturesOp } from './segments/member-features.ts';
export { getSegmentationOp, listSegmentationsOp, segmentMembersOp, siteVisitorsOp } from './segments/read.ts';
export type { SegmentResult } from './segments/run.ts';
export { runSegmentationOp, SegmentInput } from './segments/run.ts';

/** Every operation, by name: what the job queue runs and what the CLI may send to a running server. */
export const OPERATIONS: readonly Operation[] = [
  listTablesOp,
  describeTableOp,
  importUploadOp,
  importFileOp,
  runSegmentationOp,
  listSegmentationsOp,
  getSegmentationOp,
  segmentMembersOp,
  siteVisitorsOp,
  segmentAffinityOp,
  memberFeaturesOp,
  createKeyOp,
  listKeysOp,
  revokeKeyOp,
  auditLogOp,
  trainModelOp,
  scoreSnapshotOp,
  scoreRunStatusOp,
  backtestOp,
  diagnoseSeedOp,
  listModelsOp,
  getModelOp,
  modelFrontierOp,
  explainModelOp,
  compareModelsOp,
  tagModelOp,
  deleteModelOp,
  retrainModelOp,
  classifyNeedsOp,
  needThemesOp,
  retrainNeedsOp,
  segmentNeedMixOp,
  evaluateNeedsOp,
  cpmOp,
  cpmMovementsOp,
  rfmOp,
  decilesOp,
  ladderMembersOp,
  buildEngagementOp,
  listEngagementOp,
  getEngagementOp,
  engagementStatusOp,
  engagementTransitionsOp,
  taxonomyOp,
  createAudienceOp,
  listAudiencesOp,
  getAudienceOp,
  updateAudienceOp,
  refreshAudienceOp,
  audienceRevisionsOp,
  relaxOp,
  conditionValuesOp,
  previewAudienceOp,
  driversOp,
  overlapOp,
  consentSummaryOp,
  putDestinationOp,
  listDestinationsOp,
  shareOp,
  unshareOp,
  audienceSharesOp,
  sharedAudiencesOp,
  describeExportOp,
];

export function findOperation(name: string): Operation | undefined {
  return OPERATIONS.find((op) => op.name === name);
}
