/**
 * The model catalogue: what a data scientist adds to a stored model after training (tags, the
 * model it was retrained from, backtest results), kept beside the immutable model artifact as
 * `lookalike-catalogue/<id>.json`, and the removal of a model with its catalogue entry.
 *
 * Models stay immutable: the catalogue is the only mutable record of a model, so tagging or
 * recording a backtest never rewrites weights, calibration or the manifest.
 */
import { InvalidInputError, NotFoundError } from '../schema/index.ts';
import { type ArtifactStore, getJson, putJson } from '../store/index.ts';
import { checkModelId, type LookalikeManifest, MODEL_PREFIX } from './artifact.ts';

export const CATALOGUE_PREFIX = 'lookalike-catalogue';

/**
 * One backtest of a model, as the backtest operation records it: when it ran, the cut-off and
 * outcome window, and its headline metrics (AUC, precision and lift at shares of the candidates,
 * the baselines' lift in the same run). Metrics are open-ended so a report can add columns.
 */
export interface BacktestRecord {
  id: string;
  createdAt: string;
  /** Day the features and the seed stop (YYYY-MM-DD). */
  cutoff?: string;
  /** Outcome window after the cut-off, [start, end) days. */
  window?: [string, string];
  /** Metric name to value, e.g. `auc`, `liftAt10`, `baselineLiftAt10`, `precisionAt1`. */
  metrics: Record<string, number | null>;
}

export interface CatalogueEntry {
  modelId: string;
  /** Free labels ("production", "2026q4"), sorted, unique. */
  tags: string[];
  /** The model whose spec this one was retrained from, on newer data. */
  retrainedFrom: string | null;
  /** Backtests of this model, oldest first (absent until one is recorded). */
  backtests?: BacktestRecord[];
  updatedAt: string;
}

const TAG = /^[\p{L}\p{N}][\p{L}\p{N}_.:-]{0,39}$/u;

/** Rejects tags that would not survive a URL path or a CLI flag unquoted. */
export function checkTag(tag: string): string {
  if (!TAG.test(tag))
    throw new InvalidInputError(
      `tag "${tag}" is not valid: use 1-40 letters (any script), digits, "_", ".", ":" or "-", starting with a letter or digit`,
      'tags',
    );
  return tag;
}

const entryKey = (id: string) => `${CATALOGUE_PREFIX}/${checkModelId(id)}.json`;
const manifestKey = (id: string) => `${MODEL_PREFIX}/${checkModelId(id)}/manifest.json`;

const emptyEntry = (modelId: string): CatalogueEntry => ({
  modelId,
  tags: [],
  retrainedFrom: null,
  updatedAt: new Date(0).toISOString(),
});

/** The catalogue entry of a model (an empty one when nothing was recorded yet). */
export async function readCatalogueEntry(store: ArtifactStore, id: string): Promise<CatalogueEntry> {
  return (await getJson<CatalogueEntry>(store, entryKey(id))) ?? emptyEntry(id);
}

const notFound = (id: string) =>
  new NotFoundError(
    'lookalike model',
    id,
    'list the models with `lookalike model list` or GET /v1/lookalike-models',
  );

async function requireModel(store: ArtifactStore, id: string): Promise<void> {
  if ((await store.get(manifestKey(id))) === null) throw notFound(id);
}

/**
 * The manifest of a stored model, without its weights and calibration files.
 *
 * @throws NotFoundError when no model has that ID.
 */
export async function readModelManifest(store: ArtifactStore, id: string): Promise<LookalikeManifest> {
  const m = await getJson<LookalikeManifest>(store, manifestKey(id));
  if (!m) throw notFound(id);
  return m;
}

/**
 * Changes a model's catalogue entry with `change` and stores it. Writes are whole-file and atomic
 * (the store's `put`); two concurrent changes of one model keep the later one.
 *
 * @throws NotFoundError when the model does not exist.
 */
export async function updateCatalogueEntry(
  store: ArtifactStore,
  id: string,
  change: (entry: CatalogueEntry) => CatalogueEntry,
): Promise<CatalogueEntry> {
  await requireModel(store, id);
  const next = change(await readCatalogueEntry(store, id));
  const entry: CatalogueEntry = {
    ...next,
    modelId: id,
    tags: [...new Set(next.tags.map(checkTag))].sort(),
    updatedAt: new Date().toISOString(),
  };
  await putJson(store, entryKey(id), entry);
  return entry;
}

/** Adds and removes tags of a model; removing a tag it does not carry is not an error. */
export async function tagModel(
  store: ArtifactStore,
  id: string,
  change: { add?: readonly string[]; remove?: readonly string[] },
): Promise<CatalogueEntry> {
  for (const t of change.add ?? []) checkTag(t);
  const drop = new Set(change.remove ?? []);
  return updateCatalogueEntry(store, id, (e) => ({
    ...e,
    tags: [...e.tags.filter((t) => !drop.has(t)), ...(change.add ?? [])],
  }));
}

/** Records a backtest of a model in its catalogue entry (the backtest operation calls this). */
export async function recordBacktest(
  store: ArtifactStore,
  id: string,
  backtest: BacktestRecord,
): Promise<CatalogueEntry> {
  return updateCatalogueEntry(store, id, (e) => ({
    ...e,
    backtests: [...(e.backtests ?? []).filter((b) => b.id !== backtest.id), backtest],
  }));
}

/**
 * Deletes a model: its artifact files as one unit (the store's `unpublish`: a directory rename on
 * the file store, manifest first on R2), then its catalogue entry. Readers see the model whole or
 * not at all.
 *
 * @returns the keys removed.
 * @throws NotFoundError when no such model exists.
 */
export async function deleteModelFiles(store: ArtifactStore, id: string): Promise<string[]> {
  const removed = await store.unpublish(`${MODEL_PREFIX}/${checkModelId(id)}`);
  if (!removed.length) throw notFound(id);
  const entry = entryKey(id);
  if ((await store.get(entry)) !== null) {
    await store.delete(entry);
    removed.push(entry);
  }
  return removed;
}

/** A manifest with its catalogue entry, for listing and comparing. */
export interface CataloguedModel {
  manifest: LookalikeManifest;
  entry: CatalogueEntry;
}

/** Attaches catalogue entries to manifests (one read per model). */
export async function withCatalogue(
  store: ArtifactStore,
  manifests: readonly LookalikeManifest[],
): Promise<CataloguedModel[]> {
  return Promise.all(
    manifests.map(async (manifest) => ({ manifest, entry: await readCatalogueEntry(store, manifest.id) })),
  );
}
