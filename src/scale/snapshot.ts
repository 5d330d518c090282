/**
 * Universe snapshots: a universe's feature rows materialised once per data version and feature
 * spec, as CSR shards in the artifact store (a folder locally, R2 on Cloudflare), so scoring a
 * model reads bytes instead of rebuilding the representation from DuckDB joins.
 *
 * `universe-snapshots/<key>/` holds `manifest.json` (written last: its presence marks the
 * snapshot complete), and per shard `shard-NNNNN.csr` (columns `indptr` i32 rows+1, `indices`
 * u16 or i32, then `codebook` f32 + `codes` u8 or `values` f32: see shard-codec.ts) and
 * `shard-NNNNN.ids` (columns `offsets` i32 rows+1, `bytes` u8: UTF-8 IDs in byte order). The key
 * hashes the format, the data version (see data-version.ts) and the feature spec: a new model
 * whose spec is unchanged, on unchanged data, finds the snapshot already there. Snapshots of an
 * older format sit under other keys and are never read as this one: the next lookup rebuilds.
 * Pure TypeScript.
 */
import type { Csr } from '../features/csr.ts';
import type { FeatureSpec } from '../lookalike/feature-spec.ts';
import { hashText } from '../lookalike/hash-text.ts';
import { NotFoundError } from '../schema/index.ts';
import type { ArtifactStore } from '../store/artifacts.ts';
import { CorruptFileError, column, decodeColumns, encodeColumns } from './columns-file.ts';
import { encodeIds, type IdBytes, idAt } from './ids-column.ts';
import { type CodedCsr, decodeShard, encodeShardColumns } from './shard-codec.ts';

export const SNAPSHOT_PREFIX = 'universe-snapshots';
/** Rows per shard: ~30 MB of CSR at 14 non-zeros a row, well inside a 128 MB Worker isolate. */
export const DEFAULT_SHARD_ROWS = 250_000;
/** The shard layout this code writes and reads (2: u16 indices and coded values). */
export const SNAPSHOT_FORMAT = 2;

export interface ShardEntry {
  index: number;
  /** Row number of the shard's first row in the whole universe (rows are in ID byte order). */
  firstRow: number;
  rows: number;
  nnz: number;
  firstId: string;
  lastId: string;
}

export interface SnapshotManifest {
  kind: 'universe-snapshot';
  version: typeof SNAPSHOT_FORMAT;
  key: string;
  universe: 'third_party' | 'members';
  /** The data version text the snapshot was built on (see data-version.ts). */
  dataVersion: string;
  specHash: string;
  spec: FeatureSpec;
  rows: number;
  cols: number;
  nnz: number;
  shardRows: number;
  shards: ShardEntry[];
  createdAt: string;
  buildSeconds: number;
}

/** One shard's rows, as read back. */
export interface Shard {
  entry: ShardEntry;
  x: Csr;
}

/** Hash of a feature spec (its canonical JSON). */
export function specHash(spec: FeatureSpec): string {
  return hashText(JSON.stringify(spec));
}

/** The snapshot key of a data version and a spec, in this format. */
export function snapshotKey(dataVersion: string, spec: FeatureSpec): string {
  return `${hashText(`format ${SNAPSHOT_FORMAT}|${dataVersion}`)}-${specHash(spec)}`;
}

const pad = (i: number) => String(i).padStart(5, '0');
export const shardCsrKey = (key: string, i: number) => `${SNAPSHOT_PREFIX}/${key}/shard-${pad(i)}.csr`;
export const shardIdsKey = (key: string, i: number) => `${SNAPSHOT_PREFIX}/${key}/shard-${pad(i)}.ids`;
const manifestKey = (key: string) => `${SNAPSHOT_PREFIX}/${key}/manifest.json`;

/** The manifest of a complete snapshot, or null. */
export async function readSnapshotManifest(
  store: ArtifactStore,
  key: string,
): Promise<SnapshotManifest | null> {
  const bytes = await store.get(manifestKey(key));
  if (!bytes) return null;
  const manifest = JSON.parse(new TextDecoder().decode(bytes)) as SnapshotManifest;
  // Another format's shards would be misread: such a snapshot counts as absent (and is rebuilt).
  return manifest.version === SNAPSHOT_FORMAT ? manifest : null;
}

/** What a snapshot is made from: its identity and its rows, batch by batch in row order. */
export interface SnapshotSource {
  universe: 'third_party' | 'members';
  dataVersion: string;
  spec: FeatureSpec;
  rows: number;
  cols: number;
  /** Rows [from, to): features and IDs (IDs in byte order across the whole universe). */
  batch(from: number, to: number): Promise<{ x: Csr; ids: readonly string[] }>;
}

/**
 * Writes a snapshot shard by shard, the manifest last. Shard files are immutable and named by
 * the snapshot key, so a build that died half-way is finished by the next one.
 *
 * @param shardRows - rows per shard (default 250,000).
 * @param now - clock for `createdAt` and the build time.
 * @returns the manifest.
 * @throws Error when a batch's IDs are not in strictly increasing byte order.
 */
export async function writeSnapshot(
  store: ArtifactStore,
  source: SnapshotSource,
  shardRows = DEFAULT_SHARD_ROWS,
  now: () => number = Date.now,
): Promise<SnapshotManifest> {
  const started = now();
  const key = snapshotKey(source.dataVersion, source.spec);
  const shards: ShardEntry[] = [];
  let nnz = 0;
  let previous: Uint8Array | null = null;
  for (let from = 0, index = 0; from < source.rows; from += shardRows, index++) {
    const to = Math.min(source.rows, from + shardRows);
    const { x, ids } = await source.batch(from, to);
    if (x.rows !== to - from || ids.length !== to - from) {
      throw new Error(`snapshot batch [${from}, ${to}) returned ${x.rows} rows and ${ids.length} IDs`);
    }
    const col = encodeIds(ids);
    previous = checkOrder(col, previous, from);
    await store.put(
      shardCsrKey(key, index),
      encodeColumns(
        { shard: index, firstRow: from, cols: x.cols, format: SNAPSHOT_FORMAT },
        encodeShardColumns(x),
      ),
    );
    await store.put(
      shardIdsKey(key, index),
      encodeColumns({ shard: index, firstRow: from }, { offsets: col.offsets, bytes: col.bytes }),
    );
    shards.push({
      index,
      firstRow: from,
      rows: x.rows,
      nnz: x.indices.length,
      firstId: ids[0]!,
      lastId: ids[ids.length - 1]!,
    });
    nnz += x.indices.length;
  }
  const manifest: SnapshotManifest = {
    kind: 'universe-snapshot',
    version: SNAPSHOT_FORMAT,
    key,
    universe: source.universe,
    dataVersion: source.dataVersion,
    specHash: specHash(source.spec),
    spec: source.spec,
    rows: source.rows,
    cols: source.cols,
    nnz,
    shardRows,
    shards,
    createdAt: new Date(now()).toISOString(),
    buildSeconds: (now() - started) / 1000,
  };
  await store.put(manifestKey(key), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Checks IDs rise strictly in byte order within and across batches; returns the last ID. */
function checkOrder(col: IdBytes, previous: Uint8Array | null, firstRow: number): Uint8Array | null {
  const n = col.offsets.length - 1;
  let prev = previous;
  for (let i = 0; i < n; i++) {
    const cur = col.bytes.subarray(col.offsets[i]!, col.offsets[i + 1]!);
    if (prev && compare(prev, cur) >= 0) {
      throw new Error(
        `snapshot IDs must rise in byte order: row ${firstRow + i} ("${idAt(col, i)}") does not`,
      );
    }
    prev = cur;
  }
  return prev ? prev.slice() : null;
}

function compare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

async function must(store: ArtifactStore, key: string): Promise<Uint8Array> {
  const bytes = await store.get(key);
  if (!bytes) throw new NotFoundError('snapshot file', key);
  return bytes;
}

/** Reads one shard's features as stored (narrow indices, coded values). */
export async function readShardCoded(
  store: ArtifactStore,
  manifest: SnapshotManifest,
  index: number,
): Promise<{ entry: ShardEntry; x: CodedCsr }> {
  const entry = manifest.shards[index];
  if (!entry) throw new NotFoundError('snapshot shard', `${manifest.key}/${index}`);
  const name = shardCsrKey(manifest.key, index);
  const file = decodeColumns<{ cols: number; format?: number }>(await must(store, name), name);
  if (file.meta.format !== SNAPSHOT_FORMAT) {
    throw new CorruptFileError(
      `${name} is in snapshot format ${file.meta.format ?? 1}, expected ${SNAPSHOT_FORMAT}`,
    );
  }
  const coded = 'codes' in file.columns;
  const x: CodedCsr = {
    rows: entry.rows,
    cols: file.meta.cols,
    rowPtr: column(file, 'indptr', Int32Array, name),
    indices:
      file.meta.cols <= 65_536
        ? column(file, 'indices', Uint16Array, name)
        : column(file, 'indices', Int32Array, name),
    codes: coded ? column(file, 'codes', Uint8Array, name) : null,
    codebook: coded ? column(file, 'codebook', Float32Array, name) : null,
    values: coded ? null : column(file, 'values', Float32Array, name),
  };
  const nnz = x.indices.length;
  if (x.rowPtr.length !== entry.rows + 1 || nnz !== entry.nnz || (x.codes ?? x.values)!.length !== nnz) {
    throw new Error(
      `${name} holds ${x.rowPtr.length - 1} rows and ${nnz} non-zeros; the manifest says ${entry.rows} and ${entry.nnz}`,
    );
  }
  return { entry, x };
}

/** Reads one shard's features as plain CSR. */
export async function readShard(
  store: ArtifactStore,
  manifest: SnapshotManifest,
  index: number,
): Promise<Shard> {
  const { entry, x } = await readShardCoded(store, manifest, index);
  return { entry, x: decodeShard(x) };
}

/** Reads one shard's IDs. */
export async function readShardIds(
  store: ArtifactStore,
  manifest: SnapshotManifest,
  index: number,
): Promise<IdBytes> {
  const name = shardIdsKey(manifest.key, index);
  const file = decodeColumns(await must(store, name), name);
  return {
    offsets: column(file, 'offsets', Int32Array, name),
    bytes: column(file, 'bytes', Uint8Array, name),
  };
}
