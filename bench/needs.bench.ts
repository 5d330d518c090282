/**
 * Need classification throughput: tokenize-only and full classify, on the calling thread and on
 * a worker pool, against MeCab's tokenize-only throughput on the same sentences (the reference;
 * Debian `mecab mecab-ipadic-utf8`). Ratios are ours / MeCab time: 5 means five times slower.
 *
 *   npx tsx bench/needs.bench.ts            smoke size (a few seconds)
 *   npx tsx bench/needs.bench.ts full       1,000 corpus sentences (one full batch) and 60 livedoor articles
 *   NEEDS_BENCH_TEXTS=500 npx tsx bench/needs.bench.ts   a custom number of short texts
 * Also runs under bench/run.ts as the `needs` bench.
 */

import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { findMecab, nodeNeedFiles, readLivedoor, tokenizeMecab, WorkerPool } from '../src/adapters/index.ts';
import {
  classifyTexts,
  DEFAULT_CORPUS_DIR,
  kuromojiTokenizer,
  listThemes,
  loadNeedClassifier,
  MAX_BATCH_TEXTS,
  normalizeText,
  poolTokenizer,
  splitSentences,
  type Tokenizer,
  TokenizerPool,
} from '../src/needs/index.ts';
import { type BenchModule, type BenchRow, type BenchSize, comparePair, runIfMain } from './lib.ts';

const LIVEDOOR = join(import.meta.dirname, '..', '..', 'shared', 'data', 'livedoor', 'ldcc_text.tar.gz');

/** Short consumer texts: the labelled corpora's sentences, repeated to `n`. */
function corpusTexts(n: number): string[] {
  const all: string[] = [];
  for (const theme of listThemes(nodeNeedFiles)) {
    const path = join(DEFAULT_CORPUS_DIR, `${theme}.jsonl`);
    if (!existsSync(path)) continue;
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line.trim()) all.push((JSON.parse(line) as { text: string }).text);
    }
  }
  return Array.from({ length: n }, (_, i) => all[i % all.length]!);
}

/** Long texts: livedoor articles cut to the 5,000-character limit, when the corpus is present. */
function articleTexts(n: number): string[] {
  if (!existsSync(LIVEDOOR)) return [];
  return readLivedoor(LIVEDOOR)
    .filter((_, i) => i % 20 === 0)
    .slice(0, n)
    .map((d) => `${d.title}\n${d.body}`.slice(0, 5_000));
}

const sentencesOf = (texts: readonly string[]) => texts.flatMap((t) => splitSentences(normalizeText(t).text));

async function scenario(
  label: string,
  texts: string[],
  size: BenchSize,
  pool: TokenizerPool,
  mecab: Awaited<ReturnType<typeof findMecab>>,
): Promise<BenchRow[]> {
  const sentences = sentencesOf(texts);
  const chars = texts.reduce((s, t) => s + t.length, 0);
  const pooled = poolTokenizer(pool);
  const clf = await loadNeedClassifier(nodeNeedFiles, 'convection_oven');
  const reference = mecab ? () => tokenizeMecab(mecab, sentences) : null;
  // One timed run per round (after one warmup run): a livedoor pass takes seconds on kuromoji.
  const options = { rounds: size === 'smoke' ? 1 : 3, iterations: 1 };
  const tasks: [string, string, () => Promise<unknown>][] = [
    ['tokenize', 'kuromoji, calling thread', () => kuromojiTokenizer.tokenize(sentences)],
    ['tokenize', `kuromoji, pool of ${pool.size}`, () => pooled.tokenize(sentences)],
    ['classify', 'kuromoji, calling thread', () => classifyTexts(texts, { classifier: clf })],
    ['classify', `kuromoji, pool of ${pool.size}`, () => classifyTexts(texts, { classifier: clf, pool })],
  ];
  if (mecab) {
    const viaMecab: Tokenizer = { name: 'mecab', tokenize: (s) => tokenizeMecab(mecab, s) };
    tasks.push([
      'classify',
      'MeCab tokens',
      () => classifyTexts(texts, { classifier: clf, tokenizer: viaMecab }),
    ]);
  }
  const rows: BenchRow[] = [];
  for (const [kind, how, run] of tasks) {
    const r = await comparePair(`${label} ${kind} ${how}`, run, reference, options);
    const seconds = r.oursMs / 1000;
    rows.push({
      bench: 'needs',
      scenario: `${kind}: ${texts.length.toLocaleString('en-US')} ${label} (${chars.toLocaleString('en-US')} chars)`,
      ours: how,
      oursMedianMs: r.oursMs,
      peer: mecab ? 'MeCab tokenize-only (same IPADIC)' : null,
      peerMedianMs: r.peerMs,
      ratio: r.ratio,
      ...(mecab
        ? {}
        : { note: 'MeCab not installed: no reference (apt-get install mecab mecab-ipadic-utf8)' }),
      extra: {
        'texts/s': Math.round(texts.length / seconds),
        'chars/s': Math.round(chars / seconds),
        ...(r.peerMs ? { 'MeCab chars/s': Math.round(chars / (r.peerMs / 1000)) } : {}),
      },
    });
  }
  return rows;
}

const bench: BenchModule = {
  name: 'needs',
  async run(size) {
    const custom = Number(process.env.NEEDS_BENCH_TEXTS);
    const short = corpusTexts(
      Number.isInteger(custom) && custom > 0
        ? Math.min(custom, MAX_BATCH_TEXTS)
        : size === 'smoke'
          ? 100
          : MAX_BATCH_TEXTS,
    );
    const long = size === 'full' ? articleTexts(60) : [];
    const mecab = await findMecab();
    const threads = new WorkerPool({ size: Math.min(2, availableParallelism()) });
    const pool = new TokenizerPool(threads);
    try {
      // Build every dictionary before timing: once per process (and per worker) is the contract.
      await Promise.all([kuromojiTokenizer.tokenize(['準備']), pool.tokenize(['準備', '準備', '準備'])]);
      const rows = await scenario('corpus sentences', short, size, pool, mecab);
      if (long.length) rows.push(...(await scenario('livedoor articles', long, size, pool, mecab)));
      return rows;
    } finally {
      await threads.close();
    }
  },
};

export default bench;

// Direct run: print the table (bench/run.ts imports this module and prints its own).
await runIfMain(bench, import.meta.url);
