import { InvalidInputError, NotFoundError } from '../../schema/index.ts';
import { joinPath, type NeedFiles } from '../files.ts';
import { DEFAULT_CORPUS_DIR, DEFAULT_EVAL_DIR } from '../paths.ts';
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
  /** The last adversative's form, where the file records it (evaluation sets do); for slicing metrics. */
  form?: string | null;
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

/** True when the theme has a labelled corpus (only such themes can be trained). */
export function hasCorpus(files: NeedFiles, theme: string, dir = DEFAULT_CORPUS_DIR): boolean {
  return files.list(dir).includes(`${theme}.jsonl`);
}

/**
 * Reads a theme's labelled corpus (`<theme>.jsonl`) and checks every line against the theme:
 * labels are the theme's needs, unmet and focus are subsets of labels, split is train or test.
 *
 * @param files the file port
 * @param theme the theme the corpus is labelled with
 * @param dir corpus directory (default `data/needs/corpus`)
 * @throws NotFoundError when the theme has no corpus file
 * @throws InvalidInputError naming the line of the first bad row
 * @example
 * const corpus = loadCorpus(nodeNeedFiles, loadTheme(nodeNeedFiles, 'convection_oven'));
 * corpus.rows.filter((r) => r.split === 'test').length; // 252
 */
export function loadCorpus(files: NeedFiles, theme: Theme, dir = DEFAULT_CORPUS_DIR): Corpus {
  const path = joinPath(dir, `${theme.theme}.jsonl`);
  const bytes = files.read(path);
  if (bytes === null) throw new NotFoundError('need corpus', theme.theme, `expected ${path}`);
  return parseCorpus(theme, new TextDecoder().decode(bytes), path, files.sha256(bytes));
}

/**
 * Parses and checks corpus text (JSON lines) against a theme; the rows of an evaluation set have
 * the same shape and may carry a `split` of their own (it is ignored when `split` is not required).
 *
 * @param theme the theme the rows are labelled with
 * @param text the file's text
 * @param path where it came from, for messages
 * @param fingerprint sha256 of the file
 * @throws InvalidInputError naming the line of the first bad row
 */
export function parseCorpus(
  theme: Theme,
  text: string,
  path: string,
  fingerprint: string,
  options: { requireSplit?: boolean } = {},
): Corpus {
  const requireSplit = options.requireSplit ?? true;
  const needs = new Set(theme.needs.map((n) => n.id));
  const ids = new Set<string>();
  const rows: CorpusRow[] = [];
  const lines = text.split('\n');
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
    if (requireSplit && row.split !== 'train' && row.split !== 'test')
      fail(path, i + 1, 'split must be "train" or "test"');
    rows.push({
      id: row.id,
      text: row.text,
      labels: row.labels,
      unmet: row.unmet,
      focus: row.focus,
      split: row.split === 'train' ? 'train' : 'test',
      ...(typeof row.form === 'string' || row.form === null ? { form: row.form } : {}),
    });
  }
  return { theme: theme.theme, rows, fingerprint, path };
}

/** True when the theme has a held-out evaluation set. */
export function hasEvalSet(files: NeedFiles, theme: string, dir = DEFAULT_EVAL_DIR): boolean {
  return files.list(dir).includes(`${theme}.jsonl`);
}

/**
 * Reads a theme's held-out evaluation set (`data/needs/eval/<theme>.jsonl`): rows shaped like the
 * corpus's, written apart from it. For scoring a finished model only, never for training or tuning.
 *
 * @param files the file port
 * @param theme the theme the set is labelled with
 * @param dir evaluation directory (default `data/needs/eval`)
 * @throws NotFoundError when the theme has no evaluation set
 * @example
 * loadEvalSet(nodeNeedFiles, loadTheme(nodeNeedFiles, 'convection_oven')).rows.length; // 339
 */
export function loadEvalSet(files: NeedFiles, theme: Theme, dir = DEFAULT_EVAL_DIR): Corpus {
  const path = joinPath(dir, `${theme.theme}.jsonl`);
  const bytes = files.read(path);
  if (bytes === null) throw new NotFoundError('need evaluation set', theme.theme, `expected ${path}`);
  return parseCorpus(theme, new TextDecoder().decode(bytes), path, files.sha256(bytes), {
    requireSplit: false,
  });
}
