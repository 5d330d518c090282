/**
 * The counts and shares in data/needs/README.md, computed from the corpus files: per theme, the
 * need table (labels, unmet, focus, train, test), the share of short, long and emoji texts, and,
 * for the natural-text batch, the shares of its hand tags (corpus/tags/<theme>.jsonl: adversative,
 * negation, rhetorical, …) and how often each adversative form occurs in it.
 *
 *   npx tsx scripts/needs-corpus/stats.ts           rewrite the section between the README markers
 *   npx tsx scripts/needs-corpus/stats.ts --check   exit 1 when the README section is out of date
 *   npx tsx scripts/needs-corpus/stats.ts --print   print the section only
 */
import { nodeNeedFiles } from '../../src/adapters/index.ts';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CorpusRow } from '../../src/needs/themes/corpus.ts';
import { loadCorpus } from '../../src/needs/themes/corpus.ts';
import { listThemes, loadTheme } from '../../src/needs/themes/themes.ts';
import { CORPUS_DIR, hasEmoji, isLong, isShort, LONG_MIN_SENTENCES, SHORT_MAX_CHARS } from './lines.ts';

const README = fileURLToPath(new URL('../../data/needs/README.md', import.meta.url));
const BEGIN = '<!-- corpus-stats:begin (npx tsx scripts/needs-corpus/stats.ts) -->';
const END = '<!-- corpus-stats:end -->';

/** Hand tags, in the order the README lists them, with what each one means. */
const TAGS: [tag: string, meaning: string][] = [
  ['adversative', 'an adversative or concessive marker that contrasts two clauses'],
  ['two_adversatives', 'two or more of them'],
  ['final_adversative', 'a sentence-final けど / のに (softening, no focus)'],
  ['non_adversative_marker', 'でも "even", のに "for", ただ "just" and the like'],
  ['negation_unmet', 'a negation that makes a need unmet (「カリッとしない」)'],
  ['negation_met', 'a negation that leaves the need met (「予熱いらず」「油を使わないのに」)'],
  ['double_negation', 'a double negation (「おいしくないわけじゃない」)'],
  ['rhetorical', 'a rhetorical 「〜じゃない？ / 〜くない？」'],
  ['indirect', 'a need stated without its obvious keyword (「朝は5分しかない」)'],
  ['search_phrase', 'a search-box phrase'],
  ['question', 'a question (Q&A site, chat)'],
];

/** Surface forms counted in the batch's adversative lines (a form inside a longer one counts too). */
const FORMS = [
  'けど',
  'けれど',
  'けれども',
  'だけど',
  'なんだけど',
  'が、',
  'ですが',
  'だが',
  'のに',
  'なのに',
  'しかし',
  'でも',
  'それでも',
  'ただ、',
  'ただし',
  'ものの',
  'とはいえ',
  'とは言っても',
  '一方で',
  'にもかかわらず',
  '反面',
  'わりに',
  '割に',
  'くせに',
  'その代わり',
  'ところが',
];

interface TagLine {
  id: string;
  tags: string[];
}

function readTags(theme: string): Map<string, string[]> {
  const path = join(CORPUS_DIR, 'tags', `${theme}.jsonl`);
  const out = new Map<string, string[]>();
  if (!existsSync(path)) return out;
  const known = new Set(TAGS.map(([t]) => t));
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      const { id, tags } = JSON.parse(line) as TagLine;
      const bad = tags.find((t) => !known.has(t));
      if (bad !== undefined) throw new Error(`${path} line ${i + 1}: unknown tag "${bad}"`);
      out.set(id, tags);
    });
  return out;
}

const pct = (n: number, of: number) => (of === 0 ? '—' : `${Math.round((100 * n) / of)}%`);

function needTable(rows: readonly CorpusRow[], needIds: readonly string[]): string[] {
  const out = ['| need | labels | unmet | focus | train | test |', '|---|---:|---:|---:|---:|---:|'];
  for (const id of needIds) {
    const has = rows.filter((r) => r.labels.includes(id));
    const cells = [
      has.length,
      rows.filter((r) => r.unmet.includes(id)).length,
      rows.filter((r) => r.focus.includes(id)).length,
      has.filter((r) => r.split === 'train').length,
      has.filter((r) => r.split === 'test').length,
    ];
    out.push(`| ${id} | ${cells.join(' | ')} |`);
  }
  return out;
}

function themeSection(theme: string): string[] {
  const taxonomy = loadTheme(nodeNeedFiles, theme);
  const rows = loadCorpus(nodeNeedFiles, taxonomy).rows;
  const tags = readTags(theme);
  const batch = rows.filter((r) => tags.has(r.id));
  const older = rows.filter((r) => !tags.has(r.id));
  const count = (rs: readonly CorpusRow[], f: (r: CorpusRow) => boolean) => rs.filter(f).length;
  const test = count(rows, (r) => r.split === 'test');
  const out = [
    `**${theme}**: ${rows.length} texts (train ${rows.length - test}, test ${test}); ` +
      `no need: ${count(rows, (r) => r.labels.length === 0)}; with focus: ${count(rows, (r) => r.focus.length > 0)}`,
    '',
    ...needTable(
      rows,
      taxonomy.needs.map((n) => n.id),
    ),
    '',
    `| share of texts | all (${rows.length}) | earlier lines (${older.length}) | natural-text batch (${batch.length}) |`,
    '|---|---:|---:|---:|',
  ];
  const shapes: [string, (r: CorpusRow) => boolean][] = [
    [`short (≤ ${SHORT_MAX_CHARS} chars)`, (r) => isShort(r.text)],
    [`long (≥ ${LONG_MIN_SENTENCES} sentences)`, (r) => isLong(r.text)],
    ['emoji or kaomoji', (r) => hasEmoji(r.text)],
    ['with focus', (r) => r.focus.length > 0],
    ['with an unmet need', (r) => r.unmet.length > 0],
    ['no need', (r) => r.labels.length === 0],
    ['test split', (r) => r.split === 'test'],
  ];
  for (const [name, f] of shapes) {
    out.push(
      `| ${name} | ${pct(count(rows, f), rows.length)} | ${pct(count(older, f), older.length)} | ${pct(count(batch, f), batch.length)} |`,
    );
  }
  if (batch.length > 0) {
    const tagged = (t: string) => batch.filter((r) => tags.get(r.id)!.includes(t)).length;
    const negation = batch.filter((r) =>
      tags.get(r.id)!.some((t) => t === 'negation_unmet' || t === 'negation_met' || t === 'double_negation'),
    ).length;
    out.push(
      '',
      `Natural-text batch, hand tags: ` +
        TAGS.map(([t]) => `${t.replaceAll('_', ' ')} ${pct(tagged(t), batch.length)}`).join(', ') +
        `; any negation ${pct(negation, batch.length)}.`,
    );
    const contrast = batch.filter((r) =>
      tags.get(r.id)!.some((t) => t === 'adversative' || t === 'final_adversative'),
    );
    out.push(
      '',
      `Adversative forms in the batch's ${contrast.length} contrast lines (surface counts): ` +
        FORMS.map((f) => `${f} ${contrast.filter((r) => r.text.includes(f)).length}`).join(', ') +
        '.',
    );
  }
  return out;
}

function section(): string {
  const lines = [BEGIN, '', 'Computed from the files by `scripts/needs-corpus/stats.ts`.', ''];
  for (const theme of listThemes(nodeNeedFiles)) lines.push(...themeSection(theme), '');
  lines.push(
    'Hand tags (`corpus/tags/<theme>.jsonl`, natural-text batch only):',
    '',
    ...TAGS.map(([t, meaning]) => `- \`${t}\`: ${meaning}`),
    '',
    END,
  );
  return lines.join('\n');
}

const text = section();
if (process.argv.includes('--print')) {
  console.log(text);
} else {
  const readme = readFileSync(README, 'utf8');
  const from = readme.indexOf(BEGIN);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`${README}: no "${BEGIN}" … "${END}" section to fill`);
  const updated = readme.slice(0, from) + text + readme.slice(to + END.length);
  if (process.argv.includes('--check')) {
    if (updated !== readme) {
      console.error(`${README} is out of date: run npx tsx scripts/needs-corpus/stats.ts`);
      process.exit(1);
    }
  } else writeFileSync(README, updated);
}
