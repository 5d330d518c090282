/**
 * What a destination sees of the audiences shared with it: per share, its newest release
 * (revision, version, size and what was left out), the last revision it pulled, and the last
 * revision that could not be released to it, if any. The same views on both runtimes.
 */
import { type ArtifactStore, getJson, putJson } from '../store/artifacts.ts';
import type { IdForm, Platform } from './id-forms.ts';
import { latestRelease, type ReleaseCounts } from './releases.ts';
import { allShares, getShare, type Share, sharesOfDestination } from './shares.ts';

export const PULL_PREFIX = 'pulls';

/** The last complete pull of an audience by a destination. */
export interface PullRecord {
  destination: string;
  audienceId: string;
  revision: number;
  /** The version pulled (the ETag of a full pull of that revision). */
  version: string;
  /** The revision the pull was a delta from, or null for a full pull. */
  since: number | null;
  at: string;
  keyId: string;
}

const pullKey = (destination: string, audienceId: string) =>
  `${PULL_PREFIX}/${destination}/${audienceId}.json`;

export async function recordPull(store: ArtifactStore, record: PullRecord): Promise<void> {
  await putJson(store, pullKey(record.destination, record.audienceId), record);
}

/**
 * Takes a pull record made elsewhere (the Worker writes its own into its bucket) when it is newer
 * than the one stored here for the same share; false when it is older, or its share is gone.
 */
export async function mergePullRecord(store: ArtifactStore, record: PullRecord): Promise<boolean> {
  if (!(await getShare(store, record.destination, record.audienceId))) return false;
  const ours = await lastPull(store, record.destination, record.audienceId);
  if (ours && Date.parse(ours.at) >= Date.parse(record.at)) return false;
  await recordPull(store, record);
  return true;
}

/** A pull record read from `key` (`pulls/<destination>/<audience>.json`), or null when it is not one. */
export function parsePullRecord(key: string, bytes: Uint8Array): PullRecord | null {
  let r: Partial<PullRecord>;
  try {
    r = JSON.parse(new TextDecoder().decode(bytes)) as Partial<PullRecord>;
  } catch {
    return null;
  }
  const fits =
    typeof r === 'object' &&
    r !== null &&
    typeof r.destination === 'string' &&
    typeof r.audienceId === 'string' &&
    key === pullKey(r.destination, r.audienceId) &&
    Number.isInteger(r.revision) &&
    typeof r.version === 'string' &&
    (r.since === null || Number.isInteger(r.since)) &&
    typeof r.at === 'string' &&
    !Number.isNaN(Date.parse(r.at)) &&
    typeof r.keyId === 'string';
  return fits ? (r as PullRecord) : null;
}

export async function lastPull(
  store: ArtifactStore,
  destination: string,
  audienceId: string,
): Promise<PullRecord | null> {
  return getJson<PullRecord>(store, pullKey(destination, audienceId));
}

export interface SharedAudience {
  id: string;
  destination: string;
  sharedAt: string;
  sharedBy: string | null;
  /** The newest release: null until one is made (a share from before releases must be renewed). */
  revision: number | null;
  version: string | null;
  size: number | null;
  idKind: 'third_party' | 'member' | null;
  idForm: IdForm | null;
  platform: Platform | null;
  purposes: string[];
  counts: ReleaseCounts | null;
  releasedAt: string | null;
  lastPulled: { revision: number; since: number | null; at: string } | null;
  lastReleaseError: { revision: number; error: string; at: string } | null;
  export: string;
}

export async function sharedView(store: ArtifactStore, share: Share): Promise<SharedAudience> {
  const release = await latestRelease(store, share.destination, share.audienceId);
  const pull = await lastPull(store, share.destination, share.audienceId);
  const m = release?.manifest ?? null;
  return {
    id: share.audienceId,
    destination: share.destination,
    sharedAt: share.sharedAt,
    sharedBy: share.sharedBy,
    revision: m?.revision ?? null,
    version: release?.version ?? null,
    size: m?.size ?? null,
    idKind: m?.idKind ?? null,
    idForm: m?.idForm ?? share.idForm ?? null,
    platform: m?.platform ?? null,
    purposes: m?.purposes ?? [],
    counts: m?.counts ?? null,
    releasedAt: m?.createdAt ?? null,
    lastPulled: pull ? { revision: pull.revision, since: pull.since, at: pull.at } : null,
    lastReleaseError: share.lastReleaseError ?? null,
    export: `/v1/audiences/${share.audienceId}/export`,
  };
}

/** Shared audiences of one destination, or of every destination. */
export async function sharedAudiences(store: ArtifactStore, destination?: string): Promise<SharedAudience[]> {
  const shares =
    destination === undefined ? await allShares(store) : await sharesOfDestination(store, destination);
  const out: SharedAudience[] = [];
  for (const share of shares) out.push(await sharedView(store, share));
  return out;
}

/** The view of one audience for one destination, or null when it is not shared with it. */
export async function sharedAudience(
  store: ArtifactStore,
  destination: string,
  audienceId: string,
): Promise<SharedAudience | null> {
  const share = await getShare(store, destination, audienceId);
  return share ? sharedView(store, share) : null;
}

/**
 * True when a model is behind an audience shared with a destination (its newest release was
 * scored by it): what an ad platform may score profiles with.
 */
export async function modelSharedWith(
  store: ArtifactStore,
  destination: string,
  modelId: string,
): Promise<boolean> {
  for (const share of await sharesOfDestination(store, destination)) {
    const release = await latestRelease(store, share.destination, share.audienceId);
    if (release?.manifest.modelId === modelId) return true;
  }
  return false;
}
