import { InsufficientDataError, InvalidInputError } from '../schema/index.ts';
import { quoteIdent, type SqlRunner } from '../store/index.ts';
import { addDays, checkIsoDay } from './dates.ts';
import {
  BASE_FEATURES,
  type FeatureKind,
  type LineFilter,
  memberCategoriesSql,
  memberFeaturesSql,
  receiptsSql,
} from './member-features-sql.ts';

export type CategoryLevel = 1 | 2 | 3;

export interface MemberFeatureOptions {
  /** Only lines strictly before this day count (YYYY-MM-DD). Default: the day after the last line. */
  asOf?: string;
  /** Only lines on or after this day count (YYYY-MM-DD). Default: all history. */
  since?: string;
  /** Level of the product tree for category shares. Default: the deepest level with at most `maxCategories` codes. */
  categoryLevel?: CategoryLevel;
  /** Restrict to these members; rows then follow this order and members without purchases get zeros. */
  memberIds?: readonly string[];
  /** Category share columns kept; rarer codes are pooled into one "other" column. Default 40. */
  maxCategories?: number;
  /**
   * Codes with less than this share of all purchase lines are pooled into the "other" column:
   * a share that is almost always 0 turns into huge z-scores for the few who buy it. Default 0.005.
   */
  minCategoryShare?: number;
}

export interface CategoryColumn {
  /** Category code at the chosen level; `(other)` for the pooled column, `(none)` for uncategorised lines. */
  code: string;
  name: string | null;
  /** The matrix column holding its share, e.g. `cat:F05`. */
  feature: string;
}

/**
 * Member features as a dense row-major matrix in original units (days, counts, money, shares),
 * the common input of segmentation and the lookalike members universe.
 */
export interface MemberFeatureMatrix {
  memberIds: string[];
  featureNames: string[];
  rows: number;
  cols: number;
  /** Row-major rows x cols. */
  values: Float64Array;
  /** Net sales per member (purchases minus returns) in the window. */
  sales: Float64Array;
  /** The exclusive end of the window, YYYY-MM-DD. */
  asOf: string;
  /** The inclusive start of the window, when one was given. */
  since?: string;
  /** How each column should be transformed before distances are taken. */
  featureKinds: FeatureKind[];
  /** Feature block of each column (rfm, basket, channel, returns, dow, tod, category). */
  featureGroups: string[];
  categoryLevel: CategoryLevel;
  categories: CategoryColumn[];
}

interface Span {
  first: string | null;
  last: string | null;
  lines: number;
}

const DEFAULT_MAX_CATEGORIES = 40;

/** The deepest product-tree level with 2..max codes, else level 1. */
async function chooseLevel(db: SqlRunner, max: number): Promise<CategoryLevel> {
  const [row] = await db.rows<{ l1: number; l2: number; l3: number }>(
    `SELECT count(DISTINCT category_l1) AS l1, count(DISTINCT category_l2) AS l2,
            count(DISTINCT category_l3) AS l3 FROM products`,
  );
  for (const level of [3, 2, 1] as const) {
    const n = row?.[`l${level}`] ?? 0;
    if (n >= 2 && n <= max) return level;
  }
  return 1;
}

async function memberSpan(db: SqlRunner): Promise<Span> {
  const [row] = await db.rows<{ first: string | null; last: string | null; lines: number }>(
    `SELECT min(ts)::DATE::VARCHAR AS first, max(ts)::DATE::VARCHAR AS last, count(*) AS lines
     FROM transactions WHERE member_id IS NOT NULL`,
  );
  return row ?? { first: null, last: null, lines: 0 };
}

function resolveOptions(options: MemberFeatureOptions, span: Span) {
  if (!span.lines || !span.first || !span.last) {
    throw new InsufficientDataError(
      'the workspace has no member transactions; import transactions with member ids first',
      'transactions',
    );
  }
  const asOf = options.asOf === undefined ? addDays(span.last, 1) : checkIsoDay(options.asOf, 'asOf');
  const since = options.since === undefined ? undefined : checkIsoDay(options.since, 'since');
  if (asOf <= span.first) {
    throw new InsufficientDataError(
      `no member transactions before asOf ${asOf}: the data starts on ${span.first}`,
      'asOf',
    );
  }
  if (since !== undefined && since >= asOf) {
    throw new InvalidInputError(`since (${since}) must be before asOf (${asOf})`, 'since');
  }
  const level = options.categoryLevel;
  if (level !== undefined && level !== 1 && level !== 2 && level !== 3) {
    throw new InvalidInputError(`categoryLevel must be 1, 2 or 3, got ${String(level)}`, 'categoryLevel');
  }
  const maxCategories = options.maxCategories ?? DEFAULT_MAX_CATEGORIES;
  if (!Number.isInteger(maxCategories) || maxCategories < 2) {
    throw new InvalidInputError(
      `maxCategories must be a whole number >= 2, got ${maxCategories}`,
      'maxCategories',
    );
  }
  const minCategoryShare = options.minCategoryShare ?? 0.005;
  if (!(minCategoryShare >= 0 && minCategoryShare < 1)) {
    throw new InvalidInputError(
      `minCategoryShare must be in [0, 1), got ${minCategoryShare}`,
      'minCategoryShare',
    );
  }
  return { asOf, since, level, maxCategories, minCategoryShare };
}

/**
 * Computes member features from the receipt lines strictly before `asOf`: recency (days since the
 * last visit), frequency (receipts with a purchase), monetary (net sales), average basket, items
 * and lines per receipt, category breadth (codes bought at the chosen level, counted before rare
 * codes are pooled), category shares (of purchase lines) at that level, online share of visits, returns rate (returned over purchased value, capped at 1),
 * and day-of-week and time-of-day shares of visits. All aggregation runs in DuckDB; JS only
 * copies the per-member result into typed arrays.
 *
 * @param db the workspace database (or an open transaction)
 * @param options window, category level and an optional member list
 * @returns the feature matrix in original units, one row per member ordered by member id (or in
 *   `memberIds` order when given)
 * @throws InsufficientDataError when there are no member transactions, or none before `asOf`
 * @throws InvalidInputError for a malformed date or category level
 * @example
 * const m = await computeMemberFeatures(ws.db, { asOf: '2026-01-01', categoryLevel: 2 });
 * m.featureNames.slice(0, 3); // ['recency_days', 'frequency', 'monetary']
 */
export async function computeMemberFeatures(
  db: SqlRunner,
  options: MemberFeatureOptions = {},
): Promise<MemberFeatureMatrix> {
  const span = await memberSpan(db);
  const o = resolveOptions(options, span);
  const level = o.level ?? (await chooseLevel(db, o.maxCategories));
  const tag = crypto.randomUUID().replaceAll('-', '').slice(0, 12);
  const names = { r: `_mf_r_${tag}`, c: `_mf_c_${tag}`, f: `_mf_f_${tag}`, ids: `_mf_ids_${tag}` };
  const filter: LineFilter = { asOf: o.asOf };
  if (o.since) filter.since = o.since;
  try {
    if (options.memberIds) {
      await db.run(`CREATE TEMP TABLE ${quoteIdent(names.ids)} (member_id VARCHAR, ord BIGINT)`);
      await db.append(names.ids, [options.memberIds, options.memberIds.map((_, i) => i)]);
      filter.idsTable = names.ids;
    }
    await db.run(receiptsSql(names.r, filter, level));
    await db.run(memberCategoriesSql(names.c, filter, level));
    const cats = await categoryLines(db, names.c, level);
    if (!cats.length && !options.memberIds) {
      throw new InsufficientDataError(
        `no member purchases in the window${o.since ? ` from ${o.since}` : ''} before ${o.asOf}`,
        'asOf',
      );
    }
    const { kept, pooled, categories } = categoryColumns(cats, o);
    await db.run(memberFeaturesSql(names.f, names.r, names.c, o.asOf, kept, pooled));
    const featureNames = [...BASE_FEATURES.map((f) => f.name), ...categories.map((c) => c.feature)];
    const featureKinds: FeatureKind[] = [
      ...BASE_FEATURES.map((f) => f.kind),
      ...categories.map(() => 'share' as const),
    ];
    const featureGroups = [...BASE_FEATURES.map((f) => f.group), ...categories.map(() => 'category')];
    const read = options.memberIds
      ? await readRequested(db, names, o, featureNames.length, span)
      : await readAll(db, names.f);
    if (!read.memberIds.length) {
      throw new InsufficientDataError(`no member purchases in the window before ${o.asOf}`, 'asOf');
    }
    const out: MemberFeatureMatrix = {
      memberIds: read.memberIds,
      featureNames,
      rows: read.memberIds.length,
      cols: featureNames.length,
      values: read.values,
      sales: read.sales,
      asOf: o.asOf,
      featureKinds,
      featureGroups,
      categoryLevel: level,
      categories,
    };
    if (o.since) out.since = o.since;
    return out;
  } finally {
    for (const t of Object.values(names)) await db.run(`DROP TABLE IF EXISTS ${quoteIdent(t)}`);
  }
}

type CategoryLines = {
  cat: string;
  name: string | null;
  /** Purchase lines of the code, over all members. */
  n: number;
};

/** Category codes by purchase lines, most first, with their product-master names. */
function categoryLines(db: SqlRunner, table: string, level: number): Promise<CategoryLines[]> {
  return db.rows<CategoryLines>(
    `SELECT c.cat, any_value(p.category_l${level}_name) AS name, c.n
     FROM (SELECT cat, sum(lines) AS n FROM ${quoteIdent(table)} GROUP BY cat) c
     LEFT JOIN products p ON p.category_l${level} = c.cat
     GROUP BY c.cat, c.n ORDER BY c.n DESC, c.cat`,
  );
}

/**
 * The category share columns: every code, or when some are rare or there are more than
 * maxCategories, the common ones plus a pooled `(other)` column.
 */
function categoryColumns(
  cats: readonly CategoryLines[],
  o: { minCategoryShare: number; maxCategories: number },
): { kept: string[]; pooled: boolean; categories: CategoryColumn[] } {
  const totalLines = cats.reduce((sum, c) => sum + c.n, 0);
  const common = cats.filter((c) => c.n >= o.minCategoryShare * totalLines);
  const pooled = common.length < cats.length || cats.length > o.maxCategories;
  // The pooled column takes one of the maxCategories slots.
  const kept = pooled ? common.slice(0, o.maxCategories - 1) : cats;
  const categories: CategoryColumn[] = kept.map((c) => ({
    code: c.cat,
    name: c.name,
    feature: `cat:${c.cat}`,
  }));
  if (pooled) categories.push({ code: '(other)', name: null, feature: 'cat:(other)' });
  return { kept: kept.map((c) => c.cat), pooled, categories };
}

interface ReadResult {
  memberIds: string[];
  values: Float64Array;
  sales: Float64Array;
}

/** Copies column-major query output into one row-major matrix. */
function toRowMajor(columns: Float64Array[], rows: number): Float64Array {
  const cols = columns.length;
  const values = new Float64Array(rows * cols);
  for (let c = 0; c < cols; c++) {
    const col = columns[c]!;
    for (let r = 0; r < rows; r++) values[r * cols + c] = col[r]!;
  }
  return values;
}

async function readAll(db: SqlRunner, table: string): Promise<ReadResult> {
  const t = quoteIdent(table);
  const ids = await db.columns(`SELECT member_id FROM ${t} ORDER BY member_id`);
  const num = await db.numeric(`SELECT * EXCLUDE (member_id) FROM ${t} ORDER BY member_id`);
  const monetary = num.columns[BASE_FEATURES.findIndex((f) => f.name === 'monetary')]!;
  return {
    memberIds: (ids.columns[0] ?? []) as string[],
    values: toRowMajor(num.columns, num.rowCount),
    sales: Float64Array.from(monetary),
  };
}

/**
 * Rows in the caller's order. Members without a purchase in the window get zero activity and a
 * recency of the whole window (as if their last visit were just before it).
 */
async function readRequested(
  db: SqlRunner,
  names: { f: string; ids: string },
  o: { asOf: string; since: string | undefined },
  cols: number,
  span: Span,
): Promise<ReadResult> {
  const f = quoteIdent(names.f);
  const start = o.since && o.since > span.first! ? o.since : span.first!;
  const windowDays = Math.round(
    (Date.parse(`${o.asOf}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86_400_000,
  );
  const num = await db.numeric(
    `SELECT f.* EXCLUDE (member_id) FROM ${quoteIdent(names.ids)} i LEFT JOIN ${f} f USING (member_id) ORDER BY i.ord`,
  );
  const recency = BASE_FEATURES.findIndex((x) => x.name === 'recency_days');
  const monetary = BASE_FEATURES.findIndex((x) => x.name === 'monetary');
  const missing = num.columns[recency]!;
  for (let r = 0; r < num.rowCount; r++) {
    if (!Number.isNaN(missing[r]!)) continue;
    for (let c = 0; c < cols; c++) num.columns[c]![r] = c === recency ? windowDays + 1 : 0;
  }
  const ids = await db.columns(`SELECT member_id FROM ${quoteIdent(names.ids)} ORDER BY ord`);
  return {
    memberIds: (ids.columns[0] ?? []) as string[],
    values: toRowMajor(num.columns, num.rowCount),
    sales: Float64Array.from(num.columns[monetary]!),
  };
}
