import { fileURLToPath } from 'node:url';

/** The project's need taxonomies: one JSON file per theme (a new theme is a new file). */
export const DEFAULT_THEMES_DIR = fileURLToPath(new URL('../../data/needs/themes/', import.meta.url));

/** The hand-labelled corpora: `<theme>.jsonl`. */
export const DEFAULT_CORPUS_DIR = fileURLToPath(new URL('../../data/needs/corpus/', import.meta.url));

/** Where the shipped need classifiers live: `<theme>/manifest.json`, `weights.bin`, `vocab.json`. */
export const DEFAULT_MODELS_DIR = fileURLToPath(new URL('../../models/needs/', import.meta.url));
