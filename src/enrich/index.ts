/**
 * @module enrich
 * Third-party signals joined to 1st-party groupings: link rates, affinity indexes (with Wilson
 * intervals and minimum support) of interests, demographics and search-phrase terms per
 * segment, and the comparison of site visitors who buy with those who do not.
 *
 * Dependency note: `segment` calls this module while building a segmentation (affinity goes
 * into its manifest); this module never imports `segment`. It reads a stored segmentation
 * through the `segment_assignments` table and the manifest key only.
 *
 * @example
 * const report = await segmentAffinity(ws, 'sgm_20260401_120000_ab12cd', { minSupport: 30 });
 * report.segments[0]?.rows[0]; // { dimension: 'interest', value: 'baby_kids', index: 412, ciLow: 371, ... }
 * const visitors = await siteVisitorComparison(ws);
 */

export type {
  AffinityOptions,
  AffinityReport,
  AffinityRow,
  ResolvedAffinityOptions,
  SegmentAffinity,
  SegmentLinkage,
} from './affinity.ts';
export {
  ASSIGNMENTS_TABLE,
  affinityFromCounts,
  groupAffinity,
  rankRows,
  resolveAffinityOptions,
  SEGMENTATION_PREFIX,
  segmentAffinity,
} from './affinity.ts';
export type { Dimension } from './attributes.ts';
export { attributesSql, DIMENSIONS } from './attributes.ts';
export type { SiteVisitorComparison, VisitorAffinityRow, VisitorBehaviour } from './site-visitors.ts';
export { siteVisitorComparison } from './site-visitors.ts';
export { wilson, zFor } from './wilson.ts';
