/**
 * Audiences as the export layer sees them: the latest (or a given) revision read from the
 * artifact store with the audience layer's own layout and `members.arrow` reader, a version
 * string that names that exact content (the ETag and the cursor's snapshot), and the ranked IDs
 * in the form a destination receives. Pure TypeScript: the Worker runs it over R2.
 */
import type { AudienceManifest } from '../audience/create.ts';
import { audienceRevisions, openMembers, readAudienceRevision } from '../audience/members-file.ts';
import { InsufficientDataError, InvalidInputError, NotFoundError } from '../schema/index.ts';
import type { ArtifactStore } from '../store/artifacts.ts';
import { exportedId, type RankedIds, rankedIdsFromMembers } from './encode.ts';
import { sha256HexBytes } from './hash-id.ts';
import type { IdType } from './shares.ts';

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
 * Checks an ID form fits an audience: member IDs only leave hashed.
 *
 * @throws InvalidInputError for `tp_id` on an audience of member IDs.
 */
export function checkIdType(manifest: Pick<AudienceManifest, 'id' | 'idKind'>, idType: IdType): IdType {
  if (idType === 'tp_id' && manifest.idKind !== 'third_party') {
    throw new InvalidInputError(
      `audience "${manifest.id}" holds member IDs, which leave only as SHA-256; share it with idType "sha256"`,
      'idType',
    );
  }
  return idType;
}

/**
 * Refuses audiences below the release floor.
 *
 * @throws InsufficientDataError when the audience has fewer than `minSize` people.
 */
export function checkReleaseSize(manifest: Pick<AudienceManifest, 'id' | 'size'>, minSize: number): void {
  if (manifest.size < minSize) {
    throw new InsufficientDataError(
      `audience "${manifest.id}" has ${manifest.size} people, below the minimum export size of ${minSize}`,
      'size',
    );
  }
}

/** The natural ID form when no destination is named: third-party IDs as they are, members hashed. */
export const naturalIdType = (manifest: Pick<AudienceManifest, 'idKind'>): IdType =>
  manifest.idKind === 'third_party' ? 'tp_id' : 'sha256';

/** The ranked IDs of an audience revision as `idType` sends them, bound to `snapshot` for cursors. */
export async function exportSource(
  audience: ExportableAudience,
  idType: IdType,
  snapshot: string,
): Promise<RankedIds> {
  return rankedIdsFromMembers(openMembers(await audience.members()), audience.manifest.idKind, snapshot, {
    hashIds: idType === 'sha256',
  });
}

/** Every ID of a revision in export form: the `previous` set of a delta pull. */
export async function exportedIdSet(audience: ExportableAudience, idType: IdType): Promise<Set<string>> {
  const source = await exportSource(audience, idType, audience.version);
  const out = new Set<string>();
  for (let i = 0; i < source.rows; i++) out.add(exportedId(source, i));
  return out;
}
