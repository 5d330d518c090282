import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  allShares,
  listReleases,
  mergePullRecord,
  PULL_PREFIX,
  parsePullRecord,
  RELEASE_PREFIX,
  SHARE_PREFIX,
} from '../export/index.ts';
import { MODEL_PREFIX } from '../lookalike/index.ts';
import type { ApiKeyStore } from '../schema/index.ts';
import { type ArtifactStore, FsArtifactStore, writeFileAtomic } from '../store/index.ts';

export interface WorkerSyncReport {
  /** Folder mirroring the R2 bucket: `<out>/r2/<key>`. */
  bucketDir: string;
  /** JSON array of key records (hashes only) for the Worker's `API_KEYS` secret. */
  keysFile: string;
  /** The same, as a `.dev.vars` file for `wrangler dev --local` (copy it to the project root). */
  devVarsFile: string;
  files: number;
  bytes: number;
  shares: number;
  /** Releases copied (every kept release of every share). */
  releases: number;
  /** Audiences with at least one release copied. */
  audiences: string[];
  models: string[];
  keys: number;
  /**
   * Keys an earlier sync into the same folder wrote that are no longer served (a deleted model, a
   * revoked share, a release past retention): removed from the folder, and listed in
   * `removedFile` so they can be deleted from a bucket the folder was uploaded to.
   */
  removed: string[];
  removedFile: string;
  /**
   * Pull records the Worker wrote (`pulls/`), found in the folder when it holds a copy of the
   * bucket, that were newer than the workspace's and now show in `GET /v1/shares`.
   */
  pullsMerged: number;
}

/** The files of a model the Worker's scoring route reads (see `api/routes/score.ts`). */
const MODEL_FILES = ['manifest.json', 'spec.json', 'weights.bin'];

/**
 * Writes what the Cloudflare Worker serves into a folder laid out like its R2 bucket: every share,
 * the releases made for it (what its destination pulls: IDs already in the destination's form),
 * and every lookalike model's portable files; plus the API key records (hashes only, revoked keys
 * included so they keep failing) for its `API_KEYS` secret. Audience revisions themselves (member
 * IDs), destination secrets and consent never leave the workspace. Within each artifact the
 * manifest is written last, so a bucket uploaded in file order never shows a manifest before its
 * data. Syncing again into the same folder makes it exactly what is served now: files no longer
 * served are removed (manifests first, so a reader never finds a manifest without its data) and
 * listed for deletion from the bucket. The Worker's own records of pulls (`pulls/`) are the one
 * thing that flows back: when the folder holds a copy of the bucket, newer ones are merged into
 * the workspace, and they are never removed.
 *
 * @example
 * const r = await syncWorkerArtifacts(ws.artifacts, keys, './worker-sync');
 * // then: scripts/worker-local.sh seeds a local R2 from it, or upload <dir>/r2 to the bucket
 */
export async function syncWorkerArtifacts(
  store: ArtifactStore,
  keyStore: ApiKeyStore,
  outDir: string,
): Promise<WorkerSyncReport> {
  const bucketDir = join(outDir, 'r2');
  await mkdir(bucketDir, { recursive: true });
  const target = new FsArtifactStore(bucketDir);
  let pullsMerged = 0;
  for (const key of await target.list(`${PULL_PREFIX}/`)) {
    const bytes = await target.get(key);
    const record = bytes && parsePullRecord(key, bytes);
    if (record && (await mergePullRecord(store, record))) pullsMerged++;
  }
  const shares = await allShares(store);
  const keys: string[] = (await store.list(`${SHARE_PREFIX}/`)).filter((k) => k.endsWith('.json'));
  const audiences = new Set<string>();
  let releases = 0;
  for (const share of shares) {
    const made = await listReleases(store, share.destination, share.audienceId);
    if (made.length === 0) continue;
    releases += made.length;
    audiences.add(share.audienceId);
    keys.push(...(await store.list(`${RELEASE_PREFIX}/${share.destination}/${share.audienceId}/`)));
  }
  const modelKeys = (await store.list(`${MODEL_PREFIX}/`)).filter((k) =>
    MODEL_FILES.includes(k.slice(k.lastIndexOf('/') + 1)),
  );
  keys.push(...modelKeys);
  const models = [...new Set(modelKeys.map((k) => k.split('/')[1]!))].sort();
  const manifestLast = (k: string) => (k.endsWith('/manifest.json') ? 1 : 0);
  keys.sort((a, b) => manifestLast(a) - manifestLast(b) || a.localeCompare(b));
  let bytes = 0;
  const copied = new Set<string>();
  for (const key of keys) {
    const data = await store.get(key);
    if (!data) continue; // removed while we listed: the next sync settles it
    await target.put(key, data);
    copied.add(key);
    bytes += data.byteLength;
  }
  const removed = (await target.list('')).filter((k) => !copied.has(k) && !k.startsWith(`${PULL_PREFIX}/`));
  removed.sort((a, b) => manifestLast(b) - manifestLast(a) || a.localeCompare(b));
  for (const key of removed) await target.delete(key);
  const removedFile = join(outDir, 'removed.json');
  await writeFileAtomic(removedFile, `${JSON.stringify(removed, null, 1)}\n`);
  const records = await keyStore.list();
  const keysFile = join(outDir, 'api-keys.json');
  await writeFileAtomic(keysFile, `${JSON.stringify(records)}\n`);
  const devVarsFile = join(outDir, 'dev.vars');
  // dotenv syntax: the JSON in single quotes, as wrangler reads .dev.vars.
  await writeFileAtomic(devVarsFile, `API_KEYS='${JSON.stringify(records)}'\n`, { mode: 0o600 });
  return {
    bucketDir,
    keysFile,
    devVarsFile,
    files: keys.length,
    bytes,
    shares: shares.length,
    releases,
    audiences: [...audiences].sort(),
    models,
    keys: records.length,
    removed,
    removedFile,
    pullsMerged,
  };
}
