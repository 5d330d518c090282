/**
 * Seed-associated products: ranked by the over-representation of seed members among their buyers,
 * checked against the z-score computed here from the same lines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productVocabulary, seedAssociatedProducts } from '../../src/features/product-signals.ts';
import { dropTables, idTable } from '../../src/lookalike/sql.ts';
import type { Workspace } from '../../src/store/index.ts';
import { tempWorkspace } from '../helpers/workspace.ts';
import { AS_OF, BUYERS, basketLines, SEED } from './seed-baskets.ts';
import { insertLines } from './tiny-workspace.ts';

/** The z-score of each product with at least `minBuyers` buyers, computed from BUYERS. */
function expectedOrder(minBuyers: number): string[] {
  const seed = new Set(SEED);
  const members = new Set(Object.values(BUYERS).flat());
  const s = [...members].filter((m) => seed.has(m)).length;
  const z = Object.entries(BUYERS)
    .filter(([, b]) => b.length >= minBuyers)
    .map(([p, b]) => {
      const e = (b.length * s) / members.size;
      return { p, z: (b.filter((m) => seed.has(m)).length - e) / Math.sqrt(e) };
    });
  return z.sort((x, y) => y.z - x.z || (x.p < y.p ? -1 : 1)).map((x) => x.p);
}

describe('seedAssociatedProducts', () => {
  let ws: Workspace;
  let cleanup: () => void;
  let seedTable: string;
  beforeAll(async () => {
    ({ ws, cleanup } = await tempWorkspace());
    await insertLines(ws.db, basketLines());
    seedTable = await idTable(ws.db, 'seed', SEED);
  });
  afterAll(async () => {
    await dropTables(ws.db, [seedTable]);
    cleanup?.();
  });

  it('ranks products by the z-score of their seed buyers, as computed independently', async () => {
    const got = await seedAssociatedProducts(ws.db, { asOf: AS_OF }, seedTable, 10, 5);
    expect(got).toEqual(expectedOrder(5));
    // A: every seed member and 10 others; D: no seed member at all.
    expect(got[0]).toBe('A');
    expect(got.at(-1)).toBe('D');
  });

  it('leaves out products with too few buyers and lines outside the window', async () => {
    const got = await seedAssociatedProducts(ws.db, { asOf: AS_OF }, seedTable, 10, 5);
    // C has 4 buyers; E has 5 before AS_OF (8 seed buyers with the later lines).
    expect(got).not.toContain('C');
    expect(got).toContain('E');
    expect(await seedAssociatedProducts(ws.db, { asOf: AS_OF }, seedTable, 10, 1)).toEqual(expectedOrder(1));
  });

  it('returns at most `limit` products, and none for an empty seed', async () => {
    expect(await seedAssociatedProducts(ws.db, { asOf: AS_OF }, seedTable, 2, 5)).toEqual(
      expectedOrder(5).slice(0, 2),
    );
    expect(await seedAssociatedProducts(ws.db, { asOf: AS_OF }, seedTable, 0, 5)).toEqual([]);
    const empty = await idTable(ws.db, 'none', []);
    expect(await seedAssociatedProducts(ws.db, { asOf: AS_OF }, empty, 10, 5)).toEqual([]);
    await dropTables(ws.db, [empty]);
  });

  it('is not the popularity ranking', async () => {
    const popular = await productVocabulary(ws.db, { asOf: AS_OF }, 10, 5);
    expect(popular.productIds[0]).toBe('B');
    expect(popular.productIds).not.toEqual(
      await seedAssociatedProducts(ws.db, { asOf: AS_OF }, seedTable, 10, 5),
    );
  });
});
