/**
 * The product master and store master built from `product-tree.json` and `stores.json`:
 * deterministic product names and yen prices, category indices, seasonality, and geography.
 */
import type { L1Config, L3Config, Region, SampleConfig } from './config.ts';
import { makeId } from './ids.ts';
import { Rng, streamId } from './rng.ts';

export interface CategoryNode {
  readonly code: string;
  readonly name: string;
  readonly parent: number;
  /** Jan..Dec demand multipliers (inherited from the parent when not given). */
  readonly season: Float64Array;
}

export interface Product {
  readonly id: string;
  readonly name: string;
  readonly l1: number;
  readonly l2: number;
  readonly l3: number;
  readonly price: number;
  /** 0 budget, 1 standard, 2 premium: price tertile within the L3. */
  readonly tier: number;
  /** Relative popularity inside the L3 (Zipf-like). */
  readonly pop: number;
}

export interface Store {
  readonly id: string;
  readonly name: string;
  /** Empty for the EC store. */
  readonly prefecture: string;
  readonly region: number;
  readonly weight: number;
}

export const REGIONS: readonly Region[] = ['kanto', 'kansai', 'other'];

export interface Catalog {
  readonly l1: readonly (CategoryNode & { appliance: boolean })[];
  readonly l2: readonly CategoryNode[];
  readonly l3: readonly CategoryNode[];
  readonly l2ByCode: ReadonlyMap<string, number>;
  readonly l3ByCode: ReadonlyMap<string, number>;
  /** Products ordered by L2 (then L3); `l2Start[k]..l2Start[k+1]` are L2 k's products. */
  readonly products: readonly Product[];
  readonly l2Start: Int32Array;
  readonly isApplianceL2: Uint8Array;
  /** L2 indices that regular baskets draw from (appliances are separate, rare events). */
  readonly basketL2: Int32Array;
  /** Product indices of all appliances. */
  readonly applianceProducts: Int32Array;
  /** Jan..Dec multipliers for appliance purchases (bonus season, new-life season). */
  readonly applianceSeason: Float64Array;
  readonly stores: readonly Store[];
  /** Index of the EC store in `stores` (the last one). */
  readonly ecStore: number;
  /** Physical store indices per region. */
  readonly storesByRegion: readonly Int32Array[];
  readonly prefectures: readonly string[];
  readonly prefRegion: Uint8Array;
  readonly prefPopulation: Float64Array;
}

const ONES = new Float64Array(12).fill(1);

function season(values: number[] | undefined, fallback: Float64Array): Float64Array {
  return values && values.length === 12 ? Float64Array.from(values) : fallback;
}

/** Rounds to a shelf price: 98/198/1,980/12,800 style, as Japanese retail prices are. */
export function shelfPrice(yen: number): number {
  if (yen < 1000) return Math.max(58, Math.round(yen / 10) * 10 - 2);
  if (yen < 10_000) return Math.round(yen / 100) * 100 - 20;
  return Math.round(yen / 1000) * 1000 - 200;
}

/**
 * The products of one L3 leaf: a shuffled pick of prefix × item × size names, priced within the
 * leaf's range (bigger sizes cost more), with popularity by position and a price tier by rank.
 */
function leafProducts(rng: Rng, c1: L1Config, c3: L3Config) {
  const combos: [string, number, string][] = [];
  for (const prefix of c3.prefixes) {
    for (const item of c3.items) for (let si = 0; si < c3.sizes.length; si++) combos.push([prefix, si, item]);
  }
  for (let i = combos.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [combos[i], combos[j]] = [combos[j]!, combos[i]!];
  }
  const n = Math.min(c3.n ?? c1.n, combos.length);
  const [lo, hi] = c3.price;
  const leaf: { name: string; price: number; pop: number }[] = [];
  for (let k = 0; k < n; k++) {
    const [prefix, si, item] = combos[k]!;
    const sizeRank = c3.sizes.length > 1 ? si / (c3.sizes.length - 1) : 0.5;
    const u = 0.55 * sizeRank + 0.45 * rng.float();
    const price = Math.min(hi, Math.max(lo, shelfPrice(lo * (hi / lo) ** u)));
    leaf.push({ name: `${prefix}${c1.sep}${item} ${c3.sizes[si]}`, price, pop: 1 / (k + 1) ** 0.8 });
  }
  const byPrice = leaf.map((_, k) => k).sort((a, b) => leaf[a]!.price - leaf[b]!.price || a - b);
  const tier = new Array<number>(n);
  byPrice.forEach((k, rank) => {
    tier[k] = Math.min(2, Math.floor((3 * rank) / n));
  });
  return { leaf, tier };
}

/** The stores with their region, the EC store last, and store indices by region. */
function buildStores(config: SampleConfig) {
  const prefectures = config.stores.prefectures.map((p) => p[0]);
  const prefIndex = new Map(prefectures.map((name, i) => [name, i]));
  const prefRegion = Uint8Array.from(config.stores.prefectures, (p) => REGIONS.indexOf(p[2]));
  const stores: Store[] = config.stores.stores.map(([id, name, prefecture, weight]) => ({
    id,
    name,
    prefecture,
    region: prefRegion[prefIndex.get(prefecture)!]!,
    weight,
  }));
  stores.push({
    id: config.stores.ec.id,
    name: config.stores.ec.name,
    prefecture: '',
    region: -1,
    weight: 0,
  });
  const storesByRegion = REGIONS.map((_, r) =>
    Int32Array.from(
      stores.flatMap((s, i) => (s.region === r ? [i] : [])),
      (x) => x,
    ),
  );
  return { stores, storesByRegion, prefectures, prefRegion };
}

export function buildCatalog(config: SampleConfig, seed: number): Catalog {
  const rng = new Rng(seed, streamId('catalog'));
  const l1: (CategoryNode & { appliance: boolean })[] = [];
  const l2: CategoryNode[] = [];
  const l3: CategoryNode[] = [];
  const products: Product[] = [];
  const l2Start: number[] = [];
  const isAppliance: number[] = [];
  let applianceSeason: Float64Array = ONES;
  for (const c1 of config.tree.l1) {
    const s1 = season(c1.season, ONES);
    const i1 =
      l1.push({ code: c1.code, name: c1.name, parent: -1, season: s1, appliance: c1.appliance === true }) - 1;
    if (c1.appliance) applianceSeason = s1;
    for (const c2 of c1.l2) {
      const s2 = season(c2.season, s1);
      const i2 = l2.push({ code: c2.code, name: c2.name, parent: i1, season: s2 }) - 1;
      l2Start.push(products.length);
      isAppliance.push(c1.appliance ? 1 : 0);
      for (const c3 of c2.l3) {
        const i3 = l3.push({ code: c3.code, name: c3.name, parent: i2, season: season(c3.season, ONES) }) - 1;
        // Each L3 draws from its own sub-stream, so editing one leaf never renames another's products.
        rng.reseed(seed, streamId('catalog'), i3);
        const { leaf, tier } = leafProducts(rng, c1, c3);
        leaf.forEach((p, k) => {
          products.push({
            id: '',
            name: p.name,
            l1: i1,
            l2: i2,
            l3: i3,
            price: p.price,
            tier: tier[k]!,
            pop: p.pop,
          });
        });
      }
    }
  }
  l2Start.push(products.length);
  const width = Math.max(5, String(products.length).length);
  const numbered = products.map((p, i) => ({ ...p, id: makeId('P', i + 1, width) }));

  const { stores, storesByRegion, prefectures, prefRegion } = buildStores(config);

  const applianceProducts: number[] = [];
  numbered.forEach((p, i) => {
    if (isAppliance[p.l2]) applianceProducts.push(i);
  });
  const basketL2: number[] = [];
  isAppliance.forEach((a, k) => {
    if (!a) basketL2.push(k);
  });

  return {
    l1,
    l2,
    l3,
    l2ByCode: new Map(l2.map((n, i) => [n.code, i])),
    l3ByCode: new Map(l3.map((n, i) => [n.code, i])),
    products: numbered,
    l2Start: Int32Array.from(l2Start),
    isApplianceL2: Uint8Array.from(isAppliance),
    basketL2: Int32Array.from(basketL2),
    applianceProducts: Int32Array.from(applianceProducts),
    applianceSeason,
    stores,
    ecStore: stores.length - 1,
    storesByRegion,
    prefectures,
    prefRegion,
    prefPopulation: Float64Array.from(config.stores.prefectures, (p) => p[1]),
  };
}
