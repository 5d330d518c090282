/**
 * Purchase ladders on a hand-made workspace whose every class, day count and cut is worked out by
 * hand in the comments (as of 2026-12-01 unless said).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CpmClassId,
  cpmClasses,
  cpmMovements,
  decileAnalysis,
  ladderMembers,
  purchaseHistory,
  rfmRanks,
} from '../../src/ladders/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { insertLines, insertRows, type Line, PRODUCTS } from '../features/tiny-workspace.ts';
import { tempWorkspace } from '../helpers/workspace.ts';

const line = (
  receipt: string,
  member: string | null,
  day: string,
  qty: number,
  price: number,
  product = 'P1',
): Line => ({
  receipt,
  member,
  ts: `${day} 12:00:00`,
  product,
  qty,
  price,
});

const LINES: Line[] = [
  line('R01', 'first_a', '2026-11-01', 1, 500), // one purchase, 30 days ago
  line('R02', 'first_l', '2026-03-01', 1, 800), // one purchase, 275 days ago
  line('R03', 'tod_a', '2026-10-01', 1, 100),
  line('R04', 'tod_a', '2026-11-15', 1, 100, 'P2'), // tenure 45
  line('R05', 'steady_a', '2026-01-10', 1, 100),
  line('R06', 'steady_a', '2026-11-20', 2, 100, 'P3'), // tenure 314, spend 300
  line('R07', 'trendy_a', '2026-06-01', 1, 700, 'P2'),
  line('R08', 'trendy_a', '2026-11-01', 1, 800, 'P2'), // tenure 153, spend 1500
  line('R09', 'loyal_a', '2026-01-01', 1, 1000),
  line('R10', 'loyal_a', '2026-06-15', 1, 500, 'P2'),
  line('R11', 'loyal_a', '2026-11-25', 1, 500, 'P3'), // tenure 328, spend 2000, 3 purchases
  line('R12', 'loyal_l', '2025-01-01', 1, 3000),
  line('R13', 'loyal_l', '2026-03-01', 1, 2000, 'P2'), // tenure 424, spend 5000, 275 days ago
  line('R14', 'ret', '2026-01-01', 1, 1200),
  line('R15', 'ret', '2026-11-01', 1, 100),
  line('R16', 'ret', '2026-11-10', -1, 400), // a receipt of returns only: not a purchase; spend 900
  line('R17', 'returns_only', '2026-05-01', -1, 100),
  line('R18', 'edge240', '2026-02-01', 1, 100),
  line('R19', 'edge240', '2026-04-05', 1, 100), // exactly 240 days ago: lapsed; tenure 63
  line('R20', 'tenure90', '2026-08-01', 1, 100),
  line('R21', 'tenure90', '2026-10-30', 1, 100), // tenure exactly 90: not よちよち
  line('R22', 'future', '2026-12-01', 1, 100), // on the as-of day: not seen
  line('R23', null, '2026-11-01', 1, 100),
];

const EXPECTED: Record<string, CpmClassId> = {
  first_a: 'first_active',
  first_l: 'first_lapsed',
  tod_a: 'toddler_active',
  steady_a: 'steady_active',
  trendy_a: 'trendy_active',
  loyal_a: 'loyal_active',
  loyal_l: 'loyal_lapsed',
  ret: 'steady_active',
  edge240: 'toddler_lapsed',
  tenure90: 'steady_active',
};

let ws: Workspace;
let cleanup: () => void;
beforeAll(async () => {
  const t = await tempWorkspace();
  ws = t.ws;
  cleanup = t.cleanup;
  await insertRows(ws.db, 'products', PRODUCTS);
  await insertLines(ws.db, LINES);
  await insertRows(ws.db, 'id_links', [
    { member_id: 'loyal_a', tp_id: 'tp_1', source: 'login', confidence: 1 },
    { member_id: 'loyal_a', tp_id: 'tp_2', source: 'login', confidence: 1 },
    { member_id: 'first_a', tp_id: 'tp_3', source: 'login', confidence: 1 },
  ]);
});
afterAll(() => cleanup?.());

const byMember = async (asOf: string, thresholds: Parameters<typeof cpmClasses>[2]) => {
  const r = await cpmClasses(ws.db, { asOf }, thresholds);
  return { r, map: Object.fromEntries(r.history.memberIds.map((m, i) => [m, r.assigned[i]!])) };
};

describe('purchase history', () => {
  it('counts receipts with a sale as purchases, nets returns into spend, and sees only days before asOf', async () => {
    const h = await purchaseHistory(ws.db, { asOf: '2026-12-01' });
    const row = (id: string) => {
      const i = h.memberIds.indexOf(id);
      return {
        p: h.purchases[i],
        t: h.tenureDays[i],
        r: h.recencyDays[i],
        s: h.spend[i],
        c: h.categories[i],
      };
    };
    expect(h.memberIds).toEqual(Object.keys(EXPECTED).sort());
    expect(row('ret')).toEqual({ p: 2, t: 304, r: 30, s: 900, c: 1 });
    expect(row('tod_a')).toEqual({ p: 2, t: 45, r: 16, s: 200, c: 2 });
    expect(row('loyal_a')).toEqual({ p: 3, t: 328, r: 6, s: 2000, c: 3 });
  });
});

describe('CPM classes', () => {
  it('places every customer by the published rules with a given spend threshold', async () => {
    const { r, map } = await byMember('2026-12-01', { spend: 1000 });
    expect(map).toEqual(EXPECTED);
    expect(r.thresholds.lapseDays).toMatchObject({ value: 240, source: 'published' });
    expect(r.thresholds.tenureDays).toMatchObject({ value: [90, 210], source: 'published' });
    expect(r.thresholds.spend).toMatchObject({ value: 1000, source: 'user' });
    const loyal = r.classes.find((c) => c.id === 'loyal_active')!;
    expect(loyal).toMatchObject({
      ja: '優良・現役',
      members: 1,
      sales: 2000,
      avgPurchases: 3,
      avgTenureDays: 328,
    });
    const steady = r.classes.find((c) => c.id === 'steady_active')!;
    expect(steady.members).toBe(3);
    expect(steady.sales).toBe(300 + 900 + 200);
    expect(steady.memberShare).toBeCloseTo(3 / 10, 12);
    expect(steady.salesShare).toBeCloseTo(1400 / 11_600, 12);
    expect(r.classes.reduce((s, c) => s + c.members, 0)).toBe(10);
  });

  it('reads thresholds from the data: spend at the top fifth of repeaters, lapse at 90% of repurchase gaps', async () => {
    // Repeat spends 200,200,200,300,900,1500,2000,5000: the value at ceil(0.8 x 8) = 7th is 2000.
    // Gaps 45,63,90,153,163,165,304,314,424: the value at ceil(0.9 x 9) = 9th is 424.
    const { r, map } = await byMember('2026-12-01', { spend: 'auto', lapseDays: 'auto', tenureDays: 'auto' });
    expect(r.thresholds.spend).toMatchObject({ value: 2000, source: 'data' });
    expect(r.thresholds.lapseDays).toMatchObject({ value: 424, source: 'data' });
    // 90 and 210 scaled by 424 / 240.
    expect(r.thresholds.tenureDays.value).toEqual([159, 371]);
    expect(r.thresholds.spend.explanation.ja).toContain('上位20%');
    expect(map).toMatchObject({
      trendy_a: 'toddler_active', // tenure 153 < 159
      loyal_a: 'trendy_active', // spend 2000 reaches 2000, tenure 328 < 371
      loyal_l: 'loyal_active', // 275 days < 424; tenure 424 >= 371
      edge240: 'toddler_active',
      steady_a: 'steady_active', // tenure 314, spend 300 < 2000
    });
  });

  it('refuses thresholds that cannot work, naming the field', async () => {
    await expect(cpmClasses(ws.db, { asOf: '2026-12-01' }, { tenureDays: [210, 90] })).rejects.toMatchObject({
      field: 'thresholds.tenureDays',
    });
    await expect(cpmClasses(ws.db, { asOf: '2026-12-01' }, { spend: -5 })).rejects.toThrow(
      'thresholds.spend must be a number above 0, got -5',
    );
    await expect(cpmClasses(ws.db, { asOf: '2024-01-01' })).rejects.toThrow(
      'no member bought anything before 2024-01-01',
    );
  });

  it('gives each class the growth-grid action most of its members need', async () => {
    const { gridByClass } = await import('../../src/ladders/index.ts');
    const { r } = await byMember('2026-12-01', { spend: 1000 });
    const { byClass } = gridByClass(r.history, r.assigned);
    for (const c of byClass) {
      const members = r.assigned.filter((a) => a === c.id).length;
      expect(c.members, c.id).toBe(members);
      expect(c.cells.reduce((s, x) => s + x.members, 0)).toBe(members);
      if (members) expect(c.mainAction!.share).toBeGreaterThan(0);
      else expect(c.mainAction).toBeNull();
    }
  });
});

describe('CPM movements', () => {
  it('compares each member between two days under the first day thresholds', async () => {
    const m = await cpmMovements(ws.db, { from: '2026-06-01', to: '2026-12-01' }, { spend: 1000 });
    const cell = (from: string, to: string) => m.cells.find((c) => c.from === from && c.to === to);
    expect(cell('none', 'first_active')).toMatchObject({ members: 1, kind: 'new' });
    expect(cell('none', 'toddler_active')).toMatchObject({ members: 1, kind: 'new' });
    expect(cell('none', 'trendy_active')).toMatchObject({ members: 1, kind: 'new' });
    expect(cell('none', 'steady_active')).toMatchObject({ members: 1, kind: 'new' });
    expect(cell('first_active', 'first_lapsed')).toMatchObject({ members: 1, kind: 'lapsed' });
    expect(cell('first_active', 'steady_active')).toMatchObject({ members: 2, kind: 'up' }); // steady_a, ret
    expect(cell('first_active', 'loyal_active')).toMatchObject({ members: 1, kind: 'up' });
    expect(cell('loyal_active', 'loyal_lapsed')).toMatchObject({ members: 1, kind: 'lapsed' });
    expect(cell('toddler_active', 'toddler_lapsed')).toMatchObject({ members: 1, kind: 'lapsed' });
    expect(m.members).toBe(10);
    expect(Object.fromEntries(m.totals.map((t) => [t.kind, t.members]))).toEqual({
      new: 4,
      up: 3,
      down: 0,
      sideways: 0,
      lapsed: 3,
      reactivated: 0,
      stayed: 0,
    });
    // Shares are of the from-class: 4 first-time customers on 2026-06-01.
    expect(cell('first_active', 'steady_active')!.share).toBeCloseTo(2 / 4, 12);
  });

  it('refuses a to-day that is not after the from-day', async () => {
    await expect(cpmMovements(ws.db, { from: '2026-06-01', to: '2026-06-01' })).rejects.toMatchObject({
      field: 'to',
    });
  });
});

describe('RFM ranks', () => {
  it('ranks with given cut points, recency the other way round', async () => {
    const r = await rfmRanks(
      ws.db,
      { asOf: '2026-12-01' },
      { cuts: { r: [10, 30, 90, 240], f: [1, 2], m: [250, 1000] } },
    );
    const ranks = Object.fromEntries(
      r.history.memberIds.map((m, i) => [m, `${r.ranks.r[i]}${r.ranks.f[i]}${r.ranks.m[i]}`]),
    );
    expect(ranks).toEqual({
      first_a: '412', // 30 days, 1 purchase, 500
      first_l: '112', // 275 days, 1, 800
      tod_a: '421', // 16 days, 2, 200
      steady_a: '422', // 11 days, 2, 300
      trendy_a: '423', // 30, 2, 1500
      loyal_a: '533', // 6, 3, 2000
      loyal_l: '123', // 275, 2, 5000
      ret: '422', // 30, 2, 900
      edge240: '221', // 240, 2, 200
      tenure90: '321', // 32, 2, 200
    });
    expect(r.distribution.f).toEqual([2, 7, 1, 0, 0]);
    expect(r.cells.find((c) => c.score === '422')).toMatchObject({ members: 2 });
  });

  it('cuts at quintiles without splitting equal values', async () => {
    // Purchases sorted 1,1,2,2,2,2,2,2,2,3: quintile values 1,2,2,2; kept: 1 and 2.
    const r = await rfmRanks(ws.db, { asOf: '2026-12-01' });
    expect(r.cuts.f).toEqual({ cuts: [1, 2], source: 'data' });
    expect(r.distribution.f).toEqual([2, 7, 1, 0, 0]);
    await expect(rfmRanks(ws.db, { asOf: '2026-12-01' }, { cuts: { m: [5, 3] } })).rejects.toMatchObject({
      field: 'cuts.m',
    });
  });
});

describe('decile analysis', () => {
  it('refuses fewer than ten buying members', async () => {
    // Before 2026-06-01 only first_l, steady_a, loyal_a, loyal_l, ret and edge240 had bought.
    await expect(decileAnalysis(ws.db, { asOf: '2026-06-01' })).rejects.toThrow(
      'decile analysis needs at least 10 buying members in the window, found 6',
    );
  });
});

describe('ladder classes as people', () => {
  it('resolves CPM classes by label, stage or state, with linked third-party IDs', async () => {
    const seed = await ladderMembers(
      ws,
      { ladder: 'cpm', classes: ['優良・現役'], thresholds: { spend: 1000 } },
      '2026-12-01',
    );
    expect(seed.memberIds).toEqual(['loyal_a']);
    expect(seed.thirdPartyIds).toEqual(['tp_1', 'tp_2']);
    const active = await ladderMembers(
      ws,
      { ladder: 'cpm', classes: ['現役'], thresholds: { spend: 1000 } },
      '2026-12-01',
    );
    expect(active.memberIds).toEqual(
      Object.entries(EXPECTED)
        .filter(([, c]) => c.endsWith('_active'))
        .map(([m]) => m)
        .sort(),
    );
    const loyal = await ladderMembers(
      ws,
      { ladder: 'cpm', classes: ['loyal'], thresholds: { spend: 1000 } },
      '2026-12-01',
    );
    expect(loyal.memberIds).toEqual(['loyal_a', 'loyal_l']);
    await expect(ladderMembers(ws, { ladder: 'cpm', classes: ['VIP'] }, '2026-12-01')).rejects.toMatchObject({
      field: 'class.classes.0',
    });
  });

  it('resolves RFM ranges', async () => {
    const r = await ladderMembers(
      ws,
      { ladder: 'rfm', r: [4, 5], m: [3, 3], cuts: { r: [10, 30, 90, 240], f: [1, 2], m: [250, 1000] } },
      '2026-12-01',
    );
    expect(r.memberIds).toEqual(['loyal_a', 'trendy_a']);
  });
});

describe('deciles on twenty members', () => {
  let ws20: Workspace;
  let done: () => void;
  beforeAll(async () => {
    const t = await tempWorkspace();
    ws20 = t.ws;
    done = t.cleanup;
    await insertRows(ws20.db, 'products', PRODUCTS);
    // m01..m20 spend 100..2000; m21 ties m20 at 2000 and sorts after it by ID.
    const lines = Array.from({ length: 20 }, (_, i) =>
      line(`D${i}`, `m${String(i + 1).padStart(2, '0')}`, '2026-01-05', 1, (i + 1) * 100),
    );
    lines.push(line('D21', 'm21', '2026-01-05', 1, 2000));
    await insertLines(ws20.db, lines);
  });
  afterAll(() => done?.());

  it('cuts the ranking into ten groups with shares that add up', async () => {
    const d = await decileAnalysis(ws20.db, { asOf: '2026-02-01' });
    expect(d.members).toBe(21);
    const total = 21_000 + 2000;
    expect(d.totalSales).toBe(total);
    // 21 members: ranks 0-2 (floor(rank x 10 / 21) = 0) form decile 1: m20, m21 (2000 each), m19 (1900).
    expect(d.deciles[0]).toMatchObject({
      decile: 1,
      members: 3,
      sales: 5900,
      minSpend: 1900,
      maxSpend: 2000,
    });
    expect(d.deciles.reduce((s, x) => s + x.members, 0)).toBe(21);
    expect(d.deciles[9]!.cumulativeShare).toBeCloseTo(1, 12);
    expect(d.deciles[0]!.salesShare).toBeCloseTo(5900 / total, 12);
    const top = await ladderMembers(ws20, { ladder: 'decile', deciles: [1] }, '2026-02-01');
    expect(top.memberIds).toEqual(['m19', 'm20', 'm21']);
  });
});
