/**
 * Item columns of a members-universe model leave out the products a purchase seed is defined by
 * (by ID, name or category), keep every other product bought by enough members, and add the
 * products most over-represented among the seed's members.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withItemColumns } from '../../src/lookalike/item-columns.ts';
import { seedProductIds } from '../../src/lookalike/seeds.ts';
import type { SeedSpec } from '../../src/lookalike/types.ts';
import { memberTable } from '../../src/lookalike/universe.ts';
import type { Workspace } from '../../src/store/index.ts';
import { AS_OF, BUYERS, basketLines, SEED } from '../features/seed-baskets.ts';
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

describe('item columns with seed-associated products', () => {
  let ws: Workspace;
  let cleanup: () => void;
  beforeAll(async () => {
    ({ ws, cleanup } = await tempWorkspace());
    await insertRows(
      ws.db,
      'products',
      Object.keys(BUYERS).map((product_id) => ({ product_id, name: `商品${product_id}` })),
    );
    await insertLines(ws.db, basketLines());
    const members = [...new Set(Object.values(BUYERS).flat())];
    await insertRows(
      ws.db,
      'members',
      members.map((member_id) => ({ member_id })),
    );
  });
  afterAll(() => cleanup?.());

  /** The item columns of the most-bought product plus `associated` seed-associated ones. */
  async function itemColumns(associated: number, seed: SeedSpec) {
    const base = await memberTable(ws.db, { asOf: AS_OF });
    const others = base.ids.filter((id) => !SEED.includes(id));
    const items = { size: 1, minBuyers: 1, seedAssociated: associated };
    const t = await withItemColumns(ws.db, base, items, seed, others, SEED);
    return t.names.filter((n) => n.startsWith('item:'));
  }

  it('adds the most seed-associated products not already among the most-bought, in that order', async () => {
    const seed = { kind: 'members' as const, memberIds: SEED };
    // Most-bought: B (30 buyers). Associated among products with 20+ buyers: A, B, D.
    expect(await itemColumns(1, seed)).toEqual(['item:B', 'item:A']);
    expect(await itemColumns(5, seed)).toEqual(['item:B', 'item:A', 'item:D']);
    expect(await itemColumns(0, seed)).toEqual(['item:B']);
  });

  it("never adds the seed's own products", async () => {
    expect(await itemColumns(1, { kind: 'purchase', productIds: ['A'] })).toEqual(['item:B', 'item:D']);
  });
});
