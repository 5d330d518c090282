import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeMemberFeatures, type MemberFeatureMatrix } from '../../src/features/index.ts';
import { InsufficientDataError, InvalidInputError } from '../../src/schema/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { tempWorkspace } from '../helpers/workspace.ts';
import { insertLines, insertRows, PRODUCTS, TINY_LINES } from './tiny-workspace.ts';

const row = (m: MemberFeatureMatrix, id: string) => {
  const r = m.memberIds.indexOf(id);
  expect(r).toBeGreaterThanOrEqual(0);
  return Object.fromEntries(m.featureNames.map((n, c) => [n, m.values[r * m.cols + c]!]));
};

describe('computeMemberFeatures on a hand-made three-member workspace', () => {
  let ws: Workspace;
  let cleanup: () => void;
  beforeAll(async () => {
    ({ ws, cleanup } = await tempWorkspace());
    await insertRows(ws.db, 'products', PRODUCTS);
    await insertLines(ws.db, TINY_LINES);
  });
  afterAll(() => cleanup?.());

  it('computes every feature as checked by hand, only from lines before asOf', async () => {
    const m = await computeMemberFeatures(ws.db, { asOf: '2026-01-15', categoryLevel: 2 });
    // C bought only after asOf; the anonymous receipt R6 belongs to nobody.
    expect(m.memberIds).toEqual(['A', 'B']);
    expect(m.asOf).toBe('2026-01-15');
    expect(m.categories.map((c) => c.code)).toEqual(['F01', 'F02', 'H01']);
    expect(row(m, 'A')).toEqual({
      recency_days: 5, // last visit 2026-01-10
      frequency: 2, // R1, R2 (R3 only returns)
      monetary: 300, // 200 + 300 + 100 - 300
      avg_basket: 300, // 600 purchased / 2 visits
      items_per_receipt: 2, // 4 units / 2
      lines_per_receipt: 1.5, // 3 lines / 2
      category_breadth: 2,
      ec_share: 0.5,
      returns_rate: 0.5, // 300 returned / 600 purchased
      dow_mon: 0.5,
      dow_tue: 0,
      dow_wed: 0,
      dow_thu: 0,
      dow_fri: 0,
      dow_sat: 0.5,
      dow_sun: 0,
      tod_morning: 0.5,
      tod_afternoon: 0,
      tod_evening: 0.5,
      tod_night: 0,
      'cat:F01': 2 / 3,
      'cat:F02': 1 / 3,
      'cat:H01': 0,
    });
    expect(row(m, 'B')).toMatchObject({
      recency_days: 8,
      frequency: 1,
      monetary: 150,
      avg_basket: 150,
      items_per_receipt: 3,
      category_breadth: 1,
      dow_wed: 1,
      tod_night: 1,
      'cat:H01': 1,
    });
    expect(Array.from(m.sales)).toEqual([300, 150]);
    expect(m.featureKinds[m.featureNames.indexOf('monetary')]).toBe('log');
    expect(m.featureKinds[m.featureNames.indexOf('cat:F01')]).toBe('share');
  });

  it('defaults asOf to the day after the last line and uses level 1 when asked', async () => {
    const m = await computeMemberFeatures(ws.db, { categoryLevel: 1 });
    expect(m.asOf).toBe('2026-01-21');
    expect(m.memberIds).toEqual(['A', 'B', 'C']);
    expect(m.categories.map((c) => [c.code, c.name])).toEqual([
      ['F', '食品'],
      ['H', '日用品'],
    ]);
    expect(row(m, 'C')).toMatchObject({ recency_days: 1, frequency: 1, 'cat:F': 1 });
  });

  it('returns rows in the order of memberIds, with zero activity for members without purchases', async () => {
    const m = await computeMemberFeatures(ws.db, { asOf: '2026-01-15', memberIds: ['C', 'B', 'Z'] });
    expect(m.memberIds).toEqual(['C', 'B', 'Z']);
    // The window runs from the first line (2026-01-05) to asOf: 10 days, so "never" reads as 11.
    // Category columns come from the requested members' lines: only B's H01 here.
    expect(m.categories.map((c) => c.code)).toEqual(['H01']);
    expect(row(m, 'C')).toMatchObject({ recency_days: 11, frequency: 0, monetary: 0, 'cat:H01': 0 });
    expect(row(m, 'B')).toMatchObject({ frequency: 1, monetary: 150 });
    expect(Array.from(m.sales)).toEqual([0, 150, 0]);
  });

  it('pools rare categories into one column', async () => {
    const m = await computeMemberFeatures(ws.db, {
      asOf: '2026-01-15',
      categoryLevel: 2,
      minCategoryShare: 0.3,
    });
    // F01 has 2 of 4 purchase lines; F02 and H01 one each (0.25 < 0.3).
    expect(m.categories.map((c) => c.feature)).toEqual(['cat:F01', 'cat:(other)']);
    expect(row(m, 'A')['cat:(other)']).toBeCloseTo(1 / 3, 12);
  });

  it('rejects an as-of date before all data, a malformed date and a bad level', async () => {
    await expect(computeMemberFeatures(ws.db, { asOf: '2025-12-31' })).rejects.toThrow(InsufficientDataError);
    await expect(computeMemberFeatures(ws.db, { asOf: '2025-12-31' })).rejects.toThrow(
      'no member transactions before asOf 2025-12-31: the data starts on 2026-01-05',
    );
    await expect(computeMemberFeatures(ws.db, { asOf: '2026-02-30' })).rejects.toThrow(InvalidInputError);
    await expect(computeMemberFeatures(ws.db, { categoryLevel: 4 as 1 })).rejects.toThrow(
      'categoryLevel must be 1, 2 or 3',
    );
  });

  it('leaves no scratch tables behind', async () => {
    await computeMemberFeatures(ws.db, {});
    const temps = await ws.db.rows(`SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '_mf_%'`);
    expect(temps).toEqual([]);
  });
});

describe('computeMemberFeatures on an empty workspace', () => {
  it('says there is nothing to compute', async () => {
    const { ws, cleanup } = await tempWorkspace();
    try {
      await expect(computeMemberFeatures(ws.db)).rejects.toThrow(
        'the workspace has no member transactions; import transactions with member ids first',
      );
    } finally {
      cleanup();
    }
  });
});
