/**
 * @module audience
 * Audiences and the size/precision trade-off: the frontier of a lookalike model over its
 * universe (expected precision with an interval, expected positives, held-out recall, lift at
 * any size), solving for a target size, a minimum precision or a budget, condition relaxation for
 * rule-based audiences, and audiences materialised as immutable artifacts (`manifest.json` +
 * `members.arrow`) below which size nothing is released.
 *
 * @example
 * import { createAudience, modelFrontier, relaxConditions } from './audience/index.ts';
 * const { summary, points } = await modelFrontier(ws, modelId);
 * const a = await createAudience(ws, { modelId, target: { kind: 'precision', minPrecision: 0.8 } });
 * a.manifest.size; a.manifest.expectedPrecision; a.manifest.ci; // 21840 0.80 [0.71, 0.86]
 */

export type { Condition, Rung } from './conditions.ts';
export type { Audience, AudienceManifest, CreateAudienceOptions } from './create.ts';
export {
  AUDIENCE_PREFIX,
  AUDIENCE_VERSION,
  createAudience,
  DEFAULT_MIN_SIZE,
  listAudiences,
  loadAudience,
  modelFrontier,
  openAudience,
  openFrontier,
} from './create.ts';
export { explainAudience } from './explain.ts';
export type { FrontierPoint, FrontierSummary } from './frontier.ts';
export { Frontier, marginalPrecision } from './frontier.ts';
export type { CachedFrontier } from './frontier-cache.ts';
export { FrontierCache } from './frontier-cache.ts';
export type { RankedMembers } from './members-file.ts';
export { decodeMembers, encodeMembers } from './members-file.ts';
export type { NeedMix, NeedMixRequest, NeedMixResult } from './need-mix.ts';
export type { RelaxAlternative, RelaxChange, RelaxOptions, RelaxResult } from './relax.ts';
export { relaxConditions } from './relax.ts';
export type { AudienceTarget, Solution } from './solve.ts';
export { solveTarget } from './solve.ts';
