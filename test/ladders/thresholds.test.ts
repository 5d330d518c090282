/**
 * Threshold simulation on counts built by hand: the chosen threshold splits occasional from habitual
 * members where the between-group variance of log counts is largest (checked against a direct
 * computation), given thresholds are kept, and every simulated distribution adds up.
 */
import { describe, expect, it } from 'vitest';
import { levelsFromCounts } from '../../src/ladders/engagement-status.ts';
import { simulateThresholds } from '../../src/ladders/thresholds.ts';

/** eta^2 of splitting log1p(counts >= 1) at t, computed directly. */
function eta2(counts: number[], t: number): number {
  const v = counts.filter((c) => c > 0).map((c) => Math.log1p(c));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const m = mean(v);
  const total = v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length;
  const lo = counts.filter((c) => c > 0 && c < t).map((c) => Math.log1p(c));
  const hi = counts.filter((c) => c >= t).map((c) => Math.log1p(c));
  if (!lo.length || !hi.length) return 0;
  return ((lo.length / v.length) * (hi.length / v.length) * (mean(lo) - mean(hi)) ** 2) / total;
}

// 200 members: 60 never acted, 90 occasional (1-2 actions), 50 habitual (8-14).
const occasional = Array.from({ length: 90 }, (_, i) => 1 + (i % 2));
const habitual = Array.from({ length: 50 }, (_, i) => 8 + (i % 7));
const contribution = [...Array(60).fill(0), ...occasional, ...habitual];
// Every member likes a lot, so 応援度 matters only for those below the other indices.
const support = Array.from({ length: 200 }, (_, i) => (i < 20 ? 1 : 20));
const none = Array(200).fill(0);
const counts = [support, none, none, contribution].map((c) => Int32Array.from(c));

describe('threshold simulation', () => {
  it('chooses the split with the largest between-group variance', () => {
    const sim = simulateThresholds(counts, {}, 90);
    const choice = sim.choices.find((c) => c.index === 'contribution')!;
    let best = 2;
    for (let t = 2; t <= 14; t++) if (eta2(contribution, t) > eta2(contribution, best) + 1e-12) best = t;
    expect(choice.threshold).toBe(best);
    expect(choice.threshold).toBeGreaterThan(2);
    expect(choice.threshold).toBeLessThanOrEqual(8);
    expect(choice.separation).toBeCloseTo(eta2(contribution, best), 12);
    expect(choice.withAny).toBe(140);
    // At the chosen threshold exactly the 50 habitual members are at 貢献度.
    const here = choice.sweep.find((s) => s.threshold === choice.threshold)!;
    expect(here.passing).toBe(50);
    expect(here.distribution.find((d) => d.status === 'contribution')!.members).toBe(50);
    expect(choice.explanation.en).toContain(`${choice.threshold} or more in 90 days`);
  });

  it('keeps given thresholds and simulates them all the same', () => {
    const sim = simulateThresholds(counts, { contribution: 2 }, 90);
    const choice = sim.choices.find((c) => c.index === 'contribution')!;
    expect(choice).toMatchObject({ threshold: 2, source: 'user' });
    expect(choice.sweep.find((s) => s.threshold === 2)!.passing).toBe(95);
    for (const c of sim.choices)
      for (const s of c.sweep) expect(s.distribution.reduce((a, d) => a + d.members, 0)).toBe(200);
  });

  it('fills the local grid around the chosen thresholds', () => {
    const sim = simulateThresholds(counts, {}, 90);
    const chosen = sim.choices.map((c) => c.threshold);
    const point = sim.localGrid.find((p) => p.thresholds.every((t, k) => t === chosen[k]))!;
    const levels = levelsFromCounts(counts, chosen);
    const share = (level: number) => levels.filter((l) => l === level).length / 200;
    expect(point.distribution.find((d) => d.status === 'contribution')!.share).toBeCloseTo(share(3), 12);
    expect(point.distribution.find((d) => d.status === 'none')!.share).toBeCloseTo(share(-1), 12);
  });
});
