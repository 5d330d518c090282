/**
 * The feature spec is part of every model: the vocabularies and transforms that turn a profile
 * into a sparse row. DuckDB builds whole universes with the same rules (see `tp-matrix.ts`), and
 * the Worker vectorises a single posted profile with this file alone, so both produce the same
 * columns and values. Pure TypeScript: no Node, tfjs or DuckDB imports.
 */

import type { Csr } from '../features/csr.ts';
import { searchTerms } from '../features/search-terms.ts';

/** Third-party profiles: demographics one-hot, log1p browsing visits, search-term presence. */
export interface TpFeatureSpec {
  readonly kind: 'third_party';
  readonly version: 1;
  readonly genders: readonly string[];
  readonly ageBands: readonly string[];
  readonly regions: readonly string[];
  /** Interest category codes; the value is log1p(min(visits, visitCap)). */
  readonly interests: readonly string[];
  /** Search terms (see `searchTerms`) kept because enough of the universe used them. */
  readonly terms: readonly string[];
  readonly visitCap: number;
  /** Smallest number of people who searched a term for it to be a feature. */
  readonly minTermDf: number;
}

/** Prefix of item columns: `item:<product_id>` holds the member's receipts with that product. */
export const ITEM_PREFIX = 'item:';

/**
 * How item columns are weighted (see `fitMemberSpec`): 'binary' is 0/1 (bought or not), neither
 * centred nor scaled, so the L2 penalty treats every product alike; 'indicator' is 0/1
 * standardised; 'standardised' is log receipts standardised; 'tfidf' is log receipts times idf.
 */
export type ItemWeighting = 'binary' | 'tfidf' | 'indicator' | 'standardised';

/** Member purchase features (dense), standardised with the training universe's centre and scale. */
export interface MemberFeatureSpec {
  readonly kind: 'members';
  readonly version: 1;
  /** Base features, category shares, then item columns (`item:<product_id>`), if any. */
  readonly featureNames: readonly string[];
  /**
   * Per feature: 'log1p' compresses heavy-tailed counts and amounts (sign-preserving);
   * 'indicator' is 1 for any positive count.
   */
  readonly transforms: readonly ('log1p' | 'none' | 'indicator')[];
  readonly center: readonly number[];
  readonly scale: readonly number[];
  /** The training window of the raw features (scoring defaults to the same window). */
  readonly source: { readonly asOf: string; readonly since: string | null };
  /**
   * Present when the spec has item columns: how they were weighted, and the half-life (days) of
   * the receipt counts when recent receipts count more.
   */
  readonly items?: { readonly weighting: ItemWeighting; readonly halfLifeDays?: number };
}

export type FeatureSpec = TpFeatureSpec | MemberFeatureSpec;

/** A third-party profile as the API and the Worker receive it. */
export interface TpProfile {
  gender?: string | null;
  age_band?: string | null;
  region?: string | null;
  /** Visits per interest category code. */
  interests?: Readonly<Record<string, number>>;
  /** Search phrases, as typed. */
  searches?: readonly string[];
}

/** A member's raw purchase features by name (missing names count as 0). */
export type MemberProfile = Readonly<Record<string, number>>;

export type Profile = TpProfile | MemberProfile;

/** Column offsets of each block of a third-party spec. */
export function tpOffsets(spec: TpFeatureSpec): {
  gender: number;
  age: number;
  region: number;
  interest: number;
  term: number;
  dim: number;
} {
  const gender = 0;
  const age = gender + spec.genders.length;
  const region = age + spec.ageBands.length;
  const interest = region + spec.regions.length;
  const term = interest + spec.interests.length;
  return { gender, age, region, interest, term, dim: term + spec.terms.length };
}

/** Number of input columns. */
export function specDim(spec: FeatureSpec): number {
  return spec.kind === 'third_party' ? tpOffsets(spec).dim : spec.featureNames.length;
}

/** Human-readable column names, in column order (`gender=female`, `interest:baking`, `search:おすすめ`). */
export function featureNames(spec: FeatureSpec): string[] {
  if (spec.kind === 'members') return [...spec.featureNames];
  return [
    ...spec.genders.map((v) => `gender=${v}`),
    ...spec.ageBands.map((v) => `age=${v}`),
    ...spec.regions.map((v) => `region=${v}`),
    ...spec.interests.map((v) => `interest:${v}`),
    ...spec.terms.map((v) => `search:${v}`),
  ];
}

/** The interest value transform, identical in SQL decoding and here. */
export function visitValue(visits: number, cap: number): number {
  return Math.fround(Math.log1p(Math.min(Math.max(0, Math.round(visits)), cap)));
}

function lookup(values: readonly string[]): Map<string, number> {
  return new Map(values.map((v, i) => [v, i]));
}

/** Cached lookups per spec object: vectorising one profile at a time stays cheap. */
const lookups = new WeakMap<
  TpFeatureSpec,
  {
    g: Map<string, number>;
    a: Map<string, number>;
    r: Map<string, number>;
    i: Map<string, number>;
    t: Map<string, number>;
  }
>();

function tpLookups(spec: TpFeatureSpec) {
  let l = lookups.get(spec);
  if (!l) {
    l = {
      g: lookup(spec.genders),
      a: lookup(spec.ageBands),
      r: lookup(spec.regions),
      i: lookup(spec.interests),
      t: lookup(spec.terms),
    };
    lookups.set(spec, l);
  }
  return l;
}

/** Appends one third-party profile's entries (column-sorted) to the output arrays. */
function tpRow(spec: TpFeatureSpec, p: TpProfile, cols: number[], vals: number[]): void {
  const o = tpOffsets(spec);
  const l = tpLookups(spec);
  const entries = new Map<number, number>();
  const one = (map: Map<string, number>, offset: number, v: string | null | undefined) => {
    if (v === null || v === undefined) return;
    const k = map.get(v);
    if (k !== undefined) entries.set(offset + k, 1);
  };
  one(l.g, o.gender, p.gender ?? 'unknown');
  one(l.a, o.age, p.age_band ?? 'unknown');
  one(l.r, o.region, p.region);
  for (const [code, visits] of Object.entries(p.interests ?? {})) {
    const k = l.i.get(code);
    if (k !== undefined && visits > 0) entries.set(o.interest + k, visitValue(visits, spec.visitCap));
  }
  for (const q of p.searches ?? []) {
    for (const term of searchTerms(q)) {
      const k = l.t.get(term);
      if (k !== undefined) entries.set(o.term + k, 1);
    }
  }
  for (const c of [...entries.keys()].sort((a, b) => a - b)) {
    cols.push(c);
    vals.push(entries.get(c)!);
  }
}

/** A raw member feature after its transform, before centring and scaling. */
export function memberTransform(
  transform: MemberFeatureSpec['transforms'][number] | undefined,
  raw: number,
): number {
  const x = Number.isFinite(raw) ? raw : 0;
  if (transform === 'log1p') return Math.sign(x) * Math.log1p(Math.abs(x));
  if (transform === 'indicator') return x > 0 ? 1 : 0;
  return x;
}

/** Raw member feature `c` as the model sees it; the DuckDB path calls this too. */
export function memberValue(spec: MemberFeatureSpec, c: number, raw: number): number {
  const t = memberTransform(spec.transforms[c], raw);
  return Math.fround((t - spec.center[c]!) / spec.scale[c]!);
}

function memberRow(spec: MemberFeatureSpec, p: MemberProfile, cols: number[], vals: number[]): void {
  spec.featureNames.forEach((name, c) => {
    const v = memberValue(spec, c, p[name] ?? 0);
    if (v !== 0) {
      cols.push(c);
      vals.push(v);
    }
  });
}

/**
 * Vectorises profiles into CSR rows with the spec's columns and transforms.
 *
 * @param spec - the model's feature spec.
 * @param profiles - third-party profiles for a `third_party` spec, raw member features by name
 *   for a `members` spec.
 * @returns one row per profile, entries sorted by column.
 * @example
 * vectorizeProfiles(spec, [{ gender: 'female', interests: { baking: 12 }, searches: ['パン 作り方'] }]);
 */
export function vectorizeProfiles(spec: FeatureSpec, profiles: readonly Profile[]): Csr {
  const cols: number[] = [];
  const vals: number[] = [];
  const rowPtr = new Int32Array(profiles.length + 1);
  profiles.forEach((p, r) => {
    if (spec.kind === 'third_party') tpRow(spec, p as TpProfile, cols, vals);
    else memberRow(spec, p as MemberProfile, cols, vals);
    rowPtr[r + 1] = cols.length;
  });
  return {
    rows: profiles.length,
    cols: specDim(spec),
    rowPtr,
    indices: Int32Array.from(cols),
    values: Float32Array.from(vals),
  };
}
