import { type ColumnSpec, ImportFileError, TABLE_NAMES, TABLES, type TableName } from '../schema/index.ts';

/** How one target column gets its value. */
export type ColumnSource =
  | { kind: 'source'; index: number; name: string }
  | { kind: 'constant'; value: string }
  | { kind: 'default'; value: string }
  | { kind: 'derived'; sql: string }
  | { kind: 'absent' };

export interface ColumnPlan {
  spec: ColumnSpec;
  from: ColumnSource;
}

/** Column names compared loosely: `CustomerID`, `customer_id` and `Customer ID` are one name. */
export const looseName = (name: string) =>
  name.toLowerCase().replace(/[^a-z0-9\u3040-\u30ff\u4e00-\u9fff]/g, '');

/** Parses `A=b,C=d` (source=target pairs) as the CLI and API accept them. */
export function parsePairs(text: string | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new ImportFileError(`${what} "${pair}" is not of the form name=value`, what);
    out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return out;
}

/** Per table: the table columns the header names (loosely) and whether it names every required one. */
function tableMatches(
  header: readonly string[],
): { table: TableName; matched: string[]; complete: boolean }[] {
  const names = new Set(header.map(looseName));
  return TABLE_NAMES.map((table) => {
    const columns = TABLES[table].columns;
    return {
      table,
      matched: columns.filter((c) => names.has(looseName(c.name))).map((c) => c.name),
      complete: columns.filter((c) => c.required).every((c) => names.has(looseName(c.name))),
    };
  });
}

function guessTable(header: string[]): TableName | null {
  let best: { table: TableName; matched: string[] } | null = null;
  for (const m of tableMatches(header))
    if (m.complete && m.matched.length > (best?.matched.length ?? 0)) best = m;
  return best?.table ?? null;
}

/**
 * Refuses a plan that would import a file into the wrong table because a few names happen to
 * fit: when no required column of the table comes from the file itself (only constants), or,
 * without an explicit mapping, when the file names every required column of another table, at
 * least two more of that table's columns than of this one's, and this table would leave at
 * least half of the file's columns unread.
 */
function checkFit(
  table: TableName,
  header: string[],
  plan: ColumnPlan[],
  unused: string[],
  mapped: boolean,
  label: string,
): void {
  const required = plan.filter((p) => p.spec.required);
  if (!required.some((p) => p.from.kind === 'source')) {
    throw new ImportFileError(
      `${label} cannot be imported into ${table}: none of its required columns comes from the file ` +
        `(${required.map((p) => `${p.spec.name} is ${describeFrom(p.from)}`).join(', ')}), so every row would be the same. ` +
        `Map a file column to ${required[0]!.spec.name} with --map Source=${required[0]!.spec.name}.`,
      'columns',
    );
  }
  if (mapped || unused.length * 2 < header.length) return;
  const fromFile = plan.filter((p) => p.from.kind === 'source').map((p) => p.spec.name);
  const rival = tableMatches(header)
    .filter((m) => m.table !== table && m.complete && m.matched.length >= fromFile.length + 2)
    .sort((a, b) => b.matched.length - a.matched.length)[0];
  if (!rival) return;
  throw new ImportFileError(
    `${label} looks like a ${rival.table} file, not ${table}: it names ${rival.matched.length} of the ${TABLES[rival.table].columns.length} ` +
      `${rival.table} columns (${rival.matched.join(', ')}) but only ${fromFile.length} of the ${TABLES[table].columns.length} ${table} columns ` +
      `(${fromFile.join(', ')}), and ${unused.length} of its ${header.length} columns would be ignored. ` +
      `Import it into ${rival.table}, or map its columns explicitly (--map Source=target) to import it into ${table}.`,
    'columns',
    { looksLike: rival.table, matched: fromFile, rivalMatched: rival.matched },
  );
}

function describeFrom(from: ColumnSource): string {
  switch (from.kind) {
    case 'constant':
      return `the constant "${from.value}"`;
    case 'default':
      return `the default "${from.value}"`;
    case 'derived':
      return 'derived';
    default:
      return from.kind;
  }
}

/**
 * Decides, for every column of `table`, where its value comes from: an explicit mapping
 * (`source -> target`), a source column of the same (loose) name, a constant, the column's
 * default, a derivation, or nothing (never by position). A file that lacks a required column,
 * or that fits another table much better, fails here, before any row is read into the
 * workspace, with the columns it does have.
 */
/** The `--map` choices resolved to header columns, checked together with the `--set` constants. */
function explicitSources(
  table: TableName,
  header: string[],
  mapping: Readonly<Record<string, string>>,
  constants: Readonly<Record<string, string>>,
  label: string,
  bySource: ReadonlyMap<string, number>,
  byLoose: ReadonlyMap<string, number>,
): Map<string, { index: number; name: string }> {
  const spec = TABLES[table];
  const targets = new Map(spec.columns.map((c) => [c.name, c]));
  const explicit = new Map<string, { index: number; name: string }>();
  for (const [source, target] of Object.entries(mapping)) {
    if (!targets.has(target)) {
      throw new ImportFileError(
        `mapping "${source}=${target}": ${table} has no column "${target}"; its columns are ${spec.columns.map((c) => c.name).join(', ')}`,
        'map',
      );
    }
    const index = bySource.get(source) ?? byLoose.get(looseName(source));
    if (index === undefined) {
      throw new ImportFileError(
        `mapping "${source}=${target}": ${label} has no column "${source}"; it has ${header.join(', ')}`,
        'map',
      );
    }
    if (explicit.has(target))
      throw new ImportFileError(`mapping names two source columns for "${target}"`, 'map');
    explicit.set(target, { index, name: header[index]! });
  }
  for (const target of Object.keys(constants)) {
    if (!targets.has(target)) {
      throw new ImportFileError(
        `constant "${target}": ${table} has no such column; its columns are ${spec.columns.map((c) => c.name).join(', ')}`,
        'set',
      );
    }
    if (explicit.has(target))
      throw new ImportFileError(`"${target}" is both mapped from a column and set to a constant`, 'set');
  }
  return explicit;
}

export function planColumns(
  table: TableName,
  header: string[],
  mapping: Readonly<Record<string, string>> = {},
  constants: Readonly<Record<string, string>> = {},
  label = 'the file',
): { plan: ColumnPlan[]; unused: string[] } {
  const spec = TABLES[table];
  const bySource = new Map(header.map((h, i) => [h, i]));
  const byLoose = new Map<string, number>();
  header.forEach((h, i) => {
    if (!byLoose.has(looseName(h))) byLoose.set(looseName(h), i);
  });

  const explicit = explicitSources(table, header, mapping, constants, label, bySource, byLoose);

  const mappedSources = new Set([...explicit.values()].map((s) => s.index));
  const used = new Set<number>();
  const plan: ColumnPlan[] = spec.columns.map((c) => {
    const mapped = explicit.get(c.name);
    if (mapped) {
      used.add(mapped.index);
      return { spec: c, from: { kind: 'source', ...mapped } };
    }
    if (constants[c.name] !== undefined)
      return { spec: c, from: { kind: 'constant', value: constants[c.name]! } };
    const same = byLoose.get(looseName(c.name));
    if (same !== undefined && !mappedSources.has(same)) {
      used.add(same);
      return { spec: c, from: { kind: 'source', index: same, name: header[same]! } };
    }
    if (c.derive) return { spec: c, from: { kind: 'derived', sql: c.derive } };
    if (c.default !== undefined) return { spec: c, from: { kind: 'default', value: c.default } };
    return { spec: c, from: { kind: 'absent' } };
  });

  const missing = plan.filter((p) => p.spec.required && p.from.kind === 'absent').map((p) => p.spec.name);
  if (missing.length) {
    const guess = guessTable(header);
    const hint =
      guess && guess !== table
        ? ` It looks like a ${guess} file.`
        : ` Map source columns with --map Source=target (e.g. --map ${header[0] ?? 'Col'}=${missing[0]}).`;
    throw new ImportFileError(
      `${label} cannot be imported into ${table}: required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ` +
        `${missing.length > 1 ? 'are' : 'is'} missing. Found columns: ${header.join(', ')}.${hint}`,
      'columns',
      { missing, found: header },
    );
  }
  const unused = header.filter((_, i) => !used.has(i));
  checkFit(table, header, plan, unused, explicit.size > 0, label);
  return { plan, unused };
}
