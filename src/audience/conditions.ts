/**
 * Conditions of rule-based audiences over the third-party universe (demographics, interests,
 * regions, search topics), each with a ladder of loosenings that ends with dropping it, and the
 * SQL that gives every profile the loosest rung it needs on every condition (its signature).
 */
import { searchTermsSql } from '../features/search-terms.ts';
import { AGE_BANDS, InvalidInputError } from '../schema/index.ts';
import { quoteIdent, quoteLiteral, type SqlRunner } from '../store/index.ts';
import { valueLabel } from './labels.ts';

export type Condition =
  | { kind: 'gender'; values: readonly string[] }
  | { kind: 'age_band'; values: readonly string[] }
  | { kind: 'region'; values: readonly string[] }
  /** Browsed an interest category at least `minVisits` times (default 1). */
  | { kind: 'interest'; category: string; minVisits?: number }
  /** Searched a term (a search topic, see `searchTerms`). */
  | { kind: 'search'; term: string };

/** One rung of a condition's ladder: rung 0 is the condition as given, the last rung drops it. */
export interface Rung {
  label: string;
  /** The same in Japanese, with the values as a marketer says them (30代, 東京都, 料理・レシピ). */
  labelJa: string;
  /** SQL boolean over the profile row `p`, interest visits `iv{j}` and search flag `sf{j}`; null when dropped. */
  sql: string | null;
  /** The condition this rung is (a widened or lowered one), null when dropped: what an audience takes. */
  condition: Condition | null;
}

const known = new Set<string>(AGE_BANDS);

function list(values: readonly string[]): string {
  return values.map((v) => quoteLiteral(String(v))).join(', ');
}

function describe(c: Condition): string {
  switch (c.kind) {
    case 'gender':
      return `gender in (${c.values.join(', ')})`;
    case 'age_band':
      return `age in (${c.values.join(', ')})`;
    case 'region':
      return `region in (${c.values.join(', ')})`;
    case 'interest':
      return `${c.category} visits >= ${c.minVisits ?? 1}`;
    case 'search':
      return `searched "${c.term}"`;
  }
}

const ja = (field: 'gender' | 'age_band' | 'region' | 'interest', values: readonly string[]) =>
  values.map((v) => valueLabel(field, v).ja).join('・');

/** The condition as a marketer reads it: 性別: 女性, 年代: 30代, 料理・レシピを1回以上閲覧. */
export function describeJa(c: Condition): string {
  switch (c.kind) {
    case 'gender':
      return `性別: ${ja('gender', c.values)}`;
    case 'age_band':
      return `年代: ${ja('age_band', c.values)}`;
    case 'region':
      return `地域: ${ja('region', c.values)}`;
    case 'interest':
      return `${ja('interest', [c.category])}を${c.minVisits ?? 1}回以上閲覧`;
    case 'search':
      return `「${c.term}」を検索`;
  }
}

/** Checks a condition list and returns each condition's ladder. */
export function ladders(conditions: readonly Condition[]): Rung[][] {
  if (!Array.isArray(conditions) || conditions.length === 0) {
    throw new InvalidInputError('conditions must be a non-empty list', 'conditions');
  }
  return conditions.map(ladderOf);
}

/** The ladder of condition `j`: the condition as given, its loosenings, then dropping it. */
function ladderOf(c: Condition, j: number): Rung[] {
  const field = `conditions[${j}]`;
  const drop: Rung = {
    label: `drop ${describe(c)}`,
    labelJa: `条件「${describeJa(c)}」を外す`,
    sql: null,
    condition: null,
  };
  switch (c?.kind) {
    case 'gender':
    case 'region': {
      if (!Array.isArray(c.values) || !c.values.length)
        throw new InvalidInputError(`${field}.values must be a non-empty list`, field);
      const col = c.kind === 'gender' ? 'p.gender' : 'p.region';
      return [
        { label: describe(c), labelJa: describeJa(c), sql: `${col} IN (${list(c.values)})`, condition: c },
        drop,
      ];
    }
    case 'age_band':
      return [...ageBandRungs(c, field), drop];
    case 'interest':
      return [...interestRungs(c, j, field), drop];
    case 'search': {
      if (!c.term) throw new InvalidInputError(`${field} needs a term`, field);
      return [
        { label: describe(c), labelJa: describeJa(c), sql: `coalesce(sf${j}, false)`, condition: c },
        drop,
      ];
    }
    default:
      throw new InvalidInputError(
        `${field}: unknown condition kind ${JSON.stringify((c as { kind?: unknown })?.kind)}; use gender, age_band, region, interest or search`,
        field,
      );
  }
}

/** The bands as given, then widened by the neighbouring band on each side (never to the last). */
function ageBandRungs(c: Extract<Condition, { kind: 'age_band' }>, field: string): Rung[] {
  const values: readonly string[] = c.values;
  if (!Array.isArray(values) || !values.length)
    throw new InvalidInputError(`${field}.values must be a non-empty list`, field);
  for (const v of values) {
    if (!known.has(v))
      throw new InvalidInputError(`${field}: unknown age band "${v}"; use ${AGE_BANDS.join(', ')}`, field);
  }
  const idx = values.map((v) => AGE_BANDS.indexOf(v as (typeof AGE_BANDS)[number]));
  const wider = new Set<string>(values);
  for (const i of idx) {
    for (const k of [i - 1, i + 1]) if (k >= 0 && k < AGE_BANDS.length - 1) wider.add(AGE_BANDS[k]!);
  }
  const rungs: Rung[] = [
    { label: describe(c), labelJa: describeJa(c), sql: `p.age_band IN (${list(values)})`, condition: c },
  ];
  if (wider.size > values.length) {
    const w = AGE_BANDS.filter((b) => wider.has(b));
    rungs.push({
      label: `widen to age in (${w.join(', ')})`,
      labelJa: `年代を${ja('age_band', w)}に広げる`,
      sql: `p.age_band IN (${list(w)})`,
      condition: { kind: 'age_band', values: w },
    });
  }
  return rungs;
}

/** The visits as given, then halved down to 1. */
function interestRungs(c: Extract<Condition, { kind: 'interest' }>, j: number, field: string): Rung[] {
  const m = c.minVisits ?? 1;
  if (!c.category || !Number.isInteger(m) || m < 1) {
    throw new InvalidInputError(`${field} needs a category and a whole minVisits >= 1`, field);
  }
  const rungs: Rung[] = [];
  for (let v = m; v >= 1; v = v === 1 ? 0 : Math.max(1, Math.floor(v / 2))) {
    rungs.push({
      label: v === m ? describe(c) : `lower to ${c.category} visits >= ${v}`,
      labelJa: v === m ? describeJa(c) : `${ja('interest', [c.category])}の閲覧回数を${v}回以上に下げる`,
      sql: `coalesce(iv${j}, 0) >= ${v}`,
      condition: { kind: 'interest', category: c.category, minVisits: v },
    });
  }
  return rungs;
}

/**
 * SQL giving each row of `rowsTable` (id, r) its signature: sum over conditions of
 * (loosest-needed rung) x radix, ordered by r.
 */
export function signatureSql(
  conditions: readonly Condition[],
  rungs: readonly Rung[][],
  rowsTable: string,
): string {
  const joins: string[] = [];
  const interestCols: string[] = [];
  const searchCols: string[] = [];
  conditions.forEach((c, j) => {
    if (c.kind === 'interest') {
      interestCols.push(`max(visits) FILTER (WHERE category = ${quoteLiteral(c.category)}) AS iv${j}`);
    }
    if (c.kind === 'search') {
      searchCols.push(
        `bool_or(list_contains(terms, ${quoteLiteral(c.term.normalize('NFKC').toLowerCase())})) AS sf${j}`,
      );
    }
  });
  if (interestCols.length) {
    joins.push(
      `LEFT JOIN (SELECT tp_id, ${interestCols.join(', ')} FROM tp_interests GROUP BY tp_id) i ON i.tp_id = u.id`,
    );
  }
  if (searchCols.length) {
    joins.push(
      `LEFT JOIN (SELECT tp_id, ${searchCols.join(', ')} FROM (SELECT tp_id, ${searchTermsSql('query')} AS terms FROM tp_searches) GROUP BY tp_id) s ON s.tp_id = u.id`,
    );
  }
  let radix = 1;
  const parts: string[] = [];
  rungs.forEach((ladder) => {
    // The first rung the row satisfies; the last rung (dropped) always holds.
    const cases = ladder
      .slice(0, -1)
      .map((r, k) => `WHEN ${r.sql} THEN ${k}`)
      .join(' ');
    parts.push(`(CASE ${cases} ELSE ${ladder.length - 1} END) * ${radix}`);
    radix *= ladder.length;
  });
  return `SELECT (${parts.join(' + ')})::DOUBLE AS sig FROM ${quoteIdent(rowsTable)} u
          LEFT JOIN tp_profiles p ON p.tp_id = u.id ${joins.join(' ')} ORDER BY u.r`;
}

/**
 * Which rows of `rowsTable` (id, r) meet every condition as given: 1 or 0 per row, indexed by r.
 * A row meets them all exactly when its signature is 0 (rung 0 on every condition).
 */
export async function rowsMeeting(
  db: SqlRunner,
  rowsTable: string,
  conditions: readonly Condition[],
): Promise<Uint8Array> {
  const sigs = (await db.numeric(signatureSql(conditions, ladders(conditions), rowsTable))).columns[0]!;
  const out = new Uint8Array(sigs.length);
  for (let r = 0; r < sigs.length; r++) out[r] = sigs[r] === 0 ? 1 : 0;
  return out;
}
