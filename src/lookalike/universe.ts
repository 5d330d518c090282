/**
 * Universes as row sources: the IDs to score (after exclusions), numbered in ID order, and their
 * feature rows in batches. `third_party` rows come from DuckDB aggregation of the profile tables;
 * `members` rows from purchase features computed as of a date.
 */

import { type Csr, selectRows } from '../features/csr.ts';
import { computeMemberFeatures } from '../features/member-features.ts';
import { productReceiptCounts } from '../features/product-signals.ts';
import { InsufficientDataError } from '../schema/index.ts';
import { quoteIdent, quoteLiteral, type SqlRunner } from '../store/index.ts';
import {
  type FeatureSpec,
  ITEM_PREFIX,
  type ItemWeighting,
  type MemberFeatureSpec,
  memberTransform,
  memberValue,
} from './feature-spec.ts';
import { allIds, type StagedRows } from './rows.ts';
import { TpRowSource } from './tp-matrix.ts';
import type { Universe } from './types.ts';

/** A staged set of rows and a way to read their features in batches. */
export interface RowSource {
  readonly spec: FeatureSpec;
  readonly rowsTable: string;
  readonly rows: number;
  batch(from: number, to: number): Promise<Csr>;
  /** Drops the source's scratch tables; the rows table belongs to the caller. */
  close(): Promise<void>;
}

/**
 * The SQL of a universe's IDs (column `id`) minus the IDs in `excludeTable` (column `id`). The
 * members universe holds the members who were customers at `asOf`: at least one purchase before
 * it (someone who first buys later was not there to be cross-sold to).
 */
export function universeSql(
  universe: Universe,
  excludeTable: string,
  existingCustomers: boolean,
  asOf?: string,
): string {
  const ex = quoteIdent(excludeTable);
  if (universe === 'members') {
    const before = asOf ? `ts < DATE ${quoteLiteral(asOf)}` : 'true';
    return `SELECT member_id AS id FROM members WHERE member_id NOT IN (SELECT id FROM ${ex})
            AND member_id IN (SELECT member_id FROM transactions WHERE member_id IS NOT NULL AND quantity > 0 AND ${before})`;
  }
  const customers = existingCustomers ? ' AND tp_id NOT IN (SELECT tp_id FROM id_links)' : '';
  return `SELECT tp_id AS id FROM tp_profiles WHERE tp_id NOT IN (SELECT id FROM ${ex})${customers}`;
}

/** The purchase window of member features. */
export interface MemberFeatureWindow {
  asOf?: string | undefined;
  since?: string | undefined;
}

/** Member rows held in memory (member universes are thousands to a few million rows). */
class MemberRowSource implements RowSource {
  constructor(
    readonly spec: MemberFeatureSpec,
    readonly rowsTable: string,
    readonly rows: number,
    private readonly matrix: Csr,
  ) {}

  async batch(from: number, to: number): Promise<Csr> {
    return selectRows(
      this.matrix,
      Uint32Array.from({ length: to - from }, (_, k) => from + k),
    );
  }

  async close(): Promise<void> {}
}

/** Raw purchase features of every member, in member-ID order (one computation serves all row sets). */
export interface MemberTable {
  ids: string[];
  index: Map<string, number>;
  names: string[];
  /** `item` columns hold receipts with a purchase of one product (see `product-signals.ts`). */
  kinds: ('log' | 'share' | 'item')[];
  /** Row-major ids.length x names.length, original units. */
  values: Float64Array;
  asOf: string;
  since: string | null;
}

/**
 * Computes raw member features as of a window for every member in `members`, so the training rows
 * and the scored universe see the same category columns.
 *
 * @throws InsufficientDataError when there are no members or no purchases before `asOf`.
 */
export async function memberTable(
  db: SqlRunner,
  window: MemberFeatureWindow,
  items: readonly string[] = [],
  halfLifeDays?: number,
): Promise<MemberTable> {
  const out = await db.columns('SELECT member_id FROM members ORDER BY member_id');
  const ids = ((out.columns[0] ?? []) as string[]).filter((v) => v !== null);
  if (!ids.length)
    throw new InsufficientDataError('the workspace has no members: import members first', 'universe');
  const m = await computeMemberFeatures(db, {
    memberIds: ids,
    ...(window.asOf ? { asOf: window.asOf } : {}),
    ...(window.since ? { since: window.since } : {}),
  });
  const table: MemberTable = {
    ids: m.memberIds,
    index: new Map(m.memberIds.map((id, i) => [id, i])),
    names: m.featureNames,
    kinds: m.featureKinds,
    values: m.values,
    asOf: m.asOf,
    since: window.since ?? null,
  };
  return items.length ? addItemColumns(db, table, items, halfLifeDays) : table;
}

/** The table with one `item:<product>` column per product (receipts in the table's window) appended. */
export async function addItemColumns(
  db: SqlRunner,
  table: MemberTable,
  items: readonly string[],
  halfLifeDays?: number,
): Promise<MemberTable> {
  const counts = await productReceiptCounts(
    db,
    { asOf: table.asOf, since: table.since ?? undefined },
    table.ids,
    items,
    halfLifeDays,
  );
  return { ...table, ...appendItems(table, table.ids, counts, items) };
}

/** The base matrix with one `item:<product>` column per product appended to every row. */
function appendItems(
  base: Pick<MemberTable, 'names' | 'kinds' | 'values'>,
  ids: readonly string[],
  counts: Float64Array,
  items: readonly string[],
): Pick<MemberTable, 'names' | 'kinds' | 'values'> {
  const w = base.names.length;
  const k = items.length;
  const values = new Float64Array(ids.length * (w + k));
  for (let r = 0; r < ids.length; r++) {
    values.set(base.values.subarray(r * w, (r + 1) * w), r * (w + k));
    values.set(counts.subarray(r * k, (r + 1) * k), r * (w + k) + w);
  }
  return {
    names: [...base.names, ...items.map((p) => `${ITEM_PREFIX}${p}`)],
    kinds: [...base.kinds, ...items.map(() => 'item' as const)],
    values,
  };
}

/**
 * The table without the item columns fewer than `minSupport` of the `universeIds` rows have: the
 * seed's own products, above all. A purchase seed of product P is everyone who bought P, so no
 * one left in the universe has bought it; the column separates the seed perfectly, ranks no one,
 * and lets the model explain the seed away instead of learning what else its members buy
 * (measured on Online Retail: a "LUNCH BAG" seed fell from AUC 0.6 to 0.55 with those columns).
 */
export function dropUnsupportedItems(
  table: MemberTable,
  universeIds: readonly string[],
  minSupport: number,
): MemberTable {
  const w = table.names.length;
  const support = new Float64Array(w);
  for (const id of universeIds) {
    const r = table.index.get(id);
    if (r === undefined) continue;
    for (let c = 0; c < w; c++) if (table.kinds[c] === 'item' && table.values[r * w + c]! > 0) support[c]!++;
  }
  const keep = table.names.flatMap((_, c) =>
    table.kinds[c] !== 'item' || support[c]! >= minSupport ? [c] : [],
  );
  if (keep.length === w) return table;
  const k = keep.length;
  const values = new Float64Array(table.ids.length * k);
  for (let r = 0; r < table.ids.length; r++)
    for (let j = 0; j < k; j++) values[r * k + j] = table.values[r * w + keep[j]!]!;
  return {
    ...table,
    names: keep.map((c) => table.names[c]!),
    kinds: keep.map((c) => table.kinds[c]!),
    values,
  };
}

/** Product IDs of a spec's item columns, in column order. */
export function specItems(spec: MemberFeatureSpec): string[] {
  return spec.featureNames.filter((n) => n.startsWith(ITEM_PREFIX)).map((n) => n.slice(ITEM_PREFIX.length));
}

/** Member-table rows of the IDs of a staged rows table, in row order. */
export async function memberRowsOf(
  db: SqlRunner,
  staged: StagedRows,
  table: MemberTable,
): Promise<Uint32Array> {
  const ids = await allIds(db, staged.table);
  return Uint32Array.from(ids, (id) => {
    const k = table.index.get(id);
    if (k === undefined) throw new Error(`member ${id} has no feature row`);
    return k;
  });
}

/** The table's values re-ordered to `spec.featureNames` (absent names read as 0). */
export function alignMemberValues(spec: MemberFeatureSpec, table: MemberTable): Float64Array {
  const byName = new Map(table.names.map((n, i) => [n, i]));
  const d = spec.featureNames.length;
  const w = table.names.length;
  const from = spec.featureNames.map((n) => byName.get(n) ?? -1);
  const out = new Float64Array(table.ids.length * d);
  for (let r = 0; r < table.ids.length; r++) {
    for (let c = 0; c < d; c++) {
      const k = from[c]!;
      out[r * d + c] = k >= 0 ? table.values[r * w + k]! : 0;
    }
  }
  return out;
}

/** CSR of transformed member features, for rows `which` of a raw row-major matrix. */
export function memberCsr(
  spec: MemberFeatureSpec,
  raw: Float64Array,
  rowsTotal: number,
  which?: ArrayLike<number>,
): Csr {
  const d = spec.featureNames.length;
  const pick = which ?? Uint32Array.from({ length: rowsTotal }, (_, k) => k);
  const rowPtr = new Int32Array(pick.length + 1);
  const indices = new Int32Array(pick.length * d);
  const values = new Float32Array(pick.length * d);
  let p = 0;
  for (let k = 0; k < pick.length; k++) {
    const base = pick[k]! * d;
    for (let c = 0; c < d; c++) {
      const v = memberValue(spec, c, raw[base + c]!);
      if (v !== 0) {
        indices[p] = c;
        values[p++] = v;
      }
    }
    rowPtr[k + 1] = p;
  }
  return { rows: pick.length, cols: d, rowPtr, indices: indices.slice(0, p), values: values.slice(0, p) };
}

/**
 * Fits the member spec: log1p for counts and amounts, then centre and scale from `sample` rows.
 * Item columns follow `weighting`: `binary` is bought-or-not, left unscaled so the penalty treats
 * every product alike; `tfidf` keeps them sparse (no centring) as log1p(receipts)
 * times the product's inverse document frequency over the sample, so a purchase of a product
 * everyone buys says less than one of a niche product; `indicator` is bought-or-not, standardised;
 * `standardised` is log1p(receipts), standardised like every other column.
 */
export function fitMemberSpec(
  names: readonly string[],
  kinds: readonly ('log' | 'share' | 'item')[],
  raw: Float64Array,
  sample: ArrayLike<number>,
  source: MemberFeatureSpec['source'],
  weighting: ItemWeighting = 'tfidf',
  halfLifeDays?: number,
): MemberFeatureSpec {
  const d = names.length;
  const indicator = weighting === 'indicator' || weighting === 'binary';
  const transforms = kinds.map((k) =>
    k === 'item' && indicator ? 'indicator' : k === 'share' ? 'none' : 'log1p',
  );
  const sum = new Float64Array(d);
  const sq = new Float64Array(d);
  const df = new Float64Array(d);
  for (let k = 0; k < sample.length; k++) {
    const base = sample[k]! * d;
    for (let c = 0; c < d; c++) {
      const x = raw[base + c]!;
      const v = memberTransform(transforms[c], x);
      sum[c] = sum[c]! + v;
      sq[c] = sq[c]! + v * v;
      if (Number.isFinite(x) && x > 0) df[c] = df[c]! + 1;
    }
  }
  const n = Math.max(1, sample.length);
  const center = Array.from(sum, (s) => s / n);
  const scale = Array.from(sq, (s, c) => {
    const sd = Math.sqrt(Math.max(0, s / n - center[c]! ** 2));
    return sd > 1e-9 ? sd : 1;
  });
  const hasItems = kinds.includes('item');
  if (hasItems && weighting === 'binary') {
    kinds.forEach((k, c) => {
      if (k !== 'item') return;
      center[c] = 0;
      scale[c] = 1;
    });
  }
  if (hasItems && weighting === 'tfidf') {
    kinds.forEach((k, c) => {
      if (k !== 'item') return;
      center[c] = 0;
      // Smoothed idf as scikit-learn's TfidfTransformer: ln((1 + n) / (1 + df)) + 1; the spec
      // divides by scale, so the idf is stored as its reciprocal.
      scale[c] = 1 / (Math.log((1 + n) / (1 + df[c]!)) + 1);
    });
  }
  return {
    kind: 'members',
    version: 1,
    featureNames: [...names],
    transforms,
    center,
    scale,
    source,
    ...(hasItems ? { items: { weighting, ...(halfLifeDays ? { halfLifeDays } : {}) } } : {}),
  };
}

/**
 * Opens a row source over `staged` rows for a model spec: third-party rows built by DuckDB, or
 * member rows from purchase features (computed as of the spec's training window unless a
 * member table is given).
 */
export async function openRowSource(
  db: SqlRunner,
  spec: FeatureSpec,
  staged: StagedRows,
  members?: MemberTable,
): Promise<RowSource> {
  if (spec.kind === 'third_party') {
    const src = new TpRowSource(db, spec, staged.table, staged.rows);
    return {
      spec,
      rowsTable: staged.table,
      rows: staged.rows,
      batch: (from, to) => src.batch(from, to),
      close: () => src.close(),
    };
  }
  const table =
    members ??
    (await memberTable(
      db,
      { asOf: spec.source.asOf, since: spec.source.since ?? undefined },
      specItems(spec),
      spec.items?.halfLifeDays,
    ));
  const which = await memberRowsOf(db, staged, table);
  const matrix = memberCsr(spec, alignMemberValues(spec, table), table.ids.length, which);
  return new MemberRowSource(spec, staged.table, staged.rows, matrix);
}
