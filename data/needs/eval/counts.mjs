// Counts for README.md, computed from convection_oven.jsonl so the tables are never typed by hand.
//   node data/needs/eval/counts.mjs          print the tables
//   node data/needs/eval/counts.mjs --write  replace the block between the markers in README.md
// test/needs/eval-set.test.ts recounts the file on its own and checks these tables.
import { readFileSync, writeFileSync } from 'node:fs';

const here = new URL('./', import.meta.url);
const NEEDS = ['time_saving', 'healthy', 'baking', 'space', 'cleaning', 'cost', 'taste'];
const STYLES = ['review', 'blog', 'sns', 'qa', 'chat', 'search'];
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
];
// Strings that look like an adversative but are not one in a text whose form is null
// (でも "even", のに "in order to", prefatory or trailing けど/が, ただ "just").
const LOOKALIKES = ['でも', 'のに', 'けど', 'ですが', 'ますが', 'ただ'];
const START = '<!-- counts:start (node data/needs/eval/counts.mjs --write) -->';
const END = '<!-- counts:end -->';

const rows = readFileSync(new URL('convection_oven.jsonl', here), 'utf8')
  .split('\n')
  .filter((line) => line.length > 0)
  .map((line) => JSON.parse(line));

const count = (pred) => rows.filter(pred).length;
const table = (head, body) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join(
    '\n',
  );

const adversative = rows.filter((r) => r.form !== null);
const sections = [
  '### Totals',
  '',
  table(
    ['what', 'texts'],
    [
      ['texts', rows.length],
      ['with at least one need', count((r) => r.labels.length > 0)],
      ['with no need', count((r) => r.labels.length === 0)],
      ['with two or more needs', count((r) => r.labels.length > 1)],
      ['with an unmet need', count((r) => r.unmet.length > 0)],
      ['with an adversative (form set)', adversative.length],
      ['adversative with a need in the focus clause', count((r) => r.focus.length > 0)],
      ['adversative with an empty focus', count((r) => r.form !== null && r.focus.length === 0)],
      ['with more than one sentence', count((r) => /[。！？!?\n]./u.test(r.text.trim()))],
    ],
  ),
  '',
  '### Per need',
  '',
  table(
    ['need', 'labels', 'unmet', 'met', 'focus'],
    NEEDS.map((n) => {
      const labelled = count((r) => r.labels.includes(n));
      const unmet = count((r) => r.unmet.includes(n));
      return [n, labelled, unmet, labelled - unmet, count((r) => r.focus.includes(n))];
    }),
  ),
  '',
  '### Per adversative form',
  '',
  table(
    ['form', 'texts', 'with focus'],
    FORMS.map((f) => [f, count((r) => r.form === f), count((r) => r.form === f && r.focus.length > 0)]),
  ),
  '',
  '### Per style',
  '',
  table(
    ['style', 'texts'],
    STYLES.map((s) => [s, count((r) => r.style === s)]),
  ),
  '',
  '### Negation',
  '',
  table(
    ['negation', 'texts'],
    [
      ['flips', count((r) => r.negation === 'flips')],
      ['keeps', count((r) => r.negation === 'keeps')],
      ['none', count((r) => r.negation === null)],
    ],
  ),
  '',
  '### Look-alikes in texts without an adversative',
  '',
  table(
    ['string', 'texts'],
    LOOKALIKES.map((s) => [s, count((r) => r.form === null && r.text.includes(s))]),
  ),
].join('\n');

if (process.argv.includes('--write')) {
  const readmeUrl = new URL('README.md', here);
  const readme = readFileSync(readmeUrl, 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md: expected the markers ${START} ... ${END}`);
  writeFileSync(readmeUrl, `${readme.slice(0, start + START.length)}\n\n${sections}\n\n${readme.slice(end)}`);
} else {
  console.log(sections);
}
