/**
 * Shares: which destination (an ad platform, e.g. "dsp-tokyo") may pull which audience, and in
 * which ID form. One JSON artifact per pair, `shares/<destination>/<audienceId>.json`, written
 * with the store's atomic `put`, so the Worker reads the same shares from R2 as Node does from
 * the workspace. Pure TypeScript.
 */
import { InvalidInputError } from '../schema/index.ts';
import type { ArtifactStore } from '../store/artifacts.ts';

export const SHARE_PREFIX = 'shares';

/**
 * How IDs leave for a destination: `tp_id` sends third-party IDs as they are (only for
 * audiences of third-party IDs, which the destination itself issued); `sha256` sends SHA-256 of
 * the trimmed, lower-cased ID. Member IDs only ever leave as `sha256`.
 */
export const ID_TYPES = ['tp_id', 'sha256'] as const;
export type IdType = (typeof ID_TYPES)[number];

export interface Share {
  destination: string;
  audienceId: string;
  idType: IdType;
  /** Key ID of whoever shared it. */
  sharedBy: string | null;
  sharedAt: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** True for a destination or audience ID usable as an artifact key part. */
export const isShareName = (value: string): boolean => NAME.test(value);

/** @throws InvalidInputError for a destination that is not 1-100 letters, digits, "_", "-" or ".". */
export function checkDestination(destination: string): string {
  if (!isShareName(destination)) {
    throw new InvalidInputError(
      `destination "${destination}" is not valid: use 1-100 letters, digits, "_", "-" or "."`,
      'destination',
    );
  }
  return destination;
}

export const shareKey = (destination: string, audienceId: string) =>
  `${SHARE_PREFIX}/${checkDestination(destination)}/${audienceId}.json`;

const decoder = new TextDecoder();

/** The share of one audience with one destination, or null (also for names that cannot be keys). */
export async function getShare(
  store: ArtifactStore,
  destination: string,
  audienceId: string,
): Promise<Share | null> {
  if (!isShareName(destination) || !isShareName(audienceId)) return null;
  const bytes = await store.get(shareKey(destination, audienceId));
  return bytes ? (JSON.parse(decoder.decode(bytes)) as Share) : null;
}

/** Writes (or replaces) a share atomically. */
export async function putShare(store: ArtifactStore, share: Share): Promise<void> {
  await store.put(shareKey(share.destination, share.audienceId), `${JSON.stringify(share, null, 2)}\n`);
}

/** Removes a share; false when there was none. */
export async function deleteShare(
  store: ArtifactStore,
  destination: string,
  audienceId: string,
): Promise<boolean> {
  if ((await getShare(store, destination, audienceId)) === null) return false;
  await store.delete(shareKey(destination, audienceId));
  return true;
}

async function readShares(store: ArtifactStore, keys: readonly string[]): Promise<Share[]> {
  const out: Share[] = [];
  for (const key of keys) {
    const bytes = await store.get(key);
    if (bytes) out.push(JSON.parse(decoder.decode(bytes)) as Share);
  }
  return out;
}

/** Every share of one destination, by audience ID. */
export async function sharesOfDestination(store: ArtifactStore, destination: string): Promise<Share[]> {
  if (!isShareName(destination)) return [];
  return readShares(
    store,
    (await store.list(`${SHARE_PREFIX}/${destination}/`)).filter((k) => k.endsWith('.json')),
  );
}

/** Every share of one audience, by destination. */
export async function sharesOfAudience(store: ArtifactStore, audienceId: string): Promise<Share[]> {
  const suffix = `/${audienceId}.json`;
  return readShares(
    store,
    (await store.list(`${SHARE_PREFIX}/`)).filter((k) => k.endsWith(suffix) && k.split('/').length === 3),
  );
}

/** Every share, by destination then audience. */
export async function allShares(store: ArtifactStore): Promise<Share[]> {
  return readShares(
    store,
    (await store.list(`${SHARE_PREFIX}/`)).filter((k) => k.endsWith('.json') && k.split('/').length === 3),
  );
}
