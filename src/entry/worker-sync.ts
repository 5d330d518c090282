import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AUDIENCE_PREFIX } from '../audience/index.ts';
import { allShares, SHARE_PREFIX } from '../export/index.ts';
import { MODEL_PREFIX } from '../lookalike/index.ts';
import type { ApiKeyStore } from '../schema/index.ts';
import { type ArtifactStore, FsArtifactStore, writeFileAtomic } from '../store/index.ts';

export interface WorkerSyncReport {
  /** Folder mirroring the R2 bucket: `<out>/r2/<key>`. */
  bucketDir: string;
  /** JSON array of key records (hashes only) for the Worker's `API_KEYS` secret. */
  keysFile: string;
  files: number;
  bytes: number;
  shares: number;
  audiences: string[];
  models: string[];
  keys: number;
}

/** The files of a model the Worker's scoring route reads (see `createWorkerApp`). */
const MODEL_FILES = ['manifest.json', 'spec.json', 'weights.bin'];

/**
 * Writes what the Cloudflare Worker serves into a folder laid out like its R2 bucket: every
 * share, every revision of the shared audiences, and every lookalike model's portable files; plus
 * the API key records (hashes only, revoked keys included so they keep failing) for its
 * `API_KEYS` secret. Audiences that are not shared stay on this side: the Worker only serves ad
 * platforms. Within each artifact the manifest is written last, so a bucket uploaded in file
 * order never shows a manifest before its data.
 *
 * @example
 * const r = await syncWorkerArtifacts(ws.artifacts, keys, './worker-sync');
 * // then: wrangler r2 object put <bucket>/<key> --file ./worker-sync/r2/<key>, for each file
 */
export async function syncWorkerArtifacts(
  store: ArtifactStore,
  keyStore: ApiKeyStore,
  outDir: string,
): Promise<WorkerSyncReport> {
  const bucketDir = join(outDir, 'r2');
  await mkdir(bucketDir, { recursive: true });
  const target = new FsArtifactStore(bucketDir);
  const shares = await allShares(store);
  const audiences = [...new Set(shares.map((s) => s.audienceId))].sort();
  const keys: string[] = (await store.list(`${SHARE_PREFIX}/`)).filter((k) => k.endsWith('.json'));
  for (const id of audiences) keys.push(...(await store.list(`${AUDIENCE_PREFIX}/${id}/`)));
  const modelKeys = (await store.list(`${MODEL_PREFIX}/`)).filter((k) =>
    MODEL_FILES.includes(k.slice(k.lastIndexOf('/') + 1)),
  );
  keys.push(...modelKeys);
  const models = [...new Set(modelKeys.map((k) => k.split('/')[1]!))].sort();
  const manifestLast = (k: string) => (k.endsWith('/manifest.json') ? 1 : 0);
  keys.sort((a, b) => manifestLast(a) - manifestLast(b) || a.localeCompare(b));
  let bytes = 0;
  for (const key of keys) {
    const data = await store.get(key);
    if (!data) continue; // removed while we listed: the next sync settles it
    await target.put(key, data);
    bytes += data.byteLength;
  }
  const records = await keyStore.list();
  const keysFile = join(outDir, 'api-keys.json');
  await writeFileAtomic(keysFile, `${JSON.stringify(records)}\n`);
  return {
    bucketDir,
    keysFile,
    files: keys.length,
    bytes,
    shares: shares.length,
    audiences,
    models,
    keys: records.length,
  };
}
