/**
 * Item columns of a members-universe model: the most-bought products as of the table's window,
 * then the products most over-represented among the seed's members that are not among them,
 * minus the products the seed is defined by, minus products too few universe members bought.
 * A seed product's column restates the seed (every seed member has it), so it separates the
 * seed perfectly and ranks no one; members who bought and returned it (not in a purchase seed,
 * whose net spend must be positive) would otherwise top the ranking on that column alone.
 *
 * The seed-associated products (`ItemSignalOptions.seedAssociated`) carry what else the seed buys
 * when that is not popular enough to be among the most-bought. They are off by default: on UCI
 * Online Retail (docs/backtests.md) 50, 100 and 200 of them moved our lift@10% over the logistic
 * baseline by -0.007, +0.012 and -0.018 over 54 cases, inside the noise, not in one direction.
 */
import { productVocabulary, seedAssociatedProducts } from '../features/product-signals.ts';
import type { SqlRunner } from '../store/index.ts';
import { seedProductIds } from './seeds.ts';
import { dropTables, idTable } from './sql.ts';
import type { ItemSignalOptions, SeedSpec } from './types.ts';
import { addItemColumns, dropUnsupportedItems, type MemberTable } from './universe.ts';

/**
 * Fewest buyers for a seed-associated product: below it, one or two seed members who happened to
 * buy a rare product give it the highest over-representation of all.
 */
export const SEED_ASSOCIATED_MIN_BUYERS = 20;

/** Seed-associated products added by default (`ItemSignalOptions.seedAssociated`). */
export const SEED_ASSOCIATED_DEFAULT = 0;

type ItemColumnOptions = Required<Pick<ItemSignalOptions, 'size' | 'minBuyers'>> &
  Pick<ItemSignalOptions, 'halfLifeDays' | 'seedAssociated'>;

/** `table` with item columns appended (see the file comment for which products). */
export async function withItemColumns(
  db: SqlRunner,
  table: MemberTable,
  items: ItemColumnOptions,
  seed: SeedSpec,
  universeIds: readonly string[],
  seedIds: readonly string[] = [],
): Promise<MemberTable> {
  const window = { asOf: table.asOf, since: table.since ?? undefined };
  const vocab = await productVocabulary(db, window, items.size, items.minBuyers);
  const own = new Set(await seedProductIds(db, seed));
  const products = vocab.productIds.filter((p) => !own.has(p));
  const extra = items.seedAssociated ?? 0;
  if (extra > 0 && seedIds.length > 0) {
    const seedTable = await idTable(db, 'seedmembers', seedIds);
    try {
      const skip = new Set([...own, ...products]);
      const ranked = await seedAssociatedProducts(
        db,
        window,
        seedTable,
        extra + skip.size,
        Math.max(items.minBuyers, SEED_ASSOCIATED_MIN_BUYERS),
      );
      products.push(...ranked.filter((p) => !skip.has(p)).slice(0, extra));
    } finally {
      await dropTables(db, [seedTable]);
    }
  }
  const withItems = await addItemColumns(db, table, products, items.halfLifeDays);
  return dropUnsupportedItems(withItems, universeIds, items.minBuyers);
}
