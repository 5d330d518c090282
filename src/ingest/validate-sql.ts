import { assertUnreachable, type ColumnSpec, type RowRule } from '../schema/index.ts';
import { DUCKDB_TYPES, quoteIdent, quoteLiteral } from '../store/index.ts';
import type { ColumnPlan } from './columns.ts';
import { contactColumnSql } from './contact-columns.ts';

/** Spellings accepted for enum values, by canonical value; matched case-insensitively. */
const ENUM_SYNONYMS: Record<string, Record<string, readonly string[]>> = {
  gender: {
    female: ['female', 'f', 'woman', 'women', 'w', '女', '女性', 'おんな'],
    male: ['male', 'm', 'man', 'men', '男', '男性', 'おとこ'],
    unknown: ['unknown', 'u', 'x', 'other', 'na', 'n/a', '不明', 'その他', '未回答'],
  },
  channel: {
    store: ['store', 'shop', 'offline', 'pos', 'retail', '店舗', '実店舗'],
    ec: ['ec', 'online', 'web', 'internet', 'app', 'ネット', '通販', 'オンライン'],
  },
  age_band: {
    '10s': ['10s', '10代', '10-19', '13-19', '<20'],
    '20s': ['20s', '20代', '20-29', '18-24', '25-34'],
    '30s': ['30s', '30代', '30-39', '35-44'],
    '40s': ['40s', '40代', '40-49', '45-54'],
    '50s': ['50s', '50代', '50-59', '55-64'],
    '60s': ['60s', '60代', '60-69', '65+'],
    '70+': ['70+', '70s', '70代', '70代以上', '70-', '80s', '80代'],
    unknown: ['unknown', '不明', 'na', 'n/a'],
  },
};

const TRUE_WORDS = ['true', 't', '1', 'yes', 'y', 'はい', '有', 'あり'];
const FALSE_WORDS = ['false', 'f', '0', 'no', 'n', 'いいえ', '無', 'なし'];

const DATE_FORMATS = ['%Y-%m-%d', '%Y/%m/%d', '%Y%m%d', '%Y.%m.%d', '%Y年%m月%d日'];
const TIMESTAMP_FORMATS = [
  '%Y/%m/%d %H:%M:%S',
  '%Y/%m/%d %H:%M',
  '%m/%d/%Y %H:%M:%S',
  '%m/%d/%Y %H:%M',
  '%Y%m%d%H%M%S',
  '%Y%m%d %H%M%S',
  '%Y-%m-%d',
  '%Y/%m/%d',
  '%Y%m%d',
];

const list = (items: readonly string[]) => `[${items.map(quoteLiteral).join(', ')}]`;

interface ColumnSql {
  /** The parsed value from the raw text `r`, NULL when invalid; evaluated once per row. */
  value: string;
  /** Reason text when the value is invalid, else NULL; may refer to the parsed value `v`. */
  error: string;
}

/** Value and error expressions for one column whose raw, trimmed, non-empty text is `r` and parsed value `v`. */
function coerce(spec: ColumnSpec, r: string, v: string): ColumnSql {
  const quoted = `'"' || left(${r}, 80) || '"'`;
  switch (spec.type) {
    case 'id': {
      // Spreadsheet exports write integer IDs as floats: 17850.0 is member 17850.
      const value = `CASE WHEN ${r} LIKE '%.0%' THEN regexp_replace(${r}, '^(-?[0-9]+)\\.0+$', '\\1') ELSE ${r} END`;
      // strlen (bytes) bounds length (characters) from above, so most rows skip the UTF-8 count.
      return {
        value,
        error: `CASE WHEN strlen(${r}) > 256 AND length(${r}) > 256 THEN 'id is longer than 256 characters' END`,
      };
    }
    case 'text': {
      if (spec.format) return contactColumnSql(spec.format, r, v, quoted);
      const max = spec.maxLength ?? 100_000;
      return {
        value: r,
        error: `CASE WHEN strlen(${r}) > ${max} AND length(${r}) > ${max} THEN 'text is longer than ${max} characters' END`,
      };
    }
    case 'enum': {
      const synonyms = ENUM_SYNONYMS[spec.name] ?? {};
      const allowed = spec.values ?? [];
      const whens = allowed
        .map(
          (a) =>
            `WHEN lower(${r}) IN (${[a, ...(synonyms[a] ?? [])].map((x) => quoteLiteral(x.toLowerCase())).join(', ')}) THEN ${quoteLiteral(a)}`,
        )
        .join(' ');
      // Canonical spellings match as they are; only the others pay for lower().
      return {
        value: `CASE WHEN ${r} IN (${allowed.map(quoteLiteral).join(', ')}) THEN ${r} ${whens} END`,
        error: `CASE WHEN ${v} IS NULL THEN ${quoted} || ' is not one of ${allowed.join(', ')}' END`,
      };
    }
    case 'number':
    case 'integer': {
      const checks = [
        `WHEN ${v} IS NULL THEN ${quoted} || ' is not a number'`,
        `WHEN NOT isfinite(${v}) THEN ${quoted} || ' is not a finite number'`,
      ];
      if (spec.type === 'integer')
        checks.push(`WHEN ${v} <> floor(${v}) THEN ${quoted} || ' is not a whole number'`);
      if (spec.min !== undefined)
        checks.push(`WHEN ${v} < ${spec.min} THEN ${quoted} || ' is below the minimum ${spec.min}'`);
      if (spec.max !== undefined)
        checks.push(`WHEN ${v} > ${spec.max} THEN ${quoted} || ' is above the maximum ${spec.max}'`);
      return {
        // The regex only runs for values that are not plain numbers (¥1,280 and the like).
        value: `COALESCE(TRY_CAST(${r} AS DOUBLE), TRY_CAST(regexp_replace(${r}, '[,¥￥円$£€\\s]', '', 'g') AS DOUBLE))`,
        error: `CASE ${checks.join(' ')} END`,
      };
    }
    case 'date':
      return {
        value: `COALESCE(TRY_STRPTIME(${r}, ${list(DATE_FORMATS)}), TRY_CAST(${r} AS TIMESTAMP))::DATE`,
        error: `CASE WHEN ${v} IS NULL THEN ${quoted} || ' is not a date (expected YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD)'
                      WHEN year(${v}) NOT BETWEEN 1900 AND 2100 THEN ${quoted} || ' is outside the years 1900-2100' END`,
      };
    case 'timestamp':
      return {
        value: `COALESCE(TRY_CAST(${r} AS TIMESTAMP), TRY_STRPTIME(${r}, ${list(TIMESTAMP_FORMATS)}))`,
        error: `CASE WHEN ${v} IS NULL THEN ${quoted} || ' is not a date-time (expected YYYY-MM-DD HH:MM:SS)'
                      WHEN year(${v}) NOT BETWEEN 1970 AND 2100 THEN ${quoted} || ' is outside the years 1970-2100' END`,
      };
    case 'boolean':
      return {
        value: `CASE WHEN lower(${r}) IN (${TRUE_WORDS.map(quoteLiteral).join(', ')}) THEN true
                     WHEN lower(${r}) IN (${FALSE_WORDS.map(quoteLiteral).join(', ')}) THEN false END`,
        error: `CASE WHEN ${v} IS NULL THEN ${quoted} || ' is not true or false' END`,
      };
    default:
      return assertUnreachable(spec.type, 'column type');
  }
}

/** The raw text of one planned column, trimmed, NULL when empty. */
function rawExpr(plan: ColumnPlan): string {
  switch (plan.from.kind) {
    case 'source': {
      // trim() copies every value; most have no surrounding spaces, and the two prefix/suffix
      // tests cost a third of it.
      const c = `c${plan.from.index}`;
      return `CASE WHEN ${c} LIKE ' %' OR ${c} LIKE '% ' THEN NULLIF(trim(${c}), '') ELSE NULLIF(${c}, '') END`;
    }
    case 'constant':
    case 'default':
      return `NULLIF(trim(${quoteLiteral(plan.from.value)}), '')`;
    case 'derived':
    case 'absent':
      return 'NULL::VARCHAR';
    default:
      return assertUnreachable(plan.from, 'column source');
  }
}

const errCol = (name: string) => quoteIdent(`__e_${name}`);
const rawCol = (name: string) => quoteIdent(`__r_${name}`);
const valCol = (name: string) => quoteIdent(`__v_${name}`);
const ruleCol = (i: number) => quoteIdent(`__rule_${i}`);
const COLUMNS_OK = quoteIdent('__columns_ok');

export interface CheckedRowsInput {
  /** A relation with `_row`, `_line` and the source columns `c0..cN` as VARCHAR. */
  relation: string;
  plans: readonly ColumnPlan[];
  rules?: readonly RowRule[];
  /** Source column names, for the JSON record of a rejected row. */
  header: readonly string[];
}

/**
 * SQL that turns source text rows into typed rows: the target columns, `_ok`, and for rows that
 * are not ok the list of errors (column, reason, raw value) and the source record as JSON. A
 * clean row pays only for parsing and the checks; error texts, lists and records are built for
 * the rows that need them. One statement, run by DuckDB in parallel.
 */
export function checkedRowsSql(input: CheckedRowsInput): string {
  const { plans, rules = [] } = input;
  const exprs = plans.map((p) => ({ p, ...coerce(p.spec, rawCol(p.spec.name), valCol(p.spec.name)) }));
  const raws = plans.map((p) => `${rawExpr(p)} AS ${rawCol(p.spec.name)}`);
  const parsed = exprs.map(
    ({ p, value }) =>
      `CASE WHEN ${rawCol(p.spec.name)} IS NULL THEN NULL ELSE ${value} END AS ${valCol(p.spec.name)}`,
  );
  const checked = exprs.map(({ p, error }) => {
    const r = rawCol(p.spec.name);
    const missing = p.spec.required
      ? `WHEN ${r} IS NULL THEN 'missing value'`
      : `WHEN ${r} IS NULL THEN NULL`;
    return [
      `TRY_CAST(${valCol(p.spec.name)} AS ${DUCKDB_TYPES[p.spec.type]}) AS ${quoteIdent(p.spec.name)}`,
      `CASE ${missing} ELSE ${error} END AS ${errCol(p.spec.name)}`,
    ].join(', ');
  });
  const derived = plans
    .filter((p) => p.spec.derive)
    .map((p) => `COALESCE(${quoteIdent(p.spec.name)}, ${p.spec.derive}) AS ${quoteIdent(p.spec.name)}`);
  const columnsOk = plans.map((p) => `${errCol(p.spec.name)} IS NULL`).join(' AND ');
  // A rule is checked only on rows whose columns are otherwise valid, so one fault is reported once.
  const ruleReasons = rules.map((rule, i) => {
    const present = rule.columns.map((c) => `${quoteIdent(c)} IS NOT NULL`);
    return `CASE WHEN ${[COLUMNS_OK, ...present].join(' AND ')} AND (${rule.sql}) THEN ${quoteLiteral(rule.reason)} END AS ${ruleCol(i)}`;
  });
  const ok = [COLUMNS_OK, ...rules.map((_, i) => `${ruleCol(i)} IS NULL`)].join(' AND ');
  const errors = [
    ...plans.map(
      (p) =>
        `struct_pack(column_name := ${quoteLiteral(p.spec.name)}, reason := ${errCol(p.spec.name)}, value := ${rawCol(p.spec.name)})`,
    ),
    ...rules.map(
      (rule, i) =>
        `struct_pack(column_name := ${quoteLiteral(rule.columns.join(','))}, reason := ${ruleCol(i)},
                     value := concat_ws(',', ${rule.columns.map((c) => `CAST(${quoteIdent(c)} AS VARCHAR)`).join(', ')}))`,
    ),
  ];
  const record = `json_object(${input.header.map((h, i) => `${quoteLiteral(h)}, c${i}`).join(', ')})`;
  const names = plans.map((p) => quoteIdent(p.spec.name)).join(', ');
  return `WITH raw AS (SELECT *, ${raws.join(', ')} FROM ${input.relation}),
  parsed AS (SELECT *, ${parsed.join(', ')} FROM raw),
  typed AS (SELECT *, ${checked.join(', ')} FROM parsed),
  derived AS (SELECT * ${derived.length ? `REPLACE (${derived.join(', ')})` : ''} FROM typed),
  judged AS (SELECT *, ${columnsOk} AS ${COLUMNS_OK} FROM derived),
  ruled AS (SELECT *${ruleReasons.length ? `, ${ruleReasons.join(', ')}` : ''} FROM judged)
  SELECT _row, _line, ${names}, ${ok} AS _ok,
         CASE WHEN NOT (${ok}) THEN list_filter([${errors.join(', ')}], e -> e.reason IS NOT NULL) END AS _errors,
         CASE WHEN NOT (${ok}) THEN ${record} END AS _record
  FROM ruled`;
}
