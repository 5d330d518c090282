/**
 * Item columns of a members-universe model leave out the products a purchase seed is defined by
 * (by ID, name or category), and keep every other product bought by enough members.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withItemColumns } from '../../src/lookalike/item-columns.ts';
import { seedProductIds } from '../../src/lookalike/seeds.ts';
import { memberTable } from '../../src/lookalike/universe.ts';
import type { Workspace } from '../../src/store/index.ts';
import { insertLines, insertRows, PRODUCTS, TINY_LINES } from '../features/tiny-workspace.ts';
import { tempWorkspace } from '../helpers/workspace.ts';

describe('item columns without the seed products', () => {
  let ws: Workspace;
  let cleanup: () => void;
  beforeAll(async () => {
    ({ ws, cleanup } = await tempWorkspace());
    await insertRows(ws.db, 'products', PRODUCTS);
    await insertLines(ws.db, TINY_LINES);
    await insertRows(
      ws.db,
      'members',
      ['A', 'B', 'C'].map((member_id) => ({ member_id })),
    );
  });
  afterAll(() => cleanup?.());

  it('names the products a purchase seed matches by name, ID or category, and none for other seeds', async () => {
    expect(await seedProductIds(ws.db, { kind: 'purchase', nameContains: 'ワイン' })).toEqual(['P2']);
    expect(await seedProductIds(ws.db, { kind: 'purchase', productIds: ['P3'] })).toEqual(['P3']);
    expect(await seedProductIds(ws.db, { kind: 'purchase', categories: ['F'] })).toEqual(['P1', 'P2']);
    expect(
      await seedProductIds(ws.db, { kind: 'purchase', nameContains: '洗剤', productIds: ['P1'] }),
    ).toEqual(['P1', 'P3']);
    expect(await seedProductIds(ws.db, { kind: 'members', memberIds: ['A'] })).toEqual([]);
  });

  it('drops the seed products from the vocabulary and keeps the rest as receipt counts', async () => {
    const base = await memberTable(ws.db, { asOf: '2026-02-01' });
    const items = { size: 10, minBuyers: 1 };
    const all = await withItemColumns(ws.db, base, items, { kind: 'members', memberIds: ['A'] }, base.ids);
    expect(all.names.filter((n) => n.startsWith('item:')).sort()).toEqual(['item:P1', 'item:P2', 'item:P3']);
    const t = await withItemColumns(
      ws.db,
      base,
      items,
      { kind: 'purchase', nameContains: 'ワイン' },
      base.ids,
    );
    expect(t.names.filter((n) => n.startsWith('item:')).sort()).toEqual(['item:P1', 'item:P3']);
    const w = t.names.length;
    const p1 = t.names.indexOf('item:P1');
    // A bought P1 on two receipts (R1, R2), C on one (R5), B never.
    expect(['A', 'B', 'C'].map((id) => t.values[t.index.get(id)! * w + p1])).toEqual([2, 0, 1]);
  });
});
