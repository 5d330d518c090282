/**
 * Universes as row sources: the IDs to score (after exclusions), numbered in ID order, and their
 * feature rows in batches. `third_party` rows come from DuckDB aggregation of the profile tables;
 * `members` rows from purchase features computed as of a date.
 */

import { type Csr, selectRows } from '../features/csr.ts';
import { computeMemberFeatures } from '../features/member-features.ts';
import { InsufficientDataError } from '../schema/index.ts';
import { quoteIdent, quoteLiteral, type SqlRunner } from '../store/index.ts';
import { type FeatureSpec, type MemberFeatureSpec, memberValue } from './feature-spec.ts';
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
  kinds: ('log' | 'share')[];
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
export async function memberTable(db: SqlRunner, window: MemberFeatureWindow): Promise<MemberTable> {
  const out = await db.columns('SELECT member_id FROM members ORDER BY member_id');
  const ids = ((out.columns[0] ?? []) as string[]).filter((v) => v !== null);
  if (!ids.length)
    throw new InsufficientDataError('the workspace has no members: import members first', 'universe');
  const m = await computeMemberFeatures(db, {
    memberIds: ids,
    ...(window.asOf ? { asOf: window.asOf } : {}),
    ...(window.since ? { since: window.since } : {}),
  });
  return {
    ids: m.memberIds,
    index: new Map(m.memberIds.map((id, i) => [id, i])),
    names: m.featureNames,
    kinds: m.featureKinds,
    values: m.values,
    asOf: m.asOf,
    since: window.since ?? null,
  };
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
 */
export function fitMemberSpec(
  names: readonly string[],
  kinds: readonly ('log' | 'share')[],
  raw: Float64Array,
  sample: ArrayLike<number>,
  source: MemberFeatureSpec['source'],
): MemberFeatureSpec {
  const d = names.length;
  const transforms = kinds.map((k) => (k === 'log' ? 'log1p' : 'none') as 'log1p' | 'none');
  const sum = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let k = 0; k < sample.length; k++) {
    const base = sample[k]! * d;
    for (let c = 0; c < d; c++) {
      const x = raw[base + c]!;
      const v = Number.isFinite(x)
        ? transforms[c] === 'log1p'
          ? Math.sign(x) * Math.log1p(Math.abs(x))
          : x
        : 0;
      sum[c] = sum[c]! + v;
      sq[c] = sq[c]! + v * v;
    }
  }
  const n = Math.max(1, sample.length);
  const center = Array.from(sum, (s) => s / n);
  const scale = Array.from(sq, (s, c) => {
    const sd = Math.sqrt(Math.max(0, s / n - center[c]! ** 2));
    return sd > 1e-9 ? sd : 1;
  });
  return { kind: 'members', version: 1, featureNames: [...names], transforms, center, scale, source };
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
    members ?? (await memberTable(db, { asOf: spec.source.asOf, since: spec.source.since ?? undefined }));
  const which = await memberRowsOf(db, staged, table);
  const matrix = memberCsr(spec, alignMemberValues(spec, table), table.ids.length, which);
  return new MemberRowSource(spec, staged.table, staged.rows, matrix);
}
