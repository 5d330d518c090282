/**
 * Everything the table writers share: resolved options, the calendar, the catalog, compiled
 * personas and interest lookups, and the named random streams.
 */
import { buildCalendar, type Calendar } from './calendar.ts';
import { buildCatalog, type Catalog } from './catalog.ts';
import type { SampleConfig } from './config.ts';
import { idWidth } from './ids.ts';
import { buildPersonas, type PersonaSet } from './personas.ts';
import { cumulative, type Rng, streamId } from './rng.ts';

/** One named stream per concern: adding draws to one never shifts another. */
export const STREAMS = {
  memberPersona: streamId('member-persona'),
  memberDemo: streamId('member-demographics'),
  memberTraits: streamId('member-traits'),
  links: streamId('links'),
  linkMeta: streamId('link-meta'),
  tpAssign: streamId('tp-assign'),
  transactions: streamId('transactions'),
  anonymous: streamId('anonymous-receipts'),
  tpPersona: streamId('tp-persona'),
  tpProfile: streamId('tp-profile'),
  interests: streamId('interests'),
  searches: streamId('searches'),
  site: streamId('site-visits'),
  texts: streamId('texts'),
  truth: streamId('truth'),
} as const;

export interface InterestLookup {
  readonly codes: readonly string[];
  /** Product L2 indices related to each interest. */
  readonly relatedL2: readonly Int32Array[];
  /** Whether an interest maps to any appliance L2 (window shopping it suppresses appliance buying). */
  readonly touchesAppliances: Uint8Array;
  /** Whether the retailer sells anything for the interest (its window shoppers browse the retailer's site). */
  readonly sold: Uint8Array;
  readonly windowRate: number;
  readonly windowCats: Int32Array;
  readonly windowCum: Float64Array;
  readonly windowMultiplier: readonly [number, number];
  readonly buyFactor: number;
}

export interface GenContext {
  readonly seed: number;
  readonly members: number;
  readonly universe: number;
  readonly cal: Calendar;
  readonly config: SampleConfig;
  readonly catalog: Catalog;
  readonly personas: PersonaSet;
  readonly interests: InterestLookup;
  /** Cumulative store weights within each region (over `catalog.storesByRegion[r]`). */
  readonly regionStoreCum: readonly Float64Array[];
  /** Cumulative population over prefectures of each region, and nationwide. */
  readonly regionPrefs: readonly Int32Array[];
  readonly regionPrefCum: readonly Float64Array[];
  readonly nationalPrefCum: Float64Array;
  readonly widths: { member: number; tp: number };
}

export function buildContext(
  config: SampleConfig,
  o: { seed: number; members: number; universe: number; months: number; startDate: string },
): GenContext {
  const cal = buildCalendar(o.startDate, o.months);
  const catalog = buildCatalog(config, o.seed);
  const personas = buildPersonas(config, catalog);
  const cats = config.interests.categories;
  const codes = cats.map((c) => c.code);
  const relatedL2 = cats.map((c) => Int32Array.from(c.related_l2, (code) => catalog.l2ByCode.get(code)!));
  const w = config.interests.window;
  const windowCodes = Object.keys(w.categories);
  const regionPrefs = [0, 1, 2].map((r) =>
    Int32Array.from(catalog.prefectures.flatMap((_, i) => (catalog.prefRegion[i] === r ? [i] : []))),
  );
  return {
    seed: o.seed,
    members: o.members,
    universe: o.universe,
    cal,
    config,
    catalog,
    personas,
    interests: {
      codes,
      relatedL2,
      touchesAppliances: Uint8Array.from(relatedL2, (ks) =>
        ks.some((k) => catalog.isApplianceL2[k]) ? 1 : 0,
      ),
      sold: Uint8Array.from(relatedL2, (ks) => (ks.length > 0 ? 1 : 0)),
      windowRate: w.rate,
      windowCats: Int32Array.from(windowCodes, (code) => codes.indexOf(code)),
      windowCum: cumulative(windowCodes.map((code) => w.categories[code]!)),
      windowMultiplier: w.multiplier,
      buyFactor: w.buy_factor,
    },
    regionStoreCum: catalog.storesByRegion.map((ids) =>
      cumulative(Array.from(ids, (s) => catalog.stores[s]!.weight)),
    ),
    regionPrefs,
    regionPrefCum: regionPrefs.map((ids) => cumulative(Array.from(ids, (p) => catalog.prefPopulation[p]!))),
    nationalPrefCum: cumulative(catalog.prefPopulation),
    widths: { member: idWidth(o.members, 7), tp: idWidth(o.universe, 7) },
  };
}

/** The window-shopping trait, drawn independently of persona: an interest index, or -1. */
export function drawWindow(ctx: GenContext, rng: Rng): number {
  if (!rng.chance(ctx.interests.windowRate)) return -1;
  return ctx.interests.windowCats[rng.pickCumulative(ctx.interests.windowCum)]!;
}
