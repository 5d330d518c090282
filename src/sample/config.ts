/**
 * Loads and checks the hand-written configs in `data/sample/`. The files are data, not code, so
 * every cross-reference (category codes, interest codes, need ids) is verified here once and the
 * generator can trust them afterwards.
 */
import { AGE_BANDS, InvalidInputError } from '../schema/index.ts';
import { nodeFiles } from '../store/node-files.ts';

export type Phrase = readonly [plain: string, polite: string];
export type Region = 'kanto' | 'kansai' | 'other';

export interface L3Config {
  code: string;
  name: string;
  price: [number, number];
  prefixes: string[];
  items: string[];
  sizes: string[];
  season?: number[];
  n?: number;
}
export interface L2Config {
  code: string;
  name: string;
  season?: number[];
  l3: L3Config[];
}
export interface L1Config {
  code: string;
  name: string;
  sep: string;
  n: number;
  appliance?: boolean;
  season?: number[];
  l2: L2Config[];
}
export interface ProductTreeConfig {
  l1: L1Config[];
}

export interface StoresConfig {
  prefectures: [name: string, populationMillions: number, region: Region][];
  stores: [id: string, name: string, prefecture: string, weight: number][];
  ec: { id: string; name: string };
}

export interface InterestConfig {
  code: string;
  name_ja: string;
  name_en: string;
  base: number;
  related_l2: string[];
}
export interface InterestsConfig {
  window: {
    rate: number;
    categories: Record<string, number>;
    multiplier: [number, number];
    buy_factor: number;
  };
  categories: InterestConfig[];
}

export interface PersonaConfig {
  id: string;
  name_ja: string;
  name_en: string;
  share_members: number;
  share_universe: number;
  link_rate: number;
  female: number;
  age: Partial<Record<(typeof AGE_BANDS)[number], number>>;
  regions: Record<Region, number>;
  visits: number;
  lines: number;
  multi_qty: number;
  ec_share: number;
  dow: number[];
  hours: [from: number, to: number, weight: number][];
  price_tier: [number, number, number];
  categories: Record<string, number>;
  appliances: { rate: number; l3: Record<string, number> };
  interests: Record<string, number>;
  site: { visit: number; buy: number; pages: number };
  texts: { rate: number; themes: Record<string, number>; needs: Record<string, number> };
}
export interface PersonasConfig {
  category_baseline: number;
  personas: PersonaConfig[];
}

export interface SearchPhrasesConfig {
  general: string[];
  personas: Record<string, string[]>;
  interests: Record<string, string[]>;
}

export interface NeedPhrases {
  met: Phrase[];
  unmet: Phrase[];
}
export interface ThemePhrases {
  products: string[];
  hashtags: string[];
  intros: Phrase[];
  needs: Record<string, NeedPhrases>;
}
export interface TextPhrasesConfig {
  openers: string[];
  closers: { positive: Phrase[]; negative: Phrase[] };
  emoji: { positive: string[]; negative: string[] };
  themes: Record<string, ThemePhrases>;
}

export interface SampleConfig {
  tree: ProductTreeConfig;
  stores: StoresConfig;
  interests: InterestsConfig;
  personas: PersonasConfig;
  searches: SearchPhrasesConfig;
  texts: TextPhrasesConfig;
}

/** The theme -> need ids contract shared with the needs layer's evaluation. */
export const THEME_NEEDS: Readonly<Record<string, readonly string[]>> = {
  convection_oven: ['time_saving', 'healthy', 'baking', 'space', 'cleaning', 'cost', 'taste'],
  rice_cooker: ['taste', 'time_saving', 'capacity', 'cleaning', 'cost', 'healthy', 'space'],
  frozen_food: ['time_saving', 'taste', 'cost', 'healthy', 'bento', 'storage'],
};

/** Markers the text composer inserts itself; a phrase containing one would corrupt the focus label. */
export const ADVERSATIVE_MARKERS = ['けど', 'のに', 'でも', 'ただ', 'しかし', 'が、'] as const;

const DEFAULT_DIR = new URL('../../data/sample/', import.meta.url);

function readJson<T>(dir: URL, file: string): T {
  return JSON.parse(nodeFiles.readTextSync(new URL(file, dir))) as T;
}

/** Reads the six config files from `dir` (default: the repository's `data/sample/`). */
export function loadSampleConfig(dir: URL = DEFAULT_DIR): SampleConfig {
  const config: SampleConfig = {
    tree: readJson(dir, 'product-tree.json'),
    stores: readJson(dir, 'stores.json'),
    interests: readJson(dir, 'interests.json'),
    personas: readJson(dir, 'personas.json'),
    searches: readJson(dir, 'search-phrases.json'),
    texts: readJson(dir, 'text-phrases.json'),
  };
  validateConfig(config);
  return config;
}

function fail(message: string, field: string): never {
  throw new InvalidInputError(`sample config: ${message}`, field);
}

export function validateConfig(c: SampleConfig): void {
  const l2Codes = new Set<string>();
  const l3Codes = new Set<string>();
  for (const l1 of c.tree.l1) {
    for (const l2 of l1.l2) {
      if (l2Codes.has(l2.code)) fail(`duplicate L2 code "${l2.code}"`, 'product-tree');
      l2Codes.add(l2.code);
      for (const l3 of l2.l3) {
        if (l3Codes.has(l3.code)) fail(`duplicate L3 code "${l3.code}"`, 'product-tree');
        l3Codes.add(l3.code);
        if (!(l3.price[0] > 0 && l3.price[1] >= l3.price[0]))
          fail(`bad price range on ${l3.code}`, 'product-tree');
        if (l3.items.length === 0 || l3.sizes.length === 0 || l3.prefixes.length === 0) {
          fail(`${l3.code} needs items, sizes and prefixes`, 'product-tree');
        }
      }
    }
  }
  const prefectures = new Set(c.stores.prefectures.map((p) => p[0]));
  for (const s of c.stores.stores) {
    if (!prefectures.has(s[2])) fail(`store ${s[0]} has unknown prefecture "${s[2]}"`, 'stores');
  }
  const interestCodes = new Set(c.interests.categories.map((i) => i.code));
  for (const i of c.interests.categories) {
    for (const code of i.related_l2) {
      if (!l2Codes.has(code)) fail(`interest ${i.code} maps to unknown L2 "${code}"`, 'interests');
    }
  }
  for (const code of Object.keys(c.interests.window.categories)) {
    if (!interestCodes.has(code)) fail(`unknown window category "${code}"`, 'interests');
  }
  const personas = c.personas.personas;
  if (personas.length === 0 || personas.length > 255)
    fail(`need 1-255 personas, got ${personas.length}`, 'personas');
  const ids = new Set<string>();
  const themes = new Set(Object.keys(THEME_NEEDS));
  for (const p of personas) {
    if (ids.has(p.id)) fail(`duplicate persona "${p.id}"`, 'personas');
    ids.add(p.id);
    if (p.dow.length !== 7) fail(`${p.id}.dow needs 7 weights, got ${p.dow.length}`, 'personas');
    for (const code of Object.keys(p.categories)) {
      if (!l2Codes.has(code) && !l3Codes.has(code))
        fail(`${p.id} weights unknown category "${code}"`, 'personas');
    }
    for (const code of Object.keys(p.appliances.l3)) {
      if (!l3Codes.has(code)) fail(`${p.id} weights unknown appliance "${code}"`, 'personas');
    }
    for (const code of Object.keys(p.interests)) {
      if (!interestCodes.has(code)) fail(`${p.id} uses unknown interest "${code}"`, 'personas');
    }
    for (const band of Object.keys(p.age)) {
      if (!(AGE_BANDS as readonly string[]).includes(band))
        fail(`${p.id} uses unknown age band "${band}"`, 'personas');
    }
    for (const t of Object.keys(p.texts.themes))
      if (!themes.has(t)) fail(`${p.id} uses unknown theme "${t}"`, 'personas');
    if (!c.searches.personas[p.id]?.length) fail(`no search phrases for persona "${p.id}"`, 'search-phrases');
    for (const [lo, hi] of p.hours) {
      if (!(lo >= 0 && hi <= 24 && lo < hi))
        fail(`${p.id}.hours range [${lo}, ${hi}) is invalid`, 'personas');
    }
  }
  for (const theme of themes) {
    const t = c.texts.themes[theme];
    if (!t) fail(`no phrases for theme "${theme}"`, 'text-phrases');
    for (const need of THEME_NEEDS[theme]!) {
      const n = t.needs[need];
      if (!n?.met.length || !n.unmet.length)
        fail(`${theme}.${need} needs met and unmet phrases`, 'text-phrases');
      for (const phrase of [...n.met, ...n.unmet]) {
        for (const form of phrase) {
          const marker = ADVERSATIVE_MARKERS.find((m) => form.includes(m));
          if (marker) fail(`phrase "${form}" contains the adversative marker "${marker}"`, 'text-phrases');
        }
      }
    }
  }
}
