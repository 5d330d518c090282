/**
 * Overlap of audiences: how many people two or more audiences share, pairwise (counts, Jaccard,
 * shares of each) and, UpSet-style, for every combination of audiences the people who are in
 * exactly those and no other. One k-way merge of the audiences' sorted ID files: memory holds one
 * chunk per audience, whatever their sizes.
 */
import { InvalidInputError, NotFoundError } from '../schema/index.ts';
import type { ArtifactStore } from '../store/artifacts.ts';
import type { AudienceManifest } from './create.ts';
import {
  audienceRevisionPrefix,
  audienceRevisions,
  openMembers,
  readAudienceRevision,
} from './members-file.ts';
import {
  compareIds,
  openSortedIds,
  SortedCursor,
  type SortedIds,
  sortMembersInMemory,
} from './sorted-ids.ts';

export const MAX_OVERLAP_AUDIENCES = 8;

export interface OverlapPair {
  a: string;
  b: string;
  intersection: number;
  /** |A ∩ B| / |A ∪ B|. */
  jaccard: number;
  /** |A ∩ B| / |A|. */
  shareOfA: number;
  /** |A ∩ B| / |B|. */
  shareOfB: number;
}

export interface OverlapCombination {
  /** The audiences these people are in (and in no other of the compared ones). */
  audiences: string[];
  exclusive: number;
  /** `exclusive` over the union. */
  share: number;
}

export interface OverlapResult {
  idKind: 'third_party' | 'member';
  audiences: { id: string; revision: number; size: number }[];
  /** People in at least one audience. */
  union: number;
  /** People in every audience. */
  inAll: number;
  pairs: OverlapPair[];
  /** Every combination that holds anyone, largest first (UpSet's bars). */
  combinations: OverlapCombination[];
}

/** Sorted IDs of one audience revision (sorted in memory for revisions written without them). */
export async function revisionSortedIds(
  store: ArtifactStore,
  id: string,
  revision: number,
): Promise<SortedIds> {
  const prefix = audienceRevisionPrefix(id, revision);
  const sorted = await openSortedIds(store, prefix);
  if (sorted) return sorted;
  const bytes = await store.get(`${prefix}/members.arrow`);
  if (!bytes)
    throw new NotFoundError('audience members file', `${id}@${revision}`, 'the artifact is incomplete');
  return sortMembersInMemory(openMembers(bytes));
}

/**
 * Counts the overlap of 2-8 audiences (each at its latest revision, or the one given).
 *
 * @throws InvalidInputError for fewer than 2 or more than 8 audiences, one named twice, or audiences
 *   of different ID kinds (third-party IDs and member IDs never overlap).
 * @throws NotFoundError for an audience or revision that does not exist.
 */
export async function audienceOverlap(
  store: ArtifactStore,
  refs: readonly { id: string; revision?: number | undefined }[],
): Promise<OverlapResult> {
  checkRefs(refs);
  const { audiences, sources, idKind } = await loadRevisions(store, refs);
  const counts = await exclusiveCounts(sources);
  let union = 0;
  for (let m = 1; m < counts.length; m++) union += counts[m]!;
  const inAll = within(counts, (1 << sources.length) - 1);
  return {
    idKind,
    audiences,
    union,
    inAll,
    pairs: pairsOf(counts, audiences),
    combinations: combinationsOf(counts, audiences, union),
  };
}

function checkRefs(refs: readonly { id: string }[]): void {
  if (refs.length < 2 || refs.length > MAX_OVERLAP_AUDIENCES) {
    throw new InvalidInputError(
      `give 2 to ${MAX_OVERLAP_AUDIENCES} audiences to compare, got ${refs.length}`,
      'audiences',
    );
  }
  const names = refs.map((r) => r.id);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new InvalidInputError(`audience "${twice}" is named twice`, 'audiences');
}

/** Each audience's revision (the latest unless given) and its sorted IDs, all of one ID kind. */
async function loadRevisions(
  store: ArtifactStore,
  refs: readonly { id: string; revision?: number | undefined }[],
): Promise<{ audiences: OverlapResult['audiences']; sources: SortedIds[]; idKind: OverlapResult['idKind'] }> {
  const audiences: OverlapResult['audiences'] = [];
  const sources: SortedIds[] = [];
  let idKind: OverlapResult['idKind'] | null = null;
  for (const ref of refs) {
    const revision = ref.revision ?? (await audienceRevisions(store, ref.id)).at(-1);
    const stored =
      revision === undefined ? null : await readAudienceRevision<AudienceManifest>(store, ref.id, revision);
    if (!stored || revision === undefined)
      throw new NotFoundError('audience', ref.revision ? `${ref.id}@${ref.revision}` : ref.id);
    const kind = stored.manifest.idKind;
    if (idKind && kind !== idKind) {
      throw new InvalidInputError(
        `audience "${ref.id}" holds ${kind} IDs and "${audiences[0]!.id}" ${idKind} IDs: they cannot share anyone`,
        'audiences',
      );
    }
    idKind = kind;
    audiences.push({ id: ref.id, revision, size: stored.manifest.size });
    sources.push(await revisionSortedIds(store, ref.id, revision));
  }
  return { audiences, sources, idKind: idKind! };
}

/**
 * People per combination: index `mask` counts the IDs found in exactly the audiences whose bits
 * are set. One k-way merge of the sorted ID files, a chunk per audience in memory.
 */
async function exclusiveCounts(sources: readonly SortedIds[]): Promise<Float64Array> {
  const k = sources.length;
  const counts = new Float64Array(1 << k);
  const cursors = sources.map((s) => new SortedCursor(s));
  for (const c of cursors) await c.ready();
  for (;;) {
    let min = -1;
    let mask = 0;
    for (let i = 0; i < k; i++) {
      const c = cursors[i]!;
      if (c.done) continue;
      if (min < 0) {
        min = i;
        mask = 1 << i;
        continue;
      }
      const m = cursors[min]!;
      const d = compareIds(c.view!, c.row, m.view!, m.row);
      if (d < 0) {
        min = i;
        mask = 1 << i;
      } else if (d === 0) mask |= 1 << i;
    }
    if (min < 0) break;
    counts[mask]!++;
    for (let i = 0; i < k; i++) {
      if (!(mask & (1 << i))) continue;
      const c = cursors[i]!;
      c.advance();
      if (c.needsLoad) await c.ready();
    }
  }
  return counts;
}

/** People in at least every audience of `bits` (and maybe others). */
function within(counts: Float64Array, bits: number): number {
  let n = 0;
  for (let m = 1; m < counts.length; m++) if ((m & bits) === bits) n += counts[m]!;
  return n;
}

function pairsOf(counts: Float64Array, audiences: OverlapResult['audiences']): OverlapPair[] {
  const k = audiences.length;
  const pairs: OverlapPair[] = [];
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      const both = within(counts, (1 << a) | (1 << b));
      const sa = audiences[a]!.size;
      const sb = audiences[b]!.size;
      pairs.push({
        a: audiences[a]!.id,
        b: audiences[b]!.id,
        intersection: both,
        jaccard: sa + sb - both > 0 ? both / (sa + sb - both) : 0,
        shareOfA: sa > 0 ? both / sa : 0,
        shareOfB: sb > 0 ? both / sb : 0,
      });
    }
  }
  return pairs;
}

/** Every combination holding anyone, largest first, ties by audience names. */
function combinationsOf(
  counts: Float64Array,
  audiences: OverlapResult['audiences'],
  union: number,
): OverlapCombination[] {
  const combinations: OverlapCombination[] = [];
  for (let m = 1; m < counts.length; m++) {
    if (counts[m] === 0) continue;
    combinations.push({
      audiences: audiences.filter((_, i) => m & (1 << i)).map((x) => x.id),
      exclusive: counts[m]!,
      share: union > 0 ? counts[m]! / union : 0,
    });
  }
  return combinations.sort(
    (x, y) =>
      y.exclusive - x.exclusive || x.audiences.join('\u0000').localeCompare(y.audiences.join('\u0000')),
  );
}
