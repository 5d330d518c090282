/**
 * Item columns of a members-universe model: the most-bought products as of the table's window,
 * minus the products the seed is defined by, minus products too few universe members bought.
 * A seed product's column restates the seed (every seed member has it), so it separates the
 * seed perfectly and ranks no one; members who bought and returned it (not in a purchase seed,
 * whose net spend must be positive) would otherwise top the ranking on that column alone.
 */
import { productVocabulary } from '../features/product-signals.ts';
import type { SqlRunner } from '../store/index.ts';
import { seedProductIds } from './seeds.ts';
import type { ItemSignalOptions, SeedSpec } from './types.ts';
import { addItemColumns, dropUnsupportedItems, type MemberTable } from './universe.ts';

/** `table` with item columns appended (see the file comment for which products). */
export async function withItemColumns(
  db: SqlRunner,
  table: MemberTable,
  items: Required<Pick<ItemSignalOptions, 'size' | 'minBuyers'>> & Pick<ItemSignalOptions, 'halfLifeDays'>,
  seed: SeedSpec,
  universeIds: readonly string[],
): Promise<MemberTable> {
  const vocab = await productVocabulary(
    db,
    { asOf: table.asOf, since: table.since ?? undefined },
    items.size,
    items.minBuyers,
  );
  const own = new Set(await seedProductIds(db, seed));
  const products = vocab.productIds.filter((p) => !own.has(p));
  const withItems = await addItemColumns(db, table, products, items.halfLifeDays);
  return dropUnsupportedItems(withItems, universeIds, items.minBuyers);
}
