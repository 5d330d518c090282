import { describe, expect, it } from 'vitest';
import { bandCuts, GRID_ACTIONS, growthGrid, paretoOf } from '../../src/segment/index.ts';

/** Plain sort-and-sum reference: share of sales of the top `share` of members. */
function topShareReference(sales: number[], share: number): number {
  const sorted = sales.map((s) => Math.max(0, s)).sort((a, b) => b - a);
  const total = sorted.reduce((a, b) => a + b, 0);
  const top = Math.ceil(share * sorted.length);
  return sorted.slice(0, top).reduce((a, b) => a + b, 0) / total;
}

/** Gini as the mean absolute difference over twice the mean (O(n^2), independent of ours). */
function giniReference(sales: number[]): number {
  const x = sales.map((s) => Math.max(0, s));
  const n = x.length;
  const mean = x.reduce((a, b) => a + b, 0) / n;
  let diff = 0;
  for (const a of x) for (const b of x) diff += Math.abs(a - b);
  return diff / (2 * n * n * mean);
}

describe('paretoOf', () => {
  it('matches a plain sort-and-sum and the mean-difference Gini', () => {
    let s = 7;
    const sales = Array.from({ length: 997 }, () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const u = s / 4294967296;
      return u < 0.05 ? -20 : Math.round(1000 * Math.exp(3 * u)); // skewed, with some net returners
    });
    const { summary, important } = paretoOf(Float64Array.from(sales));
    expect(summary.topShareOfSales).toBeCloseTo(topShareReference(sales, 0.2), 12);
    expect(summary.gini).toBeCloseTo(giniReference(sales), 10);
    expect(summary.importantMembers).toBe(Math.ceil(0.2 * 997));
    expect(important.reduce((a, b) => a + b, 0)).toBe(summary.importantMembers);
    expect(summary.curve[0]).toEqual({ memberShare: 0, salesShare: 0 });
    expect(summary.curve[100]!.salesShare).toBeCloseTo(1, 12);
    // At 20% of 997 members = 199.4 members: the top 199 plus 0.4 of the 200th.
    const desc = sales.map((x) => Math.max(0, x)).sort((a, b) => b - a);
    const total = desc.reduce((a, b) => a + b, 0);
    const at20 = (desc.slice(0, 199).reduce((a, b) => a + b, 0) + 0.4 * desc[199]!) / total;
    expect(summary.curve[20]!.salesShare).toBeCloseTo(at20, 10);
  });

  it('flags the top members, ties broken by row, and handles the worked example', () => {
    const r = paretoOf(Float64Array.of(100, 0, 300, 50, 50), 0.2);
    expect(r.summary.topShareOfSales).toBe(0.6);
    expect(Array.from(r.important)).toEqual([0, 0, 1, 0, 0]);
    expect(r.summary.membersFor80PctOfSales).toBe(0.4); // 300 + 100 = 400 of 500
    const tie = paretoOf(Float64Array.of(10, 10, 10, 10, 10), 0.4);
    expect(Array.from(tie.important)).toEqual([1, 1, 0, 0, 0]);
    expect(tie.summary.gini).toBe(0);
  });
});

describe('growth grid', () => {
  it('cuts at tertiles and merges tertiles that ties collapse', () => {
    expect(bandCuts(Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9))).toEqual({
      cuts: [3, 6],
      bands: ['low', 'mid', 'high'],
    });
    expect(bandCuts(Float64Array.of(1, 1, 1, 1, 1, 1, 2, 5, 9))).toEqual({
      cuts: [1],
      bands: ['low', 'high'],
    });
    expect(bandCuts(Float64Array.of(4, 4, 4))).toEqual({ cuts: [], bands: ['mid'] });
  });

  it('recommends cross-category items to the narrow-but-frequent and repeat items to the broad-but-rare', () => {
    expect(GRID_ACTIONS.high.low).toBe('cross_category');
    expect(GRID_ACTIONS.low.high).toBe('repeat_items');
    const freq = Float64Array.of(1, 2, 3, 10, 11, 12, 30, 31, 32);
    const breadth = Float64Array.of(9, 8, 1, 2, 5, 9, 1, 2, 9);
    const sales = Float64Array.of(1, 1, 1, 1, 1, 1, 1, 1, 2);
    const segs = ['seg_01', 'seg_02', 'seg_01', 'seg_01', 'seg_02', 'seg_02', 'seg_01', 'seg_01', 'seg_02'];
    const { grid, frequencyBand, breadthBand } = growthGrid(freq, breadth, sales, segs);
    expect(grid.frequency.cuts).toEqual([3, 12]);
    expect(grid.breadth.cuts).toEqual([2, 8]);
    expect(frequencyBand[6]).toBe('high');
    expect(breadthBand[6]).toBe('low');
    const cell = (f: string, b: string) =>
      grid.cells.find((c) => c.frequencyBand === f && c.breadthBand === b)!;
    expect(cell('high', 'low')).toMatchObject({
      members: 2,
      action: 'cross_category',
      bySegment: { seg_01: 2 },
    });
    expect(cell('low', 'high')).toMatchObject({
      members: 1,
      action: 'repeat_items',
      bySegment: { seg_01: 1 },
    });
    expect(cell('high', 'high')).toMatchObject({ members: 1, action: 'retain', salesShare: 0.2 });
    expect(grid.cells.reduce((a, c) => a + c.members, 0)).toBe(9);
  });
});
