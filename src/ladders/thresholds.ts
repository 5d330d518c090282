/**
 * Thresholds of the engagement ladder, chosen by simulation. For each index, the status
 * distribution of the whole population is recomputed for every threshold on a grid (the other
 * indices held at their chosen values), and the threshold is the one that best separates
 * occasional from habitual members: among members with at least one action of the index, the
 * split of their counts (log scale) with the largest between-group variance (Otsu's criterion; η²
 * says how much of the variance the split explains). Someone who answered once by chance stays
 * below; someone who answers every week passes. A threshold the user gives is kept and simulated
 * all the same. A local grid (chosen ± 2 on every index at once) shows how the distribution
 * moves when thresholds move together.
 */
import {
  distributionOf,
  type LevelThresholds,
  levelsFromCounts,
  type StatusShare,
} from './engagement-status.ts';
import { ENGAGEMENT_INDICES, ENGAGEMENT_LABELS, type EngagementIndex, type Label } from './labels.ts';

export const DEFAULT_MAX_THRESHOLD = 30;

export interface SweepPoint {
  threshold: number;
  /** Members whose count reaches the threshold. */
  passing: number;
  /** Between-group share of variance of log counts among members with any action of the index (η²). */
  separation: number | null;
  distribution: StatusShare[];
}

export interface ThresholdChoice {
  index: EngagementIndex;
  ja: string;
  en: string;
  threshold: number;
  source: 'user' | 'simulation';
  separation: number | null;
  /** Members with at least one action of the index in the window. */
  withAny: number;
  explanation: Label;
  sweep: SweepPoint[];
}

export interface LocalGridPoint {
  thresholds: number[];
  distribution: { status: string; share: number }[];
}

export interface ThresholdSimulation {
  population: number;
  windowDays: number;
  choices: ThresholdChoice[];
  /** Chosen ± 2 (at least 1) on every index at once: 5^4 = 625 points at most. */
  localGrid: LocalGridPoint[];
}

/** η² of splitting values (log1p counts of members with count >= 1) at `t`: counts < t vs >= t. */
function separationAt(
  sortedCounts: Int32Array,
  prefix: Float64Array,
  prefixSq: Float64Array,
  t: number,
): number | null {
  const n = sortedCounts.length;
  if (n < 2) return null;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sortedCounts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  const n0 = lo;
  const n1 = n - lo;
  const total = prefix[n]!;
  const mean = total / n;
  const variance = prefixSq[n]! / n - mean * mean;
  if (n0 === 0 || n1 === 0 || variance <= 1e-12) return 0;
  const m0 = prefix[n0]! / n0;
  const m1 = (total - prefix[n0]!) / n1;
  return ((n0 / n) * (n1 / n) * (m0 - m1) ** 2) / variance;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const pt = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}pt`;

/** One index's counts of members with any action, sorted, with prefix sums of their log1p. */
interface PreparedCounts {
  any: Int32Array;
  prefix: Float64Array;
  prefixSq: Float64Array;
  /** The largest threshold tried: the 99th percentile, within [2, maxThreshold]. */
  top: number;
}

/**
 * Simulates the status distribution over threshold grids and chooses the thresholds not given.
 *
 * @param counts per index level, each population member's actions in the window
 * @param given thresholds the user fixed
 * @param windowDays the window the counts cover (for the explanations)
 * @param maxThreshold the largest threshold simulated
 */
export function simulateThresholds(
  counts: readonly Int32Array[],
  given: Partial<Record<EngagementIndex, number>>,
  windowDays: number,
  maxThreshold = DEFAULT_MAX_THRESHOLD,
): ThresholdSimulation {
  const population = counts[0]?.length ?? 0;
  const prepared = counts.map((c) => prepareCounts(c, maxThreshold));
  const chosen = ENGAGEMENT_INDICES.map((id, k) => given[id] ?? bestSplit(prepared[k]!));
  const choices = ENGAGEMENT_INDICES.map((id, k): ThresholdChoice => {
    const p = prepared[k]!;
    const sweep = sweepIndex(counts, chosen, k, p);
    const here = sweep.find((s) => s.threshold === chosen[k])!;
    return {
      index: id,
      ...ENGAGEMENT_LABELS[id],
      threshold: chosen[k]!,
      source: given[id] !== undefined ? 'user' : 'simulation',
      separation: here.separation,
      withAny: p.any.length,
      explanation: explainChoice(id, chosen[k]!, given[id] !== undefined, sweep, p, windowDays),
      sweep,
    };
  });
  return { population, windowDays, choices, localGrid: localGridAround(counts, chosen) };
}

function prepareCounts(c: Int32Array, maxThreshold: number): PreparedCounts {
  const any = Int32Array.from(c.filter((v) => v > 0)).sort();
  const prefix = new Float64Array(any.length + 1);
  const prefixSq = new Float64Array(any.length + 1);
  for (let i = 0; i < any.length; i++) {
    const v = Math.log1p(any[i]!);
    prefix[i + 1] = prefix[i]! + v;
    prefixSq[i + 1] = prefixSq[i]! + v * v;
  }
  const p99 = any.length ? any[Math.min(any.length - 1, Math.ceil(0.99 * any.length) - 1)]! : 1;
  return { any, prefix, prefixSq, top: Math.max(2, Math.min(maxThreshold, p99)) };
}

/** The threshold in [2, top] with the largest separation (the smallest on ties), else 1. */
function bestSplit(p: PreparedCounts): number {
  let best = 1;
  let bestSep = -1;
  for (let t = 2; t <= p.top; t++) {
    const s = separationAt(p.any, p.prefix, p.prefixSq, t);
    if (s !== null && s > bestSep + 1e-12) {
      best = t;
      bestSep = s;
    }
  }
  return best;
}

/** Index `k` swept from 1 to past its chosen threshold, the other indices held at theirs. */
function sweepIndex(
  counts: readonly Int32Array[],
  chosen: readonly number[],
  k: number,
  p: PreparedCounts,
): SweepPoint[] {
  const top = Math.max(p.top, chosen[k]! + 1);
  const sweep: SweepPoint[] = [];
  for (let t = 1; t <= top; t++) {
    const thresholds = chosen.map((c, j) => (j === k ? t : c));
    const passing = counts[k]!.reduce((s, v) => s + (v >= t ? 1 : 0), 0);
    sweep.push({
      threshold: t,
      passing,
      separation: t >= 2 ? separationAt(p.any, p.prefix, p.prefixSq, t) : null,
      distribution: distributionOf(levelsFromCounts(counts, thresholds)),
    });
  }
  return sweep;
}

/** Why the threshold, and how far one step lower or higher would move the status's share. */
function explainChoice(
  id: EngagementIndex,
  chosen: number,
  isGiven: boolean,
  sweep: readonly SweepPoint[],
  p: PreparedCounts,
  windowDays: number,
): Label {
  const at = (t: number) => sweep.find((s) => s.threshold === t);
  const here = at(chosen)!;
  const share = (s: SweepPoint | undefined) => s?.distribution.find((d) => d.status === id)?.share ?? 0;
  const label = ENGAGEMENT_LABELS[id];
  const lower = at(chosen - 1);
  const higher = at(chosen + 1);
  const moves = [
    lower
      ? {
          ja: `${chosen - 1}回にすると${pt(share(lower) - share(here))}`,
          en: `${chosen - 1} would move it ${pt(share(lower) - share(here))}`,
        }
      : null,
    higher
      ? {
          ja: `${chosen + 1}回にすると${pt(share(higher) - share(here))}`,
          en: `${chosen + 1} would move it ${pt(share(higher) - share(here))}`,
        }
      : null,
  ].filter((m): m is Label => m !== null);
  const below = p.any.length - (here.passing ?? 0);
  if (isGiven)
    return {
      ja: `${label.ja}：指定値${chosen}回以上（${windowDays}日間）。${label.ja}の構成比${pct(share(here))}。${moves.map((m) => m.ja).join('、')}`,
      en: `${label.en}: given, ${chosen} or more in ${windowDays} days; ${pct(share(here))} at ${label.en}; ${moves.map((m) => m.en).join(', ')}`,
    };
  if (here.separation === null || p.any.length < 2)
    return {
      ja: `${label.ja}：1回以上（${windowDays}日間）。行動した会員が少なく、分け目を選べないため最小値`,
      en: `${label.en}: 1 or more in ${windowDays} days; too few members acted to choose a split`,
    };
  return {
    ja: `${label.ja}：${chosen}回以上（${windowDays}日間）。1回以上行動した${p.any.length}人を、偶発的な${chosen - 1}回以下（${below}人）と継続的な${chosen}回以上（${here.passing}人）に分ける点で回数（対数）の群間分散が最大（η²=${here.separation.toFixed(2)}）。${label.ja}の構成比${pct(share(here))}。${moves.map((m) => m.ja).join('、')}`,
    en: `${label.en}: ${chosen} or more in ${windowDays} days. Of ${p.any.length} members with any, it splits the occasional (${chosen - 1} or fewer: ${below}) from the habitual (${chosen}+: ${here.passing}) with the largest between-group variance of log counts (eta^2 = ${here.separation.toFixed(2)}); ${pct(share(here))} at ${label.en}; ${moves.map((m) => m.en).join(', ')}`,
  };
}

/** The distribution at every combination of thresholds within two of the chosen ones. */
function localGridAround(counts: readonly Int32Array[], chosen: readonly number[]): LocalGridPoint[] {
  const localGrid: LocalGridPoint[] = [];
  const ranges = chosen.map((c) => {
    const out: number[] = [];
    for (let t = Math.max(1, c - 2); t <= c + 2; t++) out.push(t);
    return out;
  });
  const walk = (k: number, acc: number[]) => {
    if (k === ranges.length) {
      localGrid.push({
        thresholds: acc,
        distribution: distributionOf(levelsFromCounts(counts, acc)).map((d) => ({
          status: d.status,
          share: d.share,
        })),
      });
      return;
    }
    for (const t of ranges[k]!) walk(k + 1, [...acc, t]);
  };
  walk(0, []);
  return localGrid;
}

export const thresholdsOf = (s: ThresholdSimulation): LevelThresholds => s.choices.map((c) => c.threshold);
