/**
 * Backtest ranking metrics against independent computations: AUC by counting every
 * (positive, negative) pair, and precision with ties by averaging over every order of the tied
 * rows (what a random tie-break gives on average).
 */
import { describe, expect, it } from 'vitest';
import { liftRatioIntervals, rankingMetrics, sizeOfShare } from '../../src/lookalike/backtest-metrics.ts';
import { Rng } from '../../src/lookalike/rng.ts';

function pairAuc(s: number[], y: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < s.length; i++)
    for (let j = 0; j < s.length; j++)
      if (y[i] && !y[j]) {
        pairs++;
        wins += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
      }
  return wins / pairs;
}

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

/** Mean precision of the top k over every order that sorts by score (ties in any order). */
function bruteTieAveragePrecision(s: number[], y: number[], k: number): number {
  const groups = [...new Set(s)].sort((a, b) => b - a).map((v) => s.flatMap((x, i) => (x === v ? [i] : [])));
  let orders: number[][] = [[]];
  for (const g of groups) orders = orders.flatMap((o) => permutations(g).map((p) => [...o, ...p]));
  const total = orders.reduce((sum, o) => sum + o.slice(0, k).filter((i) => y[i]).length / k, 0);
  return total / orders.length;
}

describe('rankingMetrics', () => {
  it('gives exact values on a hand-made ranking', () => {
    // Scores 9..0, positives at ranks 0, 2, 5: top 20% (2 rows) holds 1, top 50% (5 rows) holds 2.
    const s = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0];
    const y = [1, 0, 1, 0, 0, 1, 0, 0, 0, 0];
    const m = rankingMetrics(s, y, [0.2, 0.5]);
    expect(m.positives).toBe(3);
    expect(m.baseRate).toBeCloseTo(0.3, 12);
    // Positive at rank 0 beats 7 negatives, rank 2 beats 6, rank 5 beats 4: 17 of 21 pairs.
    expect(m.auc).toBeCloseTo(17 / 21, 12);
    expect(m.top[0]).toEqual({ share: 0.2, size: 2, precision: 0.5, lift: 0.5 / 0.3 });
    expect(m.top[1]!.precision).toBeCloseTo(0.4, 12);
  });

  it('matches pair counting and tie-order averaging on random rankings with ties', () => {
    const rng = new Rng(11, 1);
    for (let t = 0; t < 40; t++) {
      const n = 5 + Math.floor(rng.float() * 4);
      const s = Array.from({ length: n }, () => Math.floor(rng.float() * 4));
      const y = Array.from({ length: n }, () => (rng.float() < 0.4 ? 1 : 0));
      if (!y.includes(1) || !y.includes(0)) continue;
      const shares = [0.2, 0.4, 0.6];
      const m = rankingMetrics(s, y, shares);
      expect(m.auc).toBeCloseTo(pairAuc(s, y), 12);
      shares.forEach((share, i) => {
        const k = sizeOfShare(share, n);
        expect(m.top[i]!.size).toBe(k);
        expect(m.top[i]!.precision).toBeCloseTo(bruteTieAveragePrecision(s, y, k), 12);
      });
    }
  });

  it('gives a constant score random precision and AUC 0.5', () => {
    const y = [1, 0, 0, 1, 0, 0, 0, 0, 1, 0];
    const m = rankingMetrics(new Float64Array(10), y);
    expect(m.auc).toBe(0.5);
    for (const t of m.top) expect(t.lift).toBeCloseTo(1, 12);
  });

  it('counts every row when a score is NaN (a NaN forms a tie group of its own)', () => {
    const m = rankingMetrics(Float64Array.of(Number.NaN, 2, 1), [0, 1, 0]);
    expect(m.universe).toBe(3);
    expect(m.positives).toBe(1);
  });

  it('rejects mismatched or empty inputs', () => {
    expect(() => rankingMetrics([1, 2], [1])).toThrow('2 scores but 1 outcomes');
    expect(() => rankingMetrics([], [])).toThrow('no rows to rank');
  });
});

describe('liftRatioIntervals', () => {
  /** Positives in the top k of a resample, by sorting the drawn rows (scores have no ties across rows). */
  function topPositives(scores: number[], y: number[], drawn: number[], k: number): number {
    const order = [...drawn].sort((p, q) => scores[q]! - scores[p]!);
    return order.slice(0, k).filter((i) => y[i]).length;
  }

  it('matches a resampling done by hand with the same draws', () => {
    const rng = new Rng(3, 2);
    const n = 60;
    const a = Array.from({ length: n }, (_, i) => i + rng.float() * 0.5);
    const b = Array.from({ length: n }, () => rng.float() * 100);
    // Positives: every other row among the top fifth by `a`, every tenth row below.
    const y = a.map((_, i) => (i >= 48 ? i % 2 : i % 10 === 0 ? 1 : 0));
    const shares = [0.1, 0.2];
    const reps = 200;
    const draws = new Rng(5, 0);
    const got = liftRatioIntervals(a, b, y, { replicates: reps, draw: (k) => draws.int(k) }, shares);

    const again = new Rng(5, 0);
    const ratios = shares.map(() => [] as number[]);
    const ahead = shares.map(() => 0);
    for (let r = 0; r < reps; r++) {
      const drawn = Array.from({ length: n }, () => again.int(n));
      shares.forEach((share, s) => {
        const k = sizeOfShare(share, n);
        const pa = topPositives(a, y, drawn, k);
        const pb = topPositives(b, y, drawn, k);
        ratios[s]!.push(pb > 0 ? pa / pb : pa > 0 ? Number.POSITIVE_INFINITY : 1);
        if (pa > pb) ahead[s]!++;
      });
    }
    shares.forEach((share, s) => {
      const sorted = [...ratios[s]!].sort((p, q) => p - q);
      const k = sizeOfShare(share, n);
      const full = [...Array(n).keys()];
      expect(got[s]!.ratio).toBeCloseTo(topPositives(a, y, full, k) / topPositives(b, y, full, k), 12);
      expect(got[s]!.ci[0]).toBeCloseTo(sorted[Math.floor(0.025 * reps)]!, 12);
      expect(got[s]!.ci[1]).toBeCloseTo(sorted[Math.floor(0.975 * reps)]!, 12);
      expect(got[s]!.ahead).toBeCloseTo(ahead[s]! / reps, 12);
    });
    // The informative ranking is ahead in most replicates (its top fifth holds 6 of the 11 positives).
    expect(got[0]!.ahead).toBeGreaterThan(0.5);
    expect(got[1]!.ahead).toBeGreaterThan(0.5);
  });

  it('gives a ranking against itself the interval [1, 1] and never ahead', () => {
    const s = [5, 4, 3, 2, 1, 0, 6, 7, 8, 9];
    const y = [1, 0, 1, 0, 0, 1, 0, 0, 1, 0];
    const rng = new Rng(1);
    for (const r of liftRatioIntervals(s, s, y, { replicates: 50, draw: (k) => rng.int(k) })) {
      expect(r.ci).toEqual([1, 1]);
      expect(r.ahead).toBe(0);
    }
  });

  it('rejects scores and outcomes of different lengths', () => {
    expect(() => liftRatioIntervals([1, 2], [1], [0, 1], { draw: () => 0 })).toThrow(
      '2 and 1 scores but 2 outcomes',
    );
  });
});
