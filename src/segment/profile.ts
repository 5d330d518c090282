/**
 * Segment profiles: size, share of members and of sales, the centroid in original units, the
 * features that make the segment distinctive (z-scores against all members) and its name.
 */
import type { CategoryColumn, MemberFeatureMatrix } from '../features/index.ts';
import { DISTINCTIVE_Z, type Distinctive, describeFeature, segmentName, uniqueNames } from './naming.ts';
import type { FeatureTransform } from './transform.ts';

export interface SegmentProfile {
  /** Stable id: `seg_01` has the most sales; same data and seed give the same ids. */
  segmentId: string;
  nameJa: string;
  nameEn: string;
  size: number;
  memberShare: number;
  sales: number;
  salesShare: number;
  /** Mean of each feature over the segment's members, in original units. */
  centroid: Record<string, number>;
  /** Mean of each feature over all members, for comparison. */
  populationMean: Record<string, number>;
  /** Features with |z| >= 0.5, largest first (z of the log-standardised feature's segment mean). */
  distinctive: Distinctive[];
  importantMembers: number;
  /** Share of this segment's members who are important. */
  importantRate: number;
  /** This segment's share of all important members. */
  shareOfImportant: number;
}

/**
 * Orders clusters by net sales (then size, then cluster index), so ids do not depend on the
 * arbitrary cluster numbering of k-means. Returns the new index of each cluster.
 */
export function orderClusters(labels: Int32Array, k: number, sales: Float64Array): Int32Array {
  const totals = new Float64Array(k);
  const sizes = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) {
    totals[labels[i]!]! += Math.max(0, sales[i]!);
    sizes[labels[i]!]!++;
  }
  const order = Array.from({ length: k }, (_, c) => c).sort(
    (a, b) => totals[b]! - totals[a]! || sizes[b]! - sizes[a]! || a - b,
  );
  const rank = new Int32Array(k);
  order.forEach((c, r) => {
    rank[c] = r;
  });
  return rank;
}

export function segmentIdOf(rank: number, k: number): string {
  return `seg_${String(rank + 1).padStart(Math.max(2, String(k).length), '0')}`;
}

/**
 * Profiles every segment.
 * @param labels segment rank (0 = seg_01) per member row
 */
export function profileSegments(
  features: MemberFeatureMatrix,
  transform: FeatureTransform,
  labels: Int32Array,
  k: number,
  important: Uint8Array,
): SegmentProfile[] {
  const { rows, cols, values, featureNames } = features;
  const sums = new Float64Array(k * cols);
  const zSums = new Float64Array(k * cols);
  const sizes = new Int32Array(k);
  const sales = new Float64Array(k);
  const imp = new Int32Array(k);
  const all = new Float64Array(cols);
  let totalSales = 0;
  let totalImportant = 0;
  for (let i = 0; i < rows; i++) {
    const s = labels[i]!;
    sizes[s]!++;
    const pos = Math.max(0, features.sales[i]!);
    sales[s]! += pos;
    totalSales += pos;
    imp[s]! += important[i]!;
    totalImportant += important[i]!;
    for (let c = 0; c < cols; c++) {
      const v = values[i * cols + c]!;
      sums[s * cols + c]! += v;
      all[c]! += v;
      const t = transform.log[c] ? Math.log1p(Math.max(0, v)) : v;
      if (transform.sd[c]! > 0) zSums[s * cols + c]! += (t - transform.mean[c]!) / transform.sd[c]!;
    }
  }
  const catNames = new Map<string, CategoryColumn>(features.categories.map((c) => [c.feature, c]));
  const profiles = Array.from({ length: k }, (_, s) => {
    const size = sizes[s]!;
    const centroid: Record<string, number> = {};
    const populationMean: Record<string, number> = {};
    const distinctive: Distinctive[] = [];
    for (let c = 0; c < cols; c++) {
      const name = featureNames[c]!;
      centroid[name] = size ? sums[s * cols + c]! / size : 0;
      populationMean[name] = all[c]! / rows;
      const z = size ? zSums[s * cols + c]! / size : 0;
      if (Math.abs(z) < DISTINCTIVE_Z) continue;
      const words = describeFeature(name, z, catNames.get(name)?.name ?? catNames.get(name)?.code);
      if (words) distinctive.push({ feature: name, z, ...words });
    }
    distinctive.sort((a, b) => Math.abs(b.z) - Math.abs(a.z) || a.feature.localeCompare(b.feature));
    const name = segmentName(distinctive);
    return {
      segmentId: segmentIdOf(s, k),
      nameJa: name.ja,
      nameEn: name.en,
      size,
      memberShare: size / rows,
      sales: sales[s]!,
      salesShare: totalSales > 0 ? sales[s]! / totalSales : 0,
      centroid,
      populationMean,
      distinctive: distinctive.slice(0, 8),
      importantMembers: imp[s]!,
      importantRate: size ? imp[s]! / size : 0,
      shareOfImportant: totalImportant ? imp[s]! / totalImportant : 0,
    };
  });
  return uniqueNames(profiles);
}
