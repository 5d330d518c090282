/**
 * Important customers: the Pareto (concentration) curve of sales over members, the Gini
 * coefficient, and the important-member flag (the top share of members by net sales).
 */

export interface ParetoPoint {
  /** Share of members, most valuable first. */
  memberShare: number;
  /** Share of sales those members make. */
  salesShare: number;
}

export interface ParetoSummary {
  members: number;
  /** Sum of net sales, each member's floored at 0 (a member who returned more than bought adds nothing). */
  totalSales: number;
  /** The share of members flagged important (default 0.2). */
  importantShare: number;
  importantMembers: number;
  /** Share of sales made by the important members: the "top 20% make X%" figure. */
  topShareOfSales: number;
  /** Least net sales of an important member. */
  importantMinSales: number;
  /** Smallest share of members that makes 80% of sales. */
  membersFor80PctOfSales: number;
  /** 0 = everyone buys the same, 1 = one member makes all sales. */
  gini: number;
  /** 101 points at member shares 0, 0.01, ... 1. */
  curve: ParetoPoint[];
}

export interface ParetoResult {
  summary: ParetoSummary;
  /** 1 for important members, by row. */
  important: Uint8Array;
}

/**
 * Ranks members by net sales (descending, ties by row order so the flag is deterministic) and
 * flags the top `importantShare` of them (rounded up) as important.
 *
 * @param sales net sales per member row
 * @param importantShare share of members flagged important, in (0, 1]
 * @returns the summary figures and a per-row flag
 * @example
 * paretoOf(Float64Array.of(100, 0, 300, 50, 50), 0.2).summary.topShareOfSales; // 0.6
 */
export function paretoOf(sales: Float64Array, importantShare = 0.2): ParetoResult {
  const n = sales.length;
  const x = Float64Array.from(sales, (v) => Math.max(v, 0));
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[b]! - x[a]! || a - b);
  let total = 0;
  for (let i = 0; i < n; i++) total += x[i]!;
  const cumulative = new Float64Array(n + 1);
  for (let r = 0; r < n; r++) cumulative[r + 1] = cumulative[r]! + x[order[r]!]!;
  const share = (members: number) => (total > 0 ? cumulative[members]! / total : 0);
  const top = Math.min(n, Math.ceil(importantShare * n - 1e-9));
  const important = new Uint8Array(n);
  for (let r = 0; r < top; r++) important[order[r]!] = 1;
  let for80 = n;
  for (let r = 1; r <= n; r++) {
    if (share(r) >= 0.8 - 1e-12) {
      for80 = r;
      break;
    }
  }
  // Gini from the ascending order: sum over ranks of (2i - n - 1) x_i / (n * total).
  let g = 0;
  for (let r = 0; r < n; r++) {
    const ascRank = n - r;
    g += (2 * ascRank - n - 1) * x[order[r]!]!;
  }
  const curve: ParetoPoint[] = [];
  for (let p = 0; p <= 100; p++) {
    const members = (p / 100) * n;
    const whole = Math.floor(members);
    // Linear within a member, so the curve is exact at every point and smooth for small n.
    const part = whole < n ? (members - whole) * x[order[whole]!]! : 0;
    curve.push({ memberShare: p / 100, salesShare: total > 0 ? (cumulative[whole]! + part) / total : 0 });
  }
  return {
    summary: {
      members: n,
      totalSales: total,
      importantShare,
      importantMembers: top,
      topShareOfSales: share(top),
      importantMinSales: top > 0 ? x[order[top - 1]!]! : 0,
      membersFor80PctOfSales: n ? for80 / n : 0,
      gini: total > 0 && n > 0 ? g / (n * total) : 0,
      curve,
    },
    important,
  };
}
