import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The held-out set is data only: it is checked here without any code from src, so that nothing in the
// classifier's own stack can make a broken or leaked set look right.
const ROOT = join(import.meta.dirname, '..', '..');
const EVAL_DIR = join(ROOT, 'data', 'needs', 'eval');
const SET_FILE = join(EVAL_DIR, 'convection_oven.jsonl');
const README_FILE = join(EVAL_DIR, 'README.md');
const TRAINING_SOURCES = [
  ...readdirSync(join(ROOT, 'data', 'needs', 'corpus'))
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => join(ROOT, 'data', 'needs', 'corpus', f)),
  join(ROOT, 'data', 'sample', 'text-phrases.json'),
];

const NEEDS = ['time_saving', 'healthy', 'baking', 'space', 'cleaning', 'cost', 'taste'] as const;
const STYLES = ['review', 'blog', 'sns', 'qa', 'chat', 'search'] as const;
const NEGATIONS = ['flips', 'keeps'] as const;
const FORMS = [
  'けど',
  'だけど',
  'けれど',
  'けれども',
  'が',
  'のに',
  'しかし',
  'でも',
  'ただ',
  'ただし',
  'ものの',
  'とはいえ',
  '一方で',
  'にもかかわらず',
  'それでも',
  '反面',
  'わりに',
  'くせに',
  'その代わり',
  'とは言っても',
] as const;
// Spellings folded into a form (README "Labelling conventions"): the text must contain one of them.
const FORM_SPELLINGS: Partial<Record<string, string[]>> = { わりに: ['わりに', '割に'] };
const LOOKALIKES = ['でも', 'のに', 'けど', 'ですが', 'ますが', 'ただ'];
const KEYS = ['id', 'text', 'labels', 'unmet', 'focus', 'form', 'style', 'negation'];

interface EvalRow {
  id: string;
  text: string;
  labels: string[];
  unmet: string[];
  focus: string[];
  form: string | null;
  style: string;
  negation: string | null;
}

/** Everything wrong with one parsed line, as messages naming the line, the field and what was expected. */
function problemsOf(value: unknown, line: number): string[] {
  const at = `line ${line}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [`${at}: expected an object`];
  const row = value as Record<string, unknown>;
  const problems: string[] = [];
  const keys = Object.keys(row);
  if (keys.join(',') !== KEYS.join(','))
    problems.push(`${at}: keys ${keys.join(',')}, expected ${KEYS.join(',')}`);
  const expectedId = `ev-co-${String(line).padStart(4, '0')}`;
  if (row.id !== expectedId) problems.push(`${at}: id ${JSON.stringify(row.id)}, expected "${expectedId}"`);
  if (typeof row.text !== 'string' || row.text.trim() === '')
    problems.push(`${at}: text must be a non-empty string`);
  const lists: Record<string, string[]> = {};
  for (const field of ['labels', 'unmet', 'focus'] as const) {
    const list = row[field];
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
      problems.push(`${at}: ${field} must be an array of need ids`);
      lists[field] = [];
      continue;
    }
    lists[field] = list;
    const unknown = list.filter((x) => !(NEEDS as readonly string[]).includes(x));
    if (unknown.length > 0) problems.push(`${at}: ${field} has unknown need ${unknown.join(',')}`);
    const canonical = NEEDS.filter((n) => list.includes(n));
    if (unknown.length === 0 && list.join(',') !== canonical.join(',')) {
      problems.push(`${at}: ${field} [${list.join(',')}] is not in need order or repeats a need`);
    }
  }
  for (const field of ['unmet', 'focus'] as const) {
    const outside = lists[field]!.filter((n) => !lists.labels!.includes(n));
    if (outside.length > 0) problems.push(`${at}: ${field} has ${outside.join(',')} which is not in labels`);
  }
  const form = row.form;
  if (form === null) {
    if (lists.focus!.length > 0) problems.push(`${at}: focus is set but form is null`);
  } else if (typeof form !== 'string' || !(FORMS as readonly string[]).includes(form)) {
    problems.push(`${at}: form ${JSON.stringify(form)} is not one of ${FORMS.join(' ')}`);
  } else if (typeof row.text === 'string') {
    const spellings = FORM_SPELLINGS[form] ?? [form];
    if (!spellings.some((s) => (row.text as string).includes(s)))
      problems.push(`${at}: form ${form} not in text`);
  }
  if (!(STYLES as readonly unknown[]).includes(row.style)) {
    problems.push(`${at}: style ${JSON.stringify(row.style)}, expected one of ${STYLES.join(' ')}`);
  }
  if (row.negation !== null && !(NEGATIONS as readonly unknown[]).includes(row.negation)) {
    problems.push(`${at}: negation ${JSON.stringify(row.negation)}, expected flips, keeps or null`);
  }
  return problems;
}

function parseLines(raw: string): { rows: EvalRow[]; problems: string[] } {
  const problems: string[] = [];
  if (raw.startsWith('\uFEFF')) problems.push('file starts with a BOM');
  if (!raw.endsWith('\n')) problems.push('file does not end with a newline');
  const rows: EvalRow[] = [];
  raw
    .replace(/\n$/, '')
    .split('\n')
    .forEach((text, i) => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        problems.push(`line ${i + 1}: not JSON (${(e as Error).message})`);
        return;
      }
      const found = problemsOf(value, i + 1);
      problems.push(...found);
      if (found.length === 0) rows.push(value as EvalRow);
    });
  return { rows, problems };
}

/** The rows of the Markdown table under `### heading`, keyed by first cell, as numbers. */
function readmeTable(markdown: string, heading: string): Map<string, number[]> {
  const lines = markdown.split('\n');
  const start = lines.indexOf(`### ${heading}`);
  if (start < 0) throw new Error(`README.md has no "### ${heading}" section`);
  const table: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('|')) table.push(line);
    else if (table.length > 0) break;
  }
  return new Map(
    table.slice(2).map((line) => {
      const cells = line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
      return [cells[0]!, cells.slice(1).map(Number)];
    }),
  );
}

const normalise = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]/gu, '');

function trigrams(s: string): Set<string> {
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= s.length; i++) grams.add(s.slice(i, i + 3));
  return grams;
}

function stringsIn(value: unknown, out: string[]): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out);
  else if (typeof value === 'object' && value !== null)
    for (const v of Object.values(value)) stringsIn(v, out);
  return out;
}

/** Eval ids whose text equals, sits inside, or shares >= `threshold` of its trigrams with a training string. */
function leakedIds(rows: EvalRow[], trainingStrings: string[], threshold: number): string[] {
  const training = trainingStrings
    .map(normalise)
    .filter((s) => s.length >= 3)
    .map((s) => ({ s, grams: trigrams(s) }));
  const leaked: string[] = [];
  for (const row of rows) {
    const text = normalise(row.text);
    const grams = trigrams(text);
    const hit = training.some((t) => {
      if (t.s === text || (text.length >= 6 && t.s.includes(text))) return true;
      let shared = 0;
      for (const g of grams) if (t.grams.has(g)) shared++;
      return shared / (grams.size + t.grams.size - shared) >= threshold;
    });
    if (hit) leaked.push(row.id);
  }
  return leaked;
}

const countWhere = (rows: EvalRow[], pred: (r: EvalRow) => boolean) => rows.filter(pred).length;

describe('held-out need evaluation set (data/needs/eval)', () => {
  const raw = readFileSync(SET_FILE, 'utf8');
  const { rows, problems } = parseLines(raw);
  const readme = readFileSync(README_FILE, 'utf8');

  it('is one valid, well-formed JSON object per line with unique ids in file order', () => {
    expect(problems).toEqual([]);
    expect(rows.length).toBe(raw.replace(/\n$/, '').split('\n').length);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    expect(new Set(rows.map((r) => normalise(r.text))).size).toBe(rows.length);
  });

  it('reports each kind of broken line with its line number and field', () => {
    const good = {
      id: 'ev-co-0001',
      text: '高いけど買ってよかった',
      labels: ['cost'],
      unmet: ['cost'],
      focus: [],
      form: 'けど',
      style: 'review',
      negation: null,
    };
    expect(problemsOf(good, 1)).toEqual([]);
    expect(problemsOf({ ...good, unmet: ['taste'] }, 1)).toEqual([
      'line 1: unmet has taste which is not in labels',
    ]);
    expect(problemsOf({ ...good, focus: ['baking'] }, 1)).toEqual([
      'line 1: focus has baking which is not in labels',
    ]);
    expect(problemsOf({ ...good, form: null, focus: ['cost'] }, 1)).toEqual([
      'line 1: focus is set but form is null',
    ]);
    expect(problemsOf({ ...good, labels: ['price'], unmet: [] }, 1)).toEqual([
      'line 1: labels has unknown need price',
    ]);
    expect(problemsOf({ ...good, labels: ['taste', 'cost'] }, 1)).toEqual([
      'line 1: labels [taste,cost] is not in need order or repeats a need',
    ]);
    expect(problemsOf({ ...good, form: 'しかし' }, 1)).toEqual(['line 1: form しかし not in text']);
    expect(problemsOf({ ...good, form: 'but' }, 1)[0]).toMatch(/^line 1: form "but" is not one of けど/);
    expect(problemsOf(good, 2)).toEqual(['line 2: id "ev-co-0001", expected "ev-co-0002"']);
    expect(problemsOf({ ...good, style: 'tweet' }, 1)[0]).toMatch(
      /^line 1: style "tweet", expected one of review/,
    );
    expect(problemsOf({ ...good, negation: 'yes' }, 1)).toEqual([
      'line 1: negation "yes", expected flips, keeps or null',
    ]);
    const { id: _id, ...withoutId } = good;
    expect(problemsOf(withoutId, 1)[0]).toMatch(/^line 1: keys text,labels/);
    const withBom = parseLines('\uFEFF{"id":1}\n').problems;
    expect(withBom[0]).toBe('file starts with a BOM');
    expect(withBom[1]).toMatch(/^line 1: not JSON/);
    expect(parseLines('{"id":1}\n').problems[0]).toBe(
      'line 1: keys id, expected id,text,labels,unmet,focus,form,style,negation',
    );
    expect(parseLines('{oops').problems).toEqual([
      'file does not end with a newline',
      expect.stringMatching(/^line 1: not JSON/),
    ]);
  });

  it('has the size and coverage its brief asks for', () => {
    expect(rows.length).toBeGreaterThanOrEqual(240);
    const adversative = countWhere(rows, (r) => r.form !== null);
    expect(adversative).toBeGreaterThanOrEqual(60);
    for (const form of FORMS)
      expect(
        countWhere(rows, (r) => r.form === form),
        form,
      ).toBeGreaterThanOrEqual(3);
    const noNeed = countWhere(rows, (r) => r.labels.length === 0) / rows.length;
    expect(noNeed).toBeGreaterThan(0.05);
    expect(noNeed).toBeLessThan(0.12);
    for (const style of STYLES)
      expect(
        countWhere(rows, (r) => r.style === style),
        style,
      ).toBeGreaterThan(20);
    for (const need of NEEDS)
      expect(
        countWhere(rows, (r) => r.unmet.includes(need)),
        need,
      ).toBeGreaterThan(5);
  });

  it('matches every count table in its README', () => {
    const expectTable = (heading: string, expected: [string, ...number[]][]) =>
      expect([...readmeTable(readme, heading)], heading).toEqual(expected.map(([k, ...v]) => [k, v]));
    const count = (pred: (r: EvalRow) => boolean) => countWhere(rows, pred);
    expectTable('Totals', [
      ['texts', rows.length],
      ['with at least one need', count((r) => r.labels.length > 0)],
      ['with no need', count((r) => r.labels.length === 0)],
      ['with two or more needs', count((r) => r.labels.length >= 2)],
      ['with an unmet need', count((r) => r.unmet.length > 0)],
      ['with an adversative (form set)', count((r) => r.form !== null)],
      ['adversative with a need in the focus clause', count((r) => r.form !== null && r.focus.length > 0)],
      ['adversative with an empty focus', count((r) => r.form !== null && r.focus.length === 0)],
      // A sentence end (or line break) with more text after it.
      ['with more than one sentence', count((r) => /[。！？!?\n]./u.test(r.text.trim()))],
    ]);
    expectTable(
      'Per need',
      NEEDS.map((n) => {
        const labelled = count((r) => r.labels.includes(n));
        const unmet = count((r) => r.unmet.includes(n));
        return [
          n,
          labelled,
          unmet,
          count((r) => r.labels.includes(n) && !r.unmet.includes(n)),
          count((r) => r.focus.includes(n)),
        ];
      }),
    );
    expectTable(
      'Per adversative form',
      FORMS.map((f) => [f, count((r) => r.form === f), count((r) => r.form === f && r.focus.length > 0)]),
    );
    expectTable(
      'Per style',
      STYLES.map((s) => [s, count((r) => r.style === s)]),
    );
    expectTable('Negation', [
      ['flips', count((r) => r.negation === 'flips')],
      ['keeps', count((r) => r.negation === 'keeps')],
      ['none', count((r) => r.negation === null)],
    ]);
    expectTable(
      'Look-alikes in texts without an adversative',
      LOOKALIKES.map((s) => [s, count((r) => r.form === null && r.text.includes(s))]),
    );
  });

  it('shares no text with the training corpus or the sample-text phrases', () => {
    const training: string[] = [];
    for (const file of TRAINING_SOURCES) {
      const content = readFileSync(file, 'utf8');
      if (file.endsWith('.jsonl')) {
        for (const line of content.split('\n')) if (line.trim() !== '') stringsIn(JSON.parse(line), training);
      } else {
        stringsIn(JSON.parse(content), training);
      }
    }
    expect(training.length).toBeGreaterThan(1000);
    // Only our ids are reported, so a failure never prints training text into a log.
    expect(leakedIds(rows, training, 0.75)).toEqual([]);
  });

  it('detects a leaked text: exact, contained, or a near copy', () => {
    const row = (id: string, text: string): EvalRow => ({
      id,
      text,
      labels: [],
      unmet: [],
      focus: [],
      form: null,
      style: 'sns',
      negation: null,
    });
    const training = ['ノンフライヤーで焼いたポテトがカリカリで最高でした。', '電気代が気になる'];
    expect(
      leakedIds(
        [
          row('a', 'ノンフライヤーで焼いたポテトがカリカリで最高でした！'),
          row('b', 'ポテトがカリカリで最高'),
          row('c', 'ノンフライヤーで焼いたポテトがカリカリで最高だった'),
          row('d', '電気代が、気になる！！'),
          row('e', 'パンがふっくら焼けた'),
        ],
        training,
        0.75,
      ),
    ).toEqual(['a', 'b', 'c', 'd']);
  });
});
