/**
 * Universe snapshots as `scoreUniverse`'s stored rows: when the workspace's current data has a
 * snapshot for the model's spec, scoring reads its shards (3 bytes a non-zero) instead of
 * rebuilding the representation from DuckDB joins, so a new model on unchanged data never
 * rebuilds it, whichever path scores it (audiences, frontiers, relaxation, explanations).
 * Nothing is built here: a snapshot costs about one rebuild, and it is built on purpose
 * (`ensureSnapshot`, the `lookalike.scoreSnapshot` operation).
 */

import type { FeatureSpec } from '../lookalike/feature-spec.ts';
import type { PortableModel } from '../lookalike/kernel.ts';
import type { StoredLogits } from '../lookalike/stored-logits.ts';
import type { LongWorkHooks, Universe } from '../lookalike/types.ts';
import { throwIfAborted } from '../schema/index.ts';
import type { Workspace } from '../store/index.ts';
import { currentSnapshot } from './build.ts';
import { shardLogits } from './shard-codec.ts';
import { readShardCoded, type SnapshotManifest } from './snapshot.ts';

/**
 * A stored-logits source over `ws`'s universe snapshots, for `useStoredLogits`.
 *
 * @example
 * useStoredLogits(ws, snapshotLogits(ws));
 */
export function snapshotLogits(ws: Workspace): StoredLogits {
  return async (spec: FeatureSpec, universe: Universe, model: PortableModel, hooks: LongWorkHooks) => {
    const { runner, close } = await ws.db.connect();
    let manifest: SnapshotManifest | null;
    try {
      manifest = (await currentSnapshot(ws.artifacts, runner, spec, universe)).manifest;
    } finally {
      close();
    }
    if (!manifest) return null;
    const logits = new Float32Array(manifest.rows);
    for (const entry of manifest.shards) {
      throwIfAborted(hooks.signal, 'scoring');
      const { x } = await readShardCoded(ws.artifacts, manifest, entry.index);
      shardLogits(model, x, logits.subarray(entry.firstRow, entry.firstRow + entry.rows));
      const done = entry.firstRow + entry.rows;
      hooks.progress?.(done / manifest.rows, `scored ${done} of ${manifest.rows} (snapshot ${manifest.key})`);
    }
    return logits;
  };
}
