/**
 * Releases: what one destination receives of one audience revision. Built on the Node side when
 * an audience is shared and after every refresh of a shared audience: members without the
 * destination's consent purposes are left out, IDs take the destination's form (its own keyed
 * HMAC, or the platform's normalised contact hash), people without the needed contact are left
 * out, duplicates (two members with one e-mail) are kept once, and the rest is written sorted by
 * the exported ID in chunk files (`releases/<destination>/<audience>/<revision>/<form>/`). Every
 * count is in the manifest. Exports on either runtime then only read files: a full pull streams
 * the chunks, a delta merges two releases, and neither the Worker nor the export path ever holds
 * a secret or a raw member ID.
 */
import type { AudienceManifest } from '../audience/create.ts';
import {
  audienceRevisions,
  openMembers,
  RELEASE_PREFIX,
  readAudienceRevision,
} from '../audience/members-file.ts';
import {
  encodeSortedChunks,
  openSortedIds,
  type SortedIds,
  type SortedIndex,
  sortedOrder,
} from '../audience/sorted-ids.ts';
import { InsufficientDataError, NotFoundError } from '../schema/index.ts';
import type { ArtifactStore } from '../store/artifacts.ts';
import { type Destination, destinationSecret } from './destinations.ts';
import { HmacSha256, sha256Hex, sha256HexBytes, sha256HexInto } from './hash-id.ts';
import { checkFormFits, type IdForm, type Platform, platformEmail, platformPhone } from './id-forms.ts';
import type { MemberDirectory } from './member-directory.ts';

export { RELEASE_PREFIX };
export const RELEASE_VERSION = 1;

export interface ReleaseCounts {
  /** People in the audience revision. */
  audience: number;
  /** Left out: no consent to the destination's purposes. */
  consentExcluded: number;
  /** Left out: no e-mail or phone for a contact form. */
  noIdentifier: number;
  /** Left out: the same exported ID as a better-ranked person (shared e-mail or phone). */
  duplicates: number;
}

export interface ReleaseManifest {
  kind: 'release';
  version: number;
  destination: string;
  audienceId: string;
  revision: number;
  idKind: 'third_party' | 'member';
  idForm: IdForm;
  platform: Platform;
  purposes: string[];
  keyVersion: number;
  /** Names the form the IDs are in (form, platform, purposes, key): releases with equal `form` can be compared. */
  form: string;
  modelId: string;
  size: number;
  minSize: number;
  counts: ReleaseCounts;
  sorted: SortedIndex;
  /** SHA-256 (first 16 hex) of the chunk files: names this exact content. */
  contentHash: string;
  /** When the audience revision was created and when this release was. */
  audienceCreatedAt: string;
  createdAt: string;
  releasedBy: string | null;
}

export interface Release {
  manifest: ReleaseManifest;
  /** `<revision>-<content hash>`: the ETag of a full pull. */
  version: string;
  ids: SortedIds;
}

/** The form signature of a destination's settings. */
export function formOf(d: Pick<Destination, 'idForm' | 'platform' | 'purposes' | 'keyVersion'>): string {
  return sha256Hex(`${d.idForm}|${d.platform}|${[...d.purposes].sort().join(',')}|${d.keyVersion}`).slice(
    0,
    12,
  );
}

export const releasePrefix = (destination: string, audienceId: string, revision: number, form: string) =>
  `${RELEASE_PREFIX}/${destination}/${audienceId}/${revision}/${form}`;

const decoder = new TextDecoder();
const encoder = new TextEncoder();

async function readRelease(store: ArtifactStore, prefix: string): Promise<Release | null> {
  const bytes = await store.get(`${prefix}/manifest.json`);
  if (!bytes) return null;
  const manifest = JSON.parse(decoder.decode(bytes)) as ReleaseManifest;
  const ids = await openSortedIds(store, prefix);
  if (!ids) return null;
  return { manifest, version: `${manifest.revision}-${manifest.contentHash}`, ids };
}

/** Manifests of every release of an audience to a destination, oldest first. */
export async function listReleases(
  store: ArtifactStore,
  destination: string,
  audienceId: string,
): Promise<ReleaseManifest[]> {
  const out: ReleaseManifest[] = [];
  const pattern = /^releases\/[^/]+\/[^/]+\/[0-9]+\/[0-9a-f]+\/manifest\.json$/;
  for (const key of await store.list(`${RELEASE_PREFIX}/${destination}/${audienceId}/`)) {
    if (!pattern.test(key)) continue;
    const bytes = await store.get(key);
    if (bytes) out.push(JSON.parse(decoder.decode(bytes)) as ReleaseManifest);
  }
  return out.sort((a, b) => a.revision - b.revision || a.createdAt.localeCompare(b.createdAt));
}

/** The newest release of an audience to a destination (highest revision, then latest made), or null. */
export async function latestRelease(
  store: ArtifactStore,
  destination: string,
  audienceId: string,
): Promise<Release | null> {
  const last = (await listReleases(store, destination, audienceId)).at(-1);
  return last ? readRelease(store, releasePrefix(destination, audienceId, last.revision, last.form)) : null;
}

/** The release of one revision in one form, or null. */
export async function releaseAt(
  store: ArtifactStore,
  destination: string,
  audienceId: string,
  revision: number,
  form: string,
): Promise<Release | null> {
  return readRelease(store, releasePrefix(destination, audienceId, revision, form));
}

/** Deletes every release of an audience to a destination (manifests first). */
export async function deleteReleases(
  store: ArtifactStore,
  destination: string,
  audienceId: string,
): Promise<void> {
  const keys = await store.list(`${RELEASE_PREFIX}/${destination}/${audienceId}/`);
  keys.sort((a, b) => Number(b.endsWith('/manifest.json')) - Number(a.endsWith('/manifest.json')));
  for (const key of keys) await store.delete(key);
}

/** Exported IDs of kept rows, as one UTF-8 column with scores and ranks. */
class IdBuilder {
  offsets: number[] = [0];
  bytes = new Uint8Array(1 << 20);
  scores: number[] = [];
  ranks: number[] = [];
  reserve(n: number): number {
    const at = this.offsets.at(-1)!;
    if (at + n > this.bytes.length) {
      const next = new Uint8Array(Math.max(this.bytes.length * 2, at + n));
      next.set(this.bytes.subarray(0, at));
      this.bytes = next;
    }
    return at;
  }
  commit(length: number, score: number, rank: number): void {
    this.offsets.push(this.offsets.at(-1)! + length);
    this.scores.push(score);
    this.ranks.push(rank);
  }
}

export interface BuildReleaseArgs {
  destination: Destination;
  audienceId: string;
  /** Default: the audience's latest revision. */
  revision?: number | undefined;
  minSize: number;
  by: string | null;
}

/**
 * Builds (or returns the existing) release of an audience revision for a destination.
 *
 * @throws NotFoundError for an unknown audience or revision.
 * @throws InvalidInputError when the destination's ID form cannot carry the audience's IDs.
 * @throws InsufficientDataError when fewer than `minSize` people are left to release (nothing is
 *   written; the message gives every count).
 */
export async function buildRelease(
  store: ArtifactStore,
  directory: MemberDirectory,
  args: BuildReleaseArgs,
): Promise<ReleaseManifest> {
  const { destination: d, audienceId } = args;
  const revision = args.revision ?? (await audienceRevisions(store, audienceId)).at(-1);
  const stored =
    revision === undefined ? null : await readAudienceRevision<AudienceManifest>(store, audienceId, revision);
  if (!stored || revision === undefined) throw new NotFoundError('audience', audienceId);
  const audience = stored.manifest;
  checkFormFits(d.idForm, audience.idKind, audienceId);
  const form = formOf(d);
  const prefix = releasePrefix(d.name, audienceId, revision, form);
  const existing = await readRelease(store, prefix);
  if (existing) return existing.manifest;

  const membersBytes = await stored.members();
  if (!membersBytes) throw new NotFoundError('audience members file', `${audienceId}@${revision}`);
  const view = openMembers(membersBytes);
  const n = view.length;
  const { out, counts } = await exportedIds(store, directory, d, view, audience.idKind);
  const { column, kept } = firstOfEachId(out, counts);
  const size = kept.length;
  if (size < args.minSize) {
    throw new InsufficientDataError(
      `revision ${revision} of audience "${audienceId}" leaves ${size} people for destination "${d.name}", below the minimum release size of ${args.minSize} ` +
        `(of ${n}: ${counts.consentExcluded} without consent to ${d.purposes.join(' and ') || 'the purposes'}, ${counts.noIdentifier} without the needed ${d.idForm === 'sha256_phone' ? 'phone' : 'e-mail'}, ${counts.duplicates} duplicates)`,
      'size',
    );
  }
  const sortedColumn = keptColumn(column, out, kept);
  const { files, index } = encodeSortedChunks(sortedColumn, undefined, { presorted: true });
  const contentHash = sha256Hex(
    Object.keys(files)
      .sort()
      .map((name) => sha256HexBytes(files[name]!))
      .join(''),
  ).slice(0, 16);
  const manifest: ReleaseManifest = {
    kind: 'release',
    version: RELEASE_VERSION,
    destination: d.name,
    audienceId,
    revision,
    idKind: audience.idKind,
    idForm: d.idForm,
    platform: d.platform,
    purposes: [...d.purposes],
    keyVersion: d.keyVersion,
    form,
    modelId: audience.modelId,
    size,
    minSize: args.minSize,
    counts,
    sorted: index,
    contentHash,
    audienceCreatedAt: audience.createdAt,
    createdAt: new Date().toISOString(),
    releasedBy: args.by,
  };
  await store.publish(prefix, { ...files, 'manifest.json': `${JSON.stringify(manifest, null, 2)}\n` });
  await removeOtherForms(store, d.name, audienceId, form);
  return manifest;
}

type MembersView = ReturnType<typeof openMembers>;

/**
 * Each consented member's exported ID in the destination's form, in rank order, with what was
 * left out counted (no consent, no contact for a contact form).
 */
async function exportedIds(
  store: ArtifactStore,
  directory: MemberDirectory,
  d: Destination,
  view: MembersView,
  idKind: AudienceManifest['idKind'],
): Promise<{ out: IdBuilder; counts: ReleaseCounts }> {
  const n = view.length;
  const ids = Array.from({ length: n }, (_, i) => view.id(i));
  const eligible = await directory.consented(ids, idKind, d.purposes);
  const contacts =
    d.idForm === 'sha256_email' || d.idForm === 'sha256_phone'
      ? await directory.contacts(ids, d.idForm === 'sha256_email' ? 'email' : 'phone')
      : null;
  const mac =
    d.idForm === 'hmac_sha256' ? new HmacSha256(await destinationSecret(store, d.name, d.keyVersion)) : null;

  const out = new IdBuilder();
  const counts: ReleaseCounts = { audience: n, consentExcluded: 0, noIdentifier: 0, duplicates: 0 };
  for (let i = 0; i < n; i++) {
    if (!eligible[i]) {
      counts.consentExcluded++;
      continue;
    }
    // `reserve` may move `out.bytes` to a larger buffer: take the position first, then the buffer.
    if (d.idForm === 'tp_id') {
      const id = view.idBytes(i);
      const at = out.reserve(id.length);
      out.bytes.set(id, at);
      out.commit(id.length, view.score(i), view.rank(i));
    } else if (mac) {
      const at = out.reserve(64);
      mac.hexInto(view.bytes, view.offsets[i]!, view.offsets[i + 1]!, out.bytes, at);
      out.commit(64, view.score(i), view.rank(i));
    } else {
      const contact = contacts![i];
      if (!contact) {
        counts.noIdentifier++;
        continue;
      }
      const normal = encoder.encode(
        d.idForm === 'sha256_email' ? platformEmail(contact, d.platform) : platformPhone(contact, d.platform),
      );
      const at = out.reserve(64);
      sha256HexInto(normal, 0, normal.length, out.bytes, at);
      out.commit(64, view.score(i), view.rank(i));
    }
  }
  return { out, counts };
}

/**
 * The rows to release, sorted by exported ID. Rows were added in rank order and the sort is
 * stable, so the first of equal IDs is the best-ranked one: the others are counted as duplicates.
 */
function firstOfEachId(out: IdBuilder, counts: ReleaseCounts) {
  const column = {
    length: out.scores.length,
    offsets: Int32Array.from(out.offsets),
    bytes: out.bytes,
  };
  const order = sortedOrder(column);
  const kept: number[] = [];
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const prev = kept.at(-1);
    if (prev !== undefined && sameId(column, prev, i)) counts.duplicates++;
    else kept.push(i);
  }
  return { column, kept };
}

/** The kept rows as one contiguous, already sorted column with their scores and ranks. */
function keptColumn(
  column: { offsets: Int32Array; bytes: Uint8Array },
  out: IdBuilder,
  kept: readonly number[],
) {
  const size = kept.length;
  const sortedColumn = {
    length: size,
    offsets: new Int32Array(size + 1),
    bytes: new Uint8Array(kept.reduce((s, i) => s + column.offsets[i + 1]! - column.offsets[i]!, 0)),
    score: (k: number) => out.scores[kept[k]!]!,
    rank: (k: number) => out.ranks[kept[k]!]!,
  };
  for (let k = 0, at = 0; k < size; k++) {
    const i = kept[k]!;
    sortedColumn.bytes.set(column.bytes.subarray(column.offsets[i]!, column.offsets[i + 1]!), at);
    at += column.offsets[i + 1]! - column.offsets[i]!;
    sortedColumn.offsets[k + 1] = at;
  }
  return sortedColumn;
}

/** Releases in an older form can no longer be compared with new ones: removes them. */
async function removeOtherForms(store: ArtifactStore, destination: string, audienceId: string, form: string) {
  for (const old of await listReleases(store, destination, audienceId)) {
    if (old.form === form) continue;
    const stale = releasePrefix(destination, audienceId, old.revision, old.form);
    await store.delete(`${stale}/manifest.json`);
    for (const key of await store.list(`${stale}/`)) await store.delete(key);
  }
}

function sameId(col: { offsets: Int32Array; bytes: Uint8Array }, a: number, b: number): boolean {
  const la = col.offsets[a + 1]! - col.offsets[a]!;
  if (la !== col.offsets[b + 1]! - col.offsets[b]!) return false;
  for (let k = 0; k < la; k++)
    if (col.bytes[col.offsets[a]! + k] !== col.bytes[col.offsets[b]! + k]) return false;
  return true;
}
