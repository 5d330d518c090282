/**
 * Building a snapshot from the workspace: the whole universe (no model's exclusions: those are
 * applied when a run scores it), numbered in ID order, read in shard-sized batches through the
 * same row sources `scoreUniverse` uses, so a snapshot's rows are exactly the rows a rebuild
 * would score. Built once per data version (row counts and the import log: data-version.ts)
 * and feature spec; later calls find it.
 */
import type { LookalikeModel } from '../lookalike/artifact.ts';
import { dataVersion } from '../lookalike/data-version.ts';
import type { FeatureSpec } from '../lookalike/feature-spec.ts';
import { specDim } from '../lookalike/feature-spec.ts';
import { stageRows } from '../lookalike/rows.ts';
import { dropTables, idTable } from '../lookalike/sql.ts';
import type { Universe } from '../lookalike/types.ts';
import { openRowSource, universeSql } from '../lookalike/universe.ts';
import { ConflictError } from '../schema/index.ts';
import { type ArtifactStore, quoteIdent, type SqlRunner, type Workspace } from '../store/index.ts';
import {
  DEFAULT_SHARD_ROWS,
  readSnapshotManifest,
  type SnapshotManifest,
  snapshotKey,
  writeSnapshot,
} from './snapshot.ts';

export interface EnsureSnapshotResult {
  manifest: SnapshotManifest;
  /** False when the snapshot was already there (nothing was rebuilt). */
  built: boolean;
}

/** The as-of day that selects a universe's rows and enters its fingerprint. */
const asOfOf = (spec: FeatureSpec) => (spec.kind === 'members' ? spec.source.asOf : undefined);

/**
 * The stored snapshot of `universe` for `spec` on the current data (null when none), and that
 * data's version text.
 *
 * @throws ConflictError when a stored snapshot under the same key holds another spec or data.
 */
export async function currentSnapshot(
  store: ArtifactStore,
  db: SqlRunner,
  spec: FeatureSpec,
  universe: Universe,
): Promise<{ version: string; manifest: SnapshotManifest | null }> {
  const version = (await dataVersion(db, universe, asOfOf(spec) ?? '')).text;
  const manifest = await readSnapshotManifest(store, snapshotKey(version, spec));
  if (
    manifest &&
    (manifest.dataVersion !== version || JSON.stringify(manifest.spec) !== JSON.stringify(spec))
  ) {
    throw new ConflictError(
      `snapshot ${manifest.key} holds another data version or feature spec (hash collision)`,
      'snapshot',
    );
  }
  return { version, manifest };
}

/**
 * The snapshot of `universe` for `spec` on the workspace's current data, built if missing.
 *
 * @param shardRows - rows per shard when building (default 250,000).
 * @throws ConflictError when a stored snapshot under the same key holds another spec.
 * @example
 * const { manifest, built } = await ensureSnapshot(ws, model.model.spec, 'third_party');
 */
export async function ensureSnapshot(
  ws: Workspace,
  spec: FeatureSpec,
  universe: Universe,
  shardRows = DEFAULT_SHARD_ROWS,
): Promise<EnsureSnapshotResult> {
  const { runner: db, close } = await ws.db.connect();
  const temps: string[] = [];
  try {
    const asOf = asOfOf(spec);
    const { version, manifest: existing } = await currentSnapshot(ws.artifacts, db, spec, universe);
    if (existing) return { manifest: existing, built: false };
    const none = await idTable(db, 'none', []);
    temps.push(none);
    const staged = await stageRows(db, universeSql(universe, none, false, asOf), 'snap');
    temps.push(staged.table);
    const source = await openRowSource(db, spec, staged);
    try {
      const manifest = await writeSnapshot(
        ws.artifacts,
        {
          universe,
          dataVersion: version,
          spec,
          rows: staged.rows,
          cols: specDim(spec),
          batch: async (from, to) => {
            const x = await source.batch(from, to);
            const out = await db.columns(
              `SELECT id FROM ${quoteIdent(staged.table)} WHERE r >= ${from} AND r < ${to} ORDER BY r`,
            );
            return { x, ids: (out.columns[0] ?? []) as string[] };
          },
        },
        shardRows,
      );
      return { manifest, built: true };
    } finally {
      await source.close();
    }
  } finally {
    await dropTables(db, temps).catch(() => undefined);
    close();
  }
}

/**
 * Every ID a model leaves out of its universe: the seed, the negative seed, opt-outs, listed
 * IDs, `extra`, and the retailer's customers (linked IDs) when the model excludes them.
 */
export async function modelExclusions(
  ws: Workspace,
  loaded: Pick<LookalikeModel, 'manifest' | 'exclusions'>,
  extra: readonly string[] = [],
): Promise<string[]> {
  const ex = loaded.exclusions;
  const ids = [...ex.seedIds, ...ex.negativeIds, ...ex.optedOut, ...ex.ids, ...extra].map(String);
  if (ex.existingCustomers && loaded.manifest.universe === 'third_party') {
    const out = await ws.db.columns('SELECT DISTINCT tp_id FROM id_links WHERE tp_id IS NOT NULL');
    ids.push(...((out.columns[0] ?? []) as string[]));
  }
  return ids;
}
