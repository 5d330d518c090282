/**
 * Audiences as the export layer sees them: the latest (or a given) revision read from the
 * artifact store with the audience layer's own layout and `members.arrow` reader, and a version
 * string that names that exact content (the ETag and the cursor's binding). Pure TypeScript.
 */
import type { AudienceManifest } from '../audience/create.ts';
import { audienceRevisions, readAudienceRevision } from '../audience/members-file.ts';
import { InsufficientDataError, NotFoundError } from '../schema/index.ts';
import type { ArtifactStore } from '../store/artifacts.ts';
import { sha256HexBytes } from './hash-id.ts';

/** No audience smaller than this leaves for a destination (the audience layer's release floor). */
export const DEFAULT_EXPORT_MIN_SIZE = 100;

/** One stored revision of an audience, ready to export. */
export interface ExportableAudience {
  id: string;
  revision: number;
  /** Latest revision of this audience (equal to `revision` unless an older one was asked for). */
  latest: number;
  /** `<revision>-<first 12 hex of SHA-256 of the manifest>`: names this exact content. */
  version: string;
  manifest: AudienceManifest;
  /** Reads `members.arrow` (the big file) only when the export needs it. */
  members(): Promise<Uint8Array>;
}

/**
 * Loads an audience revision's manifest (the latest unless `revision` is given).
 *
 * @returns null when the audience or the revision does not exist.
 */
export async function findAudience(
  store: ArtifactStore,
  id: string,
  revision?: number,
): Promise<ExportableAudience | null> {
  const revisions = await audienceRevisions(store, id);
  const latest = revisions.at(-1);
  if (latest === undefined) return null;
  const at = revision ?? latest;
  if (!revisions.includes(at)) return null;
  const stored = await readAudienceRevision<AudienceManifest>(store, id, at);
  if (!stored) return null;
  return {
    id,
    revision: at,
    latest,
    version: `${at}-${sha256HexBytes(stored.manifestBytes).slice(0, 12)}`,
    manifest: { ...stored.manifest, revision: stored.manifest.revision ?? at },
    members: async () => {
      const bytes = await stored.members();
      if (!bytes)
        throw new NotFoundError('audience members file', `${id}@${at}`, 'the artifact is incomplete');
      return bytes;
    },
  };
}

/**
 * Refuses exports below the release floor.
 *
 * @throws InsufficientDataError when fewer than `minSize` people would leave.
 */
export function checkReleaseSize(what: string, size: number, minSize: number): void {
  if (size < minSize) {
    throw new InsufficientDataError(
      `${what} has ${size} people, below the minimum export size of ${minSize}`,
      'size',
    );
  }
}
