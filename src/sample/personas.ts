/**
 * Compiles `personas.json` into typed-array lookup tables the hot loops read: category and product
 * choice per calendar month, day-of-week and hour profiles, demographics, interests, text needs.
 */
import { AGE_BANDS } from '../schema/index.ts';
import type { Catalog } from './catalog.ts';
import { REGIONS } from './catalog.ts';
import type { PersonaConfig, SampleConfig } from './config.ts';
import { THEME_NEEDS } from './config.ts';
import { cumulative } from './rng.ts';

/** Stores open 9:00-23:00; online orders arrive around the clock with an evening peak. */
const STORE_OPEN = 9;
const STORE_CLOSE = 23;
const EC_HOURS = [
  0.3, 0.2, 0.1, 0.05, 0.05, 0.1, 0.3, 0.6, 0.8, 0.9, 1, 1, 1.1, 1, 0.9, 0.9, 1, 1.1, 1.3, 1.6, 2, 2.2, 1.8,
  0.9,
];
/** How strongly a persona's price tier shifts product choice within a leaf category. */
const TIER_STRENGTH = 3;

export const THEMES = Object.keys(THEME_NEEDS);
/** Age bands a persona can draw (everything but 'unknown'). */
export const KNOWN_AGE_BANDS = AGE_BANDS.filter((b) => b !== 'unknown');

export interface PersonaModel {
  readonly index: number;
  readonly id: string;
  readonly config: PersonaConfig;
  /** Base preference over all L2 (0 for appliance L2s, which are bought as separate events). */
  readonly l2Weights: Float64Array;
  /** Per calendar month: running sum over `catalog.products` for the choice of product inside an L2. */
  readonly productCum: readonly Float64Array[];
  /** Per calendar month: cumulative over `catalog.basketL2` (for shoppers without individual noise). */
  readonly l2Cum: readonly Float64Array[];
  readonly dowWeights: Float64Array;
  readonly dowMax: number;
  readonly storeHourCum: Float64Array;
  readonly ecHourCum: Float64Array;
  /** Cumulative over {@link KNOWN_AGE_BANDS}. */
  readonly ageCum: Float64Array;
  readonly regionCum: Float64Array;
  /** Cumulative over `catalog.applianceProducts`. */
  readonly applianceCum: Float64Array;
  /** Per interest category: probability of browsing it at all, and the mean extra visits. */
  readonly interestProb: Float64Array;
  readonly interestRate: Float64Array;
  readonly themeCum: Float64Array;
  /** Per theme (order of THEMES): weights over THEME_NEEDS[theme]. */
  readonly needWeights: readonly Float64Array[];
}

export interface PersonaSet {
  readonly models: readonly PersonaModel[];
  readonly memberShareCum: Float64Array;
  readonly universeShareCum: Float64Array;
  /** Cosine similarity of the personas' L2 preferences, row-major n x n. */
  readonly similarity: Float64Array;
  /** Expected visits of an interest among people who browse it (for window-shopper scaling). */
  readonly typicalVisits: Float64Array;
}

function hourCum(
  ranges: readonly (readonly [number, number, number])[],
  lo: number,
  hi: number,
): Float64Array {
  const w = new Float64Array(24);
  for (const [from, to, weight] of ranges) {
    for (let h = Math.max(from, lo); h < Math.min(to, hi); h++) w[h] = w[h]! + weight;
  }
  return cumulative(w);
}

function compile(p: PersonaConfig, index: number, config: SampleConfig, catalog: Catalog): PersonaModel {
  const base = config.personas.category_baseline;
  const l2Weights = new Float64Array(catalog.l2.length);
  const l3Mult = new Float64Array(catalog.l3.length).fill(1);
  catalog.l2.forEach((_, k) => {
    l2Weights[k] = catalog.isApplianceL2[k] ? 0 : base;
  });
  for (const [code, w] of Object.entries(p.categories)) {
    const k2 = catalog.l2ByCode.get(code);
    if (k2 !== undefined) {
      if (!catalog.isApplianceL2[k2]) l2Weights[k2] = w;
    } else l3Mult[catalog.l3ByCode.get(code)!] = w;
  }

  const productCum: Float64Array[] = [];
  const l2Cum: Float64Array[] = [];
  for (let month = 0; month < 12; month++) {
    const w = new Float64Array(catalog.products.length);
    catalog.products.forEach((prod, j) => {
      const tierW = p.price_tier[prod.tier]! * TIER_STRENGTH + 1 - TIER_STRENGTH / 3;
      w[j] = prod.pop * Math.max(0.05, tierW) * l3Mult[prod.l3]! * catalog.l3[prod.l3]!.season[month]!;
    });
    productCum.push(cumulative(w));
    l2Cum.push(
      cumulative(Array.from(catalog.basketL2, (k) => l2Weights[k]! * catalog.l2[k]!.season[month]!)),
    );
  }

  const applianceW = Array.from(catalog.applianceProducts, (j) => {
    const prod = catalog.products[j]!;
    const w = p.appliances.l3[catalog.l3[prod.l3]!.code] ?? 0.2;
    return w * prod.pop * Math.max(0.05, p.price_tier[prod.tier]! * TIER_STRENGTH + 1 - TIER_STRENGTH / 3);
  });

  const interestProb = Float64Array.from(config.interests.categories, (c) => p.interests[c.code] ?? c.base);
  const interestRate = Float64Array.from(interestProb, (prob) => 2 + 10 * prob);

  return {
    index,
    id: p.id,
    config: p,
    l2Weights,
    productCum,
    l2Cum,
    dowWeights: Float64Array.from(p.dow),
    dowMax: Math.max(...p.dow),
    storeHourCum: hourCum(p.hours, STORE_OPEN, STORE_CLOSE),
    ecHourCum: cumulative(
      Array.from(EC_HOURS, (w, h) => {
        const own = p.hours.reduce((s, [from, to, weight]) => (h >= from && h < to ? s + weight : s), 0);
        return w + own / 2;
      }),
    ),
    ageCum: cumulative(KNOWN_AGE_BANDS.map((b) => p.age[b] ?? 0)),
    regionCum: cumulative(REGIONS.map((r) => p.regions[r] ?? 0)),
    applianceCum: cumulative(applianceW),
    interestProb,
    interestRate,
    themeCum: cumulative(THEMES.map((t) => p.texts.themes[t] ?? 0)),
    needWeights: THEMES.map((t) => Float64Array.from(THEME_NEEDS[t]!, (need) => p.texts.needs[need] ?? 0.5)),
  };
}

export function buildPersonas(config: SampleConfig, catalog: Catalog): PersonaSet {
  const models = config.personas.personas.map((p, i) => compile(p, i, config, catalog));
  const n = models.length;
  const similarity = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      const wa = models[a]!.l2Weights;
      const wb = models[b]!.l2Weights;
      let dot = 0;
      let na = 0;
      let nb = 0;
      for (let k = 0; k < wa.length; k++) {
        dot += wa[k]! * wb[k]!;
        na += wa[k]! * wa[k]!;
        nb += wb[k]! * wb[k]!;
      }
      similarity[a * n + b] = dot / Math.sqrt(na * nb);
    }
  }
  const shares = config.personas.personas;
  const typicalVisits = Float64Array.from(config.interests.categories, (_, c) => {
    let num = 0;
    let den = 0;
    models.forEach((m, i) => {
      const w = shares[i]!.share_universe * m.interestProb[c]!;
      num += w * (1 + m.interestRate[c]!);
      den += w;
    });
    return den > 0 ? num / den : 1;
  });
  return {
    models,
    memberShareCum: cumulative(shares.map((p) => p.share_members)),
    universeShareCum: cumulative(shares.map((p) => p.share_universe)),
    similarity,
    typicalVisits,
  };
}
