import { describe, expect, it } from 'vitest';
import { Frontier, marginalPrecision, solveTarget } from '../../src/audience/index.ts';
import { buildCalibration, Rng } from '../../src/lookalike/index.ts';

/** A synthetic universe: `share` positives scoring N(2.5, 1), the rest N(-1, 1); held-out seed rows like positives. */
function synthetic(n = 200_000, share = 0.1, held = 600, seed = 3) {
  const rng = new Rng(seed);
  const positive = new Uint8Array(n);
  const z = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    positive[i] = rng.float() < share ? 1 : 0;
    z[i] = (positive[i] ? 2.5 : -1) + rng.normal();
  }
  const order = Array.from(z.keys()).sort((a, b) => z[b]! - z[a]!);
  const sorted = Float32Array.from(order, (i) => z[i]!);
  const truePrecision = (size: number) => {
    let hit = 0;
    for (let k = 0; k < size; k++) hit += positive[order[k]!]!;
    return hit / size;
  };
  const heldOut = Float32Array.from({ length: held }, () => 2.5 + rng.normal());
  const calibration = buildCalibration({
    heldOut,
    heldOutWeights: new Float32Array(held).fill(1),
    unlabelled: Float32Array.from({ length: 5000 }, (_, i) => z[i]!),
    replicates: 200,
    seed: 1,
    confidence: 0.95,
    delta: 0.1,
  });
  return { frontier: new Frontier(sorted, calibration), truePrecision, n };
}

describe('frontier', () => {
  const { frontier, truePrecision, n } = synthetic();

  it('states intervals that contain the true precision at 1%, 5%, 10% and 20%', () => {
    for (const share of [0.01, 0.05, 0.1, 0.2]) {
      const size = Math.round(n * share);
      const p = frontier.at(size);
      const truth = truePrecision(size);
      expect(truth).toBeGreaterThanOrEqual(p.ci[0]);
      expect(truth).toBeLessThanOrEqual(p.ci[1]);
      expect(Math.abs(p.expectedPrecision - truth)).toBeLessThan(0.08);
      expect(p.expectedPositives).toBeCloseTo(p.expectedPrecision * size, 6);
      expect(p.lift).toBeCloseTo(p.expectedPrecision / frontier.summary.positiveShare, 6);
    }
    expect(Math.abs(frontier.summary.positiveShare - 0.1)).toBeLessThan(0.015);
  });

  it('never lets precision rise with size, and is exact at any size on a fine grid', () => {
    const grid = frontier.grid(300, [12_345]);
    expect(grid.some((p) => p.size === 12_345)).toBe(true);
    for (let k = 1; k < grid.length; k++) {
      expect(grid[k]!.size).toBeGreaterThan(grid[k - 1]!.size);
      expect(grid[k]!.expectedPrecision).toBeLessThanOrEqual(grid[k - 1]!.expectedPrecision + 1e-12);
      expect(grid[k]!.heldOutRecall).toBeGreaterThanOrEqual(grid[k - 1]!.heldOutRecall);
      expect(grid[k]!.ci[0]).toBeLessThanOrEqual(grid[k]!.expectedPrecision + 1e-12);
      expect(grid[k]!.ci[1]).toBeGreaterThanOrEqual(grid[k]!.expectedPrecision - 1e-12);
    }
    expect(frontier.at(n).heldOutRecall).toBe(1);
    expect(() => frontier.at(0)).toThrow(/whole number in \[1, 200000\]/);
    expect(() => frontier.at(n + 1)).toThrow(/whole number in \[1, 200000\]/);
  });

  it('gives per-rank precision that averages back to the frontier', () => {
    const m = marginalPrecision(frontier);
    for (let k = 1; k < m.length; k += 997) expect(m[k]!).toBeLessThanOrEqual(m[k - 1]! + 1e-7);
    const size = 20_000;
    let sum = 0;
    for (let k = 0; k < size; k++) sum += m[k]!;
    expect(sum / size).toBeCloseTo(frontier.at(size).expectedPrecision, 2);
  });
});

describe('solveTarget', () => {
  const { frontier, n } = synthetic();

  it('solves a size exactly, and refuses one larger than the universe', () => {
    expect(solveTarget(frontier, { kind: 'size', size: 5000 }).point).toEqual(frontier.at(5000));
    expect(() => solveTarget(frontier, { kind: 'size', size: n + 1 })).toThrow(
      `target size ${n + 1} is larger than the universe: ${n} people are left to score after exclusions`,
    );
    expect(() => solveTarget(frontier, { kind: 'size', size: 2.5 })).toThrow(/whole number/);
  });

  it('finds the largest size with a minimum precision, and the best reachable when none reaches it', () => {
    const s = solveTarget(frontier, { kind: 'precision', minPrecision: 0.7 });
    expect(s.reached).toBe(true);
    expect(s.point.expectedPrecision).toBeGreaterThanOrEqual(0.7);
    expect(frontier.at(s.size + 1).expectedPrecision).toBeLessThan(0.7);
    const lower = solveTarget(frontier, { kind: 'precision', minPrecision: 0.7, basis: 'lower' });
    expect(lower.size).toBeLessThanOrEqual(s.size);
    const impossible = solveTarget(frontier, { kind: 'precision', minPrecision: 0.999, basis: 'lower' });
    expect(impossible.reached).toBe(false);
    expect(impossible.note).toMatch(/reach(es)? lower-bound precision 0.999; the best reachable is 0\.\d+/);
    expect(impossible.point.ci[0]).toBe(frontier.at(1).ci[0]);
    expect(() => solveTarget(frontier, { kind: 'precision', minPrecision: 1.5 })).toThrow(/at most 1/);
  });

  it('maximises expected profit for a budget, and stops where marginal precision falls below cost / value', () => {
    const t = { kind: 'budget' as const, costPerPerson: 10, valuePerConversion: 100, conversionRate: 0.5 };
    const s = solveTarget(frontier, t);
    expect(s.reached).toBe(true);
    const profit = (size: number) => 50 * frontier.at(size).expectedPositives - 10 * size;
    expect(s.expectedProfit).toBeCloseTo(profit(s.size), 6);
    for (const other of [Math.round(s.size * 0.7), Math.round(s.size * 1.3), 1000, n]) {
      expect(profit(other)).toBeLessThanOrEqual(s.expectedProfit! + 1e-6);
    }
    const capped = solveTarget(frontier, { ...t, maxSpend: 10 * 1000 });
    expect(capped.size).toBeLessThanOrEqual(1000);
    const losing = solveTarget(frontier, { kind: 'budget', costPerPerson: 100, valuePerConversion: 1 });
    expect(losing.reached).toBe(false);
    expect(() => solveTarget(frontier, { kind: 'budget', costPerPerson: -1, valuePerConversion: 1 })).toThrow(
      /costPerPerson must be a non-negative number/,
    );
    expect(() => solveTarget(frontier, { kind: 'reach' } as never)).toThrow(/unknown target kind "reach"/);
  });
});
