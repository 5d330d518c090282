/**
 * Third-party profiles as sparse rows, built by DuckDB aggregation (no per-row JS objects, so a
 * 10M-profile universe streams through in bounded memory). Each non-zero leaves DuckDB as one
 * DOUBLE that packs (row, column, raw value); JS unpacks it into CSR with the same transforms
 * `feature-spec.ts` applies to a single posted profile.
 */

import type { Csr } from '../features/csr.ts';
import { searchTermsSql } from '../features/search-terms.ts';
import { AGE_BANDS, GENDERS, InvalidInputError } from '../schema/index.ts';
import { quoteIdent, type SqlRunner } from '../store/index.ts';
import { type TpFeatureSpec, tpOffsets, visitValue } from './feature-spec.ts';
import { scalar, tempName } from './sql.ts';

export interface FitTpSpecOptions {
  /** Smallest number of people who searched a term for it to become a feature. Default max(20, 0.02% of profiles). */
  minTermDf?: number;
  /** Most search terms kept (the most used). Default 2000. */
  maxTerms?: number;
  /** Smallest number of profiles in a region for it to become a feature. Default 20. */
  minRegionCount?: number;
}

/** Raw values are packed in 16 bits; visits beyond this are capped (log1p makes the cap harmless). */
export const VISIT_CAP = 65_535;
const VAL_SPAN = 65_536;

/**
 * Fits the vocabularies of a third-party feature spec on the whole `tp_profiles` universe.
 *
 * @throws InsufficientDataError-like InvalidInputError when the universe is empty.
 */
export async function fitTpSpec(db: SqlRunner, options: FitTpSpecOptions = {}): Promise<TpFeatureSpec> {
  const profiles = await scalar(db, 'SELECT count(*) FROM tp_profiles');
  if (profiles === 0) {
    throw new InvalidInputError('the third-party universe is empty: import tp_profiles first', 'universe');
  }
  const minTermDf = options.minTermDf ?? Math.max(20, Math.ceil(profiles * 0.0002));
  const maxTerms = options.maxTerms ?? 2000;
  const minRegion = options.minRegionCount ?? 20;
  const regions = await db.rows<{ region: string }>(
    `SELECT region FROM tp_profiles WHERE region IS NOT NULL AND region <> ''
     GROUP BY region HAVING count(*) >= ${minRegion} ORDER BY region`,
  );
  const interests = await db.rows<{ category: string }>(
    'SELECT DISTINCT category FROM tp_interests ORDER BY category',
  );
  const terms = await db.rows<{ term: string }>(
    `SELECT term FROM (
       SELECT term, count(DISTINCT tp_id) AS df
       FROM (SELECT tp_id, unnest(${searchTermsSql('query')}) AS term FROM tp_searches)
       GROUP BY term HAVING count(DISTINCT tp_id) >= ${minTermDf}
       ORDER BY df DESC, term LIMIT ${maxTerms})
     ORDER BY term`,
  );
  return {
    kind: 'third_party',
    version: 1,
    genders: [...GENDERS],
    ageBands: [...AGE_BANDS],
    regions: regions.map((r) => r.region),
    interests: interests.map((r) => r.category),
    terms: terms.map((r) => r.term),
    visitCap: VISIT_CAP,
    minTermDf,
  };
}

/** Bits needed for a column index, and the row stride of the packed code. */
function packing(spec: TpFeatureSpec, rows: number): { stride: number } {
  const dim = tpOffsets(spec).dim;
  const stride = 2 ** Math.ceil(Math.log2(dim + 1)) * VAL_SPAN;
  if (rows * stride >= 2 ** 53) {
    throw new InvalidInputError(
      `universe of ${rows} profiles x ${dim} features is too large for one machine's packed build; shard it`,
      'universe',
    );
  }
  return { stride };
}

/**
 * A universe of third-party rows staged on one connection: `rowsTable(id, r)` numbers the
 * profiles 0..n-1 in tp_id order (so row order is ID order, the tie-break of every ranking), and
 * the packed non-zeros are materialised once, then read back in row batches.
 */
export class TpRowSource {
  private codes: string | null = null;
  private packed: string | null = null;
  private vocab: string[] = [];
  private stride = 0;
  private readonly lut: Float32Array;
  private readonly interestFrom: number;
  private readonly interestTo: number;

  constructor(
    private readonly db: SqlRunner,
    readonly spec: TpFeatureSpec,
    /** Temp table with columns (id VARCHAR, r BIGINT), r = 0..rows-1 in id order. */
    readonly rowsTable: string,
    readonly rows: number,
  ) {
    const o = tpOffsets(spec);
    this.interestFrom = o.interest;
    this.interestTo = o.term;
    this.lut = new Float32Array(VAL_SPAN);
    for (let v = 0; v < VAL_SPAN; v++) this.lut[v] = visitValue(v, spec.visitCap);
  }

  /**
   * Stages the vocabularies and packs every non-zero of the universe (one DuckDB pass per table).
   * Search phrases repeat across people, so terms are split once per distinct phrase.
   */
  async prepare(): Promise<void> {
    if (this.codes) return;
    const { db, spec } = this;
    const o = tpOffsets(spec);
    ({ stride: this.stride } = packing(spec, Math.max(1, this.rows)));
    const vocab = async (values: readonly string[], offset: number): Promise<string> => {
      const name = tempName('vocab');
      this.vocab.push(name);
      await db.run(`CREATE TEMP TABLE ${quoteIdent(name)} (v VARCHAR, col BIGINT)`);
      if (values.length) await db.append(name, [values, values.map((_, i) => offset + i)]);
      return quoteIdent(name);
    };
    const vg = await vocab(spec.genders, o.gender);
    const va = await vocab(spec.ageBands, o.age);
    const vr = await vocab(spec.regions, o.region);
    const vi = await vocab(spec.interests, o.interest);
    const vt = await vocab(spec.terms, o.term);
    const u = quoteIdent(this.rowsTable);
    const s = this.stride;
    const code = (r: string, col: string, val: string) =>
      `(${r} * ${s} + ${col} * ${VAL_SPAN} + ${val})::DOUBLE`;
    this.codes = tempName('codes');
    this.packed = `SELECT code FROM (
         SELECT ${code('d.r', 'd.col', '1')} AS code FROM (
           SELECT u.r, unnest([g.col, a.col, rg.col]) AS col
           FROM ${u} u JOIN tp_profiles t ON t.tp_id = u.id
           LEFT JOIN ${vg} g ON g.v = coalesce(t.gender, 'unknown')
           LEFT JOIN ${va} a ON a.v = coalesce(t.age_band, 'unknown')
           LEFT JOIN ${vr} rg ON rg.v = t.region) d
         WHERE d.col IS NOT NULL
         UNION ALL SELECT ${code('u.r', 'v.col', `least(i.visits, ${spec.visitCap})`)}
           FROM tp_interests i JOIN ${u} u ON u.id = i.tp_id JOIN ${vi} v ON v.v = i.category WHERE i.visits > 0
         UNION ALL SELECT ${code('u.r', 'qt.col', '1')}
           FROM tp_searches s JOIN ${u} u ON u.id = s.tp_id
           JOIN (SELECT DISTINCT q.query, v.col
                 FROM (SELECT query, unnest(${searchTermsSql('query')}) AS term FROM (SELECT DISTINCT query FROM tp_searches)) q
                 JOIN ${vt} v ON v.v = q.term) qt ON qt.query = s.query)`;
    // One profile join for the three one-hot blocks; search phrases split once per distinct
    // phrase. The table is not sorted: a global ORDER BY of every non-zero cost more than all
    // the joins together (and grew faster than linearly: 102 s at 10M profiles), while a range
    // filter over the unsorted codes is a cheap scan per batch and `unpack` orders each batch
    // itself (a counting pass by row, then a sort of each row's dozen entries).
    await db.run(`CREATE TEMP TABLE ${quoteIdent(this.codes)} AS ${this.packed}`);
  }

  /**
   * The query of every packed non-zero (one DOUBLE `code` per entry), for benchmarks that time
   * DuckDB's share of the build. Valid after `prepare()`.
   */
  packedSql(): string {
    if (!this.packed) throw new Error('packedSql: call prepare() first');
    return this.packed;
  }

  /** Rows `[from, to)` as CSR, each row's entries sorted by column (a fixed summation order). */
  async batch(from: number, to: number): Promise<Csr> {
    await this.prepare();
    const s = this.stride;
    const res = await this.db.numeric(
      `SELECT code FROM ${quoteIdent(this.codes!)} WHERE code >= ${from * s} AND code < ${to * s}`,
    );
    return this.unpack(res.columns[0] ?? new Float64Array(0), from, to);
  }

  private unpack(codes: Float64Array, from: number, to: number): Csr {
    const rows = to - from;
    // stride and VAL_SPAN are powers of two, so these products are exact divisions.
    const invStride = 1 / this.stride;
    const invSpan = 1 / VAL_SPAN;
    const n = codes.length;
    const rowPtr = new Int32Array(rows + 1);
    for (let k = 0; k < n; k++) rowPtr[Math.floor(codes[k]! * invStride) - from + 1]!++;
    for (let r = 0; r < rows; r++) rowPtr[r + 1]! += rowPtr[r]!;
    const fill = rowPtr.slice(0, rows);
    // Each entry as one integer col * VAL_SPAN + raw, so the per-row sort moves one array, and
    // ordering by it orders by column.
    const key = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const c = codes[k]!;
      const r = Math.floor(c * invStride);
      key[fill[r - from]!++] = c - r * this.stride;
    }
    const indices = new Int32Array(n);
    const values = new Float32Array(n);
    const lut = this.lut;
    const lo = this.interestFrom;
    const hi = this.interestTo;
    let w = 0;
    let start = 0;
    for (let r = 0; r < rows; r++) {
      const end = rowPtr[r + 1]!;
      // Insertion sort: rows hold a dozen entries, and a fixed order makes sums reproducible.
      for (let i = start + 1; i < end; i++) {
        const v = key[i]!;
        let j = i - 1;
        while (j >= start && key[j]! > v) {
          key[j + 1] = key[j]!;
          j--;
        }
        key[j + 1] = v;
      }
      // Compact: a term in two of one person's phrases arrives twice; keep it once.
      let last = -1;
      for (let p = start; p < end; p++) {
        const v = key[p]!;
        const c = Math.floor(v * invSpan);
        if (c === last) continue;
        last = c;
        indices[w] = c;
        values[w++] = c >= lo && c < hi ? lut[v - c * VAL_SPAN]! : 1;
      }
      start = end;
      rowPtr[r + 1] = w;
    }
    return {
      rows,
      cols: tpOffsets(this.spec).dim,
      rowPtr,
      indices: w === n ? indices : indices.slice(0, w),
      values: w === n ? values : values.slice(0, w),
    };
  }

  /** Drops the staged tables (the rows table belongs to the caller). */
  async close(): Promise<void> {
    for (const t of [...this.vocab, ...(this.codes ? [this.codes] : [])]) {
      await this.db.run(`DROP TABLE IF EXISTS ${quoteIdent(t)}`);
    }
    this.vocab = [];
    this.codes = null;
    this.packed = null;
  }
}
