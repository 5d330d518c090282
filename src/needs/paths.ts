/**
 * Where the project's need data live, as paths on the machine that runs this module (read them
 * through a `NeedFiles` port). Built from this module's URL without `node:url`: a `file:` URL's
 * path, decoded, is the file path on every POSIX system.
 */
const beside = (relative: string) => decodeURIComponent(new URL(relative, import.meta.url).pathname);

/** The project's need taxonomies: one JSON file per theme (a new theme is a new file). */
export const DEFAULT_THEMES_DIR = beside('../../data/needs/themes/');

/** The hand-labelled corpora: `<theme>.jsonl`. */
export const DEFAULT_CORPUS_DIR = beside('../../data/needs/corpus/');

/** The held-out evaluation sets, written apart from the corpora: `<theme>.jsonl`. Never trained on. */
export const DEFAULT_EVAL_DIR = beside('../../data/needs/eval/');

/** Where the shipped need classifiers live: `<theme>/manifest.json`, `weights.bin`, `vocab.json`. */
export const DEFAULT_MODELS_DIR = beside('../../models/needs/');
