/**
 * Stored representations for `scoreUniverse`. Rebuilding a universe's feature rows from DuckDB
 * joins is most of a model's scoring time (DESIGN §6); a universe snapshot (the `scale` layer)
 * holds the same rows once per data version and feature spec. `scale` sits to the right of this
 * layer (its runs use the audience frontier), so the composition root connects the two: it
 * registers a source of stored logits for a workspace, and `scoreUniverse` asks it first.
 */
import type { FeatureSpec } from './feature-spec.ts';
import type { PortableModel } from './kernel.ts';
import type { LongWorkHooks, Universe } from './types.ts';

/**
 * The logit of every row of `universe` (no exclusions, rows numbered in ID order as
 * `stageRows` numbers them) for a model with `spec`, read from a stored representation of the
 * workspace's current data, or null when none is stored (the caller rebuilds).
 */
export type StoredLogits = (
  spec: FeatureSpec,
  universe: Universe,
  model: PortableModel,
  hooks: LongWorkHooks,
) => Promise<Float32Array | null>;

const sources = new WeakMap<object, StoredLogits>();

/**
 * Makes `scoreUniverse` on `ws` read rows from `source` when it has them.
 *
 * @example
 * useStoredLogits(ws, snapshotLogits(ws)); // at the composition root (entry/)
 */
export function useStoredLogits(ws: object, source: StoredLogits | null): void {
  if (source) sources.set(ws, source);
  else sources.delete(ws);
}

/** The stored-logits source registered for `ws`, if any. */
export function storedLogitsOf(ws: object): StoredLogits | null {
  return sources.get(ws) ?? null;
}
