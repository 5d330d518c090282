/**
 * @module ladders
 * Growth ladders: customer status stages as of any day.
 *
 * - Purchase ladder (ID-POS): CPM (顧客ポートフォリオマネジメント: 初回, よちよち, コツコツ, 流行, 優良,
 *   each 現役 or 離脱) with thresholds given, published or read from the data; the movement matrix
 *   between two days; RFM ranks; デシル分析; the 来店頻度 x 購入カテゴリ数 grid action per class.
 * - Engagement ladder (community actions): a taxonomy puts each action on an index by its
 *   psychological hurdle (応援度 < 好意度 < 交流度 < 貢献度); answers and reviews count as
 *   contribution only when their text is substantive; thresholds are chosen by simulating the
 *   status distribution; routes to 貢献度 and the triggers of each step are mined with support and
 *   lift; every status gets its next-step nudge.
 * - Any class resolves to member IDs (and linked third-party IDs) as of a day: lookalike seeds and
 *   exclusions.
 *
 * @example
 * const cpm = await cpmClasses(ws.db, { asOf: '2026-04-01' });
 * cpm.classes.find((c) => c.id === 'loyal_active'); // { ja: '優良・現役', members: 812, ... }
 * const seed = await ladderMembers(ws, { ladder: 'cpm', classes: ['優良・現役'] }, '2026-04-01');
 */

export type { ActionLog, ActorLog, EventInfo } from './action-log.ts';
export { epochDay, isoDay, readActionLog } from './action-log.ts';
export type {
  CpmClassSummary,
  CpmThresholdOptions,
  CpmThresholds,
  Threshold,
  ThresholdSource,
} from './cpm.ts';
export {
  cpmClasses,
  cpmClassOf,
  LAPSE_GAP_QUANTILE,
  PUBLISHED_LAPSE_DAYS,
  PUBLISHED_TENURE_DAYS,
  resolveCpmThresholds,
  SPEND_TOP_SHARE,
} from './cpm.ts';
export type { Decile, DecileResult } from './deciles.ts';
export { decileAnalysis } from './deciles.ts';
export type {
  EngagementDeps,
  EngagementManifest,
  EngagementOptions,
  EngagementSummary,
  StatusOnDay,
  StatusTransitions,
} from './engagement.ts';
export {
  buildEngagementLadder,
  DEFAULT_WINDOW_DAYS,
  engagementMembers,
  engagementStatusOn,
  engagementTransitions,
  listEngagementLadders,
  loadEngagementLadder,
} from './engagement.ts';
export type { StatusShare } from './engagement-status.ts';
export type { ClassGrid } from './grid.ts';
export { gridByClass } from './grid.ts';
export type { CpmClassId, CpmStage, CpmState, EngagementIndex, EngagementStatus, Label } from './labels.ts';
export {
  CPM_CLASSES,
  CPM_PLAYBOOK,
  CPM_STAGE_LABELS,
  CPM_STAGES,
  CPM_STATE_LABELS,
  CPM_STATES,
  cpmClassLabel,
  ENGAGEMENT_INDICES,
  ENGAGEMENT_LABELS,
  ENGAGEMENT_STATUSES,
} from './labels.ts';
export type { LadderClass, LadderMembers } from './members.ts';
export { ladderMembers, parseCpmClasses, parseEngagementStatuses } from './members.ts';
export type { MovementCell, MovementKind, MovementMatrix } from './movements.ts';
export { cpmMovements, MOVEMENT_KINDS, MOVEMENT_LABELS, movementKind } from './movements.ts';
export type { Nudge } from './nudges.ts';
export type { PurchaseHistory, PurchaseWindow } from './purchases.ts';
export { purchaseHistory } from './purchases.ts';
export type { RfmCuts, RfmDimension, RfmOptions, RfmResult } from './rfm.ts';
export { RFM_DIMENSIONS, rfmRank, rfmRanks } from './rfm.ts';
export type { Route, RouteMining } from './routes.ts';
export type {
  LabelledText,
  SubstantiveLabel,
  SubstantiveModel,
  TextToken,
  TextTokenizer,
} from './substantive.ts';
export { LABELLED_TEXTS, SUBSTANTIVE_CLASSIFIER_VERSION, SubstantiveClassifier } from './substantive.ts';
export type { IndexDefinition, Taxonomy, TaxonomyRule } from './taxonomy.ts';
export { checkTaxonomy, DEFAULT_TAXONOMY } from './taxonomy.ts';
export { TEXT_LABELS_TABLE } from './text-labels.ts';
export type { SweepPoint, ThresholdChoice, ThresholdSimulation } from './thresholds.ts';
export type { StepTriggers, TriggerCandidate, TriggerOptions } from './triggers.ts';
export { DEFAULT_TRIGGER_OPTIONS } from './triggers.ts';
