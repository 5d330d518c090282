/**
 * Shares: which destination (an ad platform, e.g. "dsp-tokyo") may pull which audience. One JSON
 * artifact per pair, `shares/<destination>/<audienceId>.json`, written with the store's atomic
 * `put`, so the Worker reads the same shares from R2 as Node does from the workspace. What the
 * destination receives is its release of each revision (see `releases.ts`). Pure TypeScript.
 */
import { InvalidInputError } from '../schema/index.ts';
import type { ArtifactStore } from '../store/artifacts.ts';
import type { IdForm } from './id-forms.ts';

export const SHARE_PREFIX = 'shares';

export interface Share {
  destination: string;
  audienceId: string;
  /** The destination's ID form when shared (its releases say what each revision carries). */
  idForm?: IdForm;
  /** Shares made before releases existed named `tp_id` or a plain `sha256` here. */
  idType?: string;
  /** Key ID of whoever shared it. */
  sharedBy: string | null;
  sharedAt: string;
  /** The last revision that could not be released to this destination, and why (e.g. too few with consent). */
  lastReleaseError?: { revision: number; error: string; at: string } | null;
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
