import { dataVersion, loadLookalikeModel } from '../lookalike/index.ts';
import type { Workspace } from '../store/index.ts';
import { openFrontier } from './create.ts';
import type { Frontier } from './frontier.ts';

export interface CachedFrontier {
  modelId: string;
  /** Snapshot of the scored universe (model + data version), as `scoreUniverse` reports it. */
  snapshot: string;
  frontier: Frontier;
}

/**
 * Frontiers of recently read models, so that reading a frontier twice does not score the whole
 * universe twice (seconds for a few hundred thousand profiles). Models are immutable; the key
 * also carries the universe's data version (row counts and import log), so an import that
 * changes the data makes the next read score again. Concurrent reads of the same key share one scoring.
 *
 * @example
 * const frontiers = new FrontierCache(ws);
 * const { frontier } = await frontiers.get('lm_demo');
 * frontier.at(10_000).precision;
 */
export class FrontierCache {
  private readonly entries = new Map<string, Promise<CachedFrontier>>();

  constructor(
    private readonly ws: Workspace,
    private readonly capacity = 4,
  ) {}

  async get(modelId: string): Promise<CachedFrontier> {
    const { manifest } = await loadLookalikeModel(this.ws.artifacts, modelId);
    // createdAt: a deleted model's id can be trained again, and must not get the old frontier.
    const key = `${modelId}|${manifest.createdAt}|${(await dataVersion(this.ws.db, manifest.universe)).text}`;
    let entry = this.entries.get(key);
    if (entry) {
      // Re-insert: Map order is the eviction order, oldest first.
      this.entries.delete(key);
      this.entries.set(key, entry);
      return entry;
    }
    entry = this.load(modelId);
    this.entries.set(key, entry);
    // A failed scoring is not remembered: the next read tries again.
    entry.catch(() => this.entries.get(key) === entry && this.entries.delete(key));
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }

  private async load(modelId: string): Promise<CachedFrontier> {
    const { frontier, scored } = await openFrontier(this.ws, modelId);
    try {
      return { modelId, snapshot: scored.snapshot, frontier };
    } finally {
      await scored.close();
    }
  }
}
