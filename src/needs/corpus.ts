import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError, NotFoundError } from '../schema/index.ts';
import { DEFAULT_CORPUS_DIR } from './paths.ts';
import type { Theme } from './themes.ts';

/** One labelled sentence of the need corpus. */
export interface CorpusRow {
  id: string;
  text: string;
  /** Needs the text is about. */
  labels: string[];
  /** Needs the text reports as not met (a subset of labels). */
  unmet: string[];
  /** Needs in the clause after the last adversative, or [] when there is no contrast. */
  focus: string[];
  split: 'train' | 'test';
}

export interface Corpus {
  theme: string;
  rows: CorpusRow[];
  /** sha256 of the corpus file: the training data fingerprint of a model. */
  fingerprint: string;
  path: string;
}

function fail(path: string, line: number, message: string): never {
  throw new InvalidInputError(`${path} line ${line}: ${message}`, 'corpus');
}

/**
 * Reads a theme's labelled corpus (`<theme>.jsonl`) and checks every line against the theme:
 * labels are the theme's needs, unmet and focus are subsets of labels, split is train or test.
 *
 * @param theme the theme the corpus is labelled with
 * @param dir corpus directory (default `data/needs/corpus`)
 * @throws NotFoundError when the theme has no corpus file
 * @throws InvalidInputError naming the line of the first bad row
 * @example
 * const corpus = loadCorpus(loadTheme('convection_oven'));
 * corpus.rows.filter((r) => r.split === 'test').length; // ~116
 */
export function loadCorpus(theme: Theme, dir = DEFAULT_CORPUS_DIR): Corpus {
  const path = join(dir, `${theme.theme}.jsonl`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError('need corpus', theme.theme, `expected ${path}`);
    }
    throw err;
  }
  const needs = new Set(theme.needs.map((n) => n.id));
  const ids = new Set<string>();
  const rows: CorpusRow[] = [];
  const lines = bytes.toString('utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    let row: CorpusRow;
    try {
      row = JSON.parse(line) as CorpusRow;
    } catch {
      fail(path, i + 1, 'not valid JSON');
    }
    if (typeof row.id !== 'string' || typeof row.text !== 'string' || !row.text.trim()) {
      fail(path, i + 1, 'needs a string "id" and a non-empty "text"');
    }
    if (ids.has(row.id)) fail(path, i + 1, `duplicate id "${row.id}"`);
    ids.add(row.id);
    for (const key of ['labels', 'unmet', 'focus'] as const) {
      if (!Array.isArray(row[key])) fail(path, i + 1, `"${key}" must be an array`);
      const bad = row[key].find((n) => !needs.has(n));
      if (bad !== undefined)
        fail(path, i + 1, `"${key}" has "${bad}", which is not a need of ${theme.theme}`);
    }
    for (const key of ['unmet', 'focus'] as const) {
      const extra = row[key].find((n) => !row.labels.includes(n));
      if (extra !== undefined) fail(path, i + 1, `"${key}" has "${extra}", which is not in labels`);
    }
    if (row.split !== 'train' && row.split !== 'test') fail(path, i + 1, 'split must be "train" or "test"');
    rows.push({
      id: row.id,
      text: row.text,
      labels: row.labels,
      unmet: row.unmet,
      focus: row.focus,
      split: row.split,
    });
  }
  return { theme: theme.theme, rows, fingerprint: createHash('sha256').update(bytes).digest('hex'), path };
}
