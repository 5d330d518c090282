/**
 * The rules of a pull, on both runtimes, so the export route only streams what this decides:
 * whose audience the caller may pull and in which form (an ad platform: the releases of its own
 * destination; a marketer: a destination's release as a preview, or a third-party audience as it
 * is), the release minimum, the ETag (a delta has its own), 304s, cursors, deltas since a
 * revision, and the record of the last revision a destination pulled.
 */

import { openMembers } from '../audience/members-file.ts';
import { revisionSortedIds } from '../audience/overlap.ts';
import type { SortedIds } from '../audience/sorted-ids.ts';
import { ConflictError, InvalidInputError, NotFoundError, type Role } from '../schema/index.ts';
import type { ArtifactStore } from '../store/artifacts.ts';
import { checkReleaseSize, findAudience } from './audiences.ts';
import { type Cursor, decodeCursor, encodeCursor } from './cursor.ts';
import { DeltaMerge, MERGE_START, type MergePosition } from './delta.ts';
import { CONTENT_TYPES, type ExportFormat, encodeRows, type NextBatch } from './encode.ts';
import type { IdForm } from './id-forms.ts';
import { deltaRows, sortedRows, viewRows } from './pages.ts';
import { latestRelease, listReleases, type Release, type ReleaseCounts, releaseAt } from './releases.ts';
import { recordPull } from './shared.ts';
import { getShare } from './shares.ts';

export interface PullCaller {
  keyId: string;
  role: Role;
  /** The destination an ad_platform key is bound to. */
  destination: string | null;
}

export interface PullQuery {
  format: ExportFormat;
  /** Rows per page; the whole pull (streamed) when absent. */
  limit?: number | undefined;
  cursor?: string | undefined;
  /** A revision the caller holds: send what changed since. */
  since?: number | undefined;
  /** Marketers and admins: preview a destination's release. */
  destination?: string | undefined;
}

/** What is pulled: a destination's release, or (marketers, third-party audiences) the audience itself. */
interface Target {
  audienceId: string;
  destination: string | null;
  revision: number;
  version: string;
  idForm: IdForm;
  size: number;
  counts: ReleaseCounts | null;
  /** Rows [from, to) of a full pull. */
  rows(from: number, to: number): Promise<NextBatch>;
  /** Sorted IDs of this version (delta merges). */
  sorted(): Promise<SortedIds>;
  /** Sorted IDs of an earlier revision in the same form, or a 422 saying why there is none. */
  base(since: number): Promise<{ version: string; ids: SortedIds }>;
}

const sinceError = (message: string) => new InvalidInputError(message, 'since');

function releaseTarget(store: ArtifactStore, release: Release): Target {
  const m = release.manifest;
  return {
    audienceId: m.audienceId,
    destination: m.destination,
    revision: m.revision,
    version: release.version,
    idForm: m.idForm,
    size: m.size,
    counts: m.counts,
    rows: async (from, to) => sortedRows(release.ids, from, to),
    sorted: async () => release.ids,
    base: async (since) => {
      const base = await releaseAt(store, m.destination, m.audienceId, since, m.form);
      if (base) return { version: base.version, ids: base.ids };
      const held = (await listReleases(store, m.destination, m.audienceId))
        .filter((r) => r.form === m.form && r.revision < m.revision)
        .map((r) => r.revision);
      throw sinceError(
        `there is no release of revision ${since} of audience "${m.audienceId}" for destination "${m.destination}" in its current ID form ` +
          `(older revisions are deleted by retention, and a change of the destination's ID form, purposes or key starts over); ` +
          (held.length ? `deltas can start from revision ${held.join(', ')}, or ` : '') +
          'pull the full export without since',
      );
    },
  };
}

async function audienceTarget(store: ArtifactStore, id: string): Promise<Target> {
  const audience = await findAudience(store, id);
  if (!audience) throw new NotFoundError('audience', id);
  if (audience.manifest.idKind !== 'third_party') {
    throw new InvalidInputError(
      `audience "${id}" holds member IDs, which leave only through a destination's release (its consent purposes and ID form); add destination=<name> to preview one`,
      'destination',
    );
  }
  return {
    audienceId: id,
    destination: null,
    revision: audience.revision,
    version: audience.version,
    idForm: 'tp_id',
    size: audience.manifest.size,
    counts: null,
    rows: async (from, to) => viewRows(openMembers(await audience.members()), from, to),
    sorted: () => revisionSortedIds(store, id, audience.revision),
    base: async (since) => {
      const before = await findAudience(store, id, since);
      if (!before)
        throw sinceError(
          `audience "${id}" has no revision ${since} any more (retention deletes old ones); pull the full export without since`,
        );
      return { version: before.version, ids: await revisionSortedIds(store, id, since) };
    },
  };
}

/**
 * What the caller pulls of an audience.
 *
 * @throws NotFoundError for an audience not shared with the caller's destination (the same answer
 *   as for one that does not exist), or an unknown share.
 * @throws ConflictError for a share that has no release yet.
 */
async function resolveTarget(
  store: ArtifactStore,
  caller: PullCaller,
  id: string,
  destination?: string,
): Promise<Target> {
  const dest = caller.role === 'ad_platform' ? caller.destination : (destination ?? null);
  if (dest === null) {
    if (caller.role === 'ad_platform') throw new NotFoundError('audience', id);
    return audienceTarget(store, id);
  }
  const share = await getShare(store, dest, id);
  if (!share) {
    if (caller.role === 'ad_platform') throw new NotFoundError('audience', id);
    throw new NotFoundError('share', `${id} → ${dest}`);
  }
  const release = await latestRelease(store, dest, id);
  if (!release) {
    throw new ConflictError(
      share.idType
        ? `audience "${id}" was shared with "${dest}" before releases existed (ID type ${share.idType}); a marketer shares it again to release it in the destination's ID form`
        : `audience "${id}" has no release for "${dest}" yet${share.lastReleaseError ? `: ${share.lastReleaseError.error}` : ''}`,
      'destination',
    );
  }
  return releaseTarget(store, release);
}

/** Does an If-None-Match header name this ETag value (weak comparison, RFC 9110 §13.1.2)? */
export function etagMatches(header: string | undefined, value: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === `"${value}"`);
}

/** For the audit trail: what left (or would have), and for whom. */
export interface PullAudit {
  resource: string;
  detail: Record<string, unknown>;
}

export type PullAnswer =
  | { status: 200; headers: Record<string, string>; body: ReadableStream<Uint8Array>; audit: PullAudit }
  | { status: 304; headers: Record<string, string>; body: null; audit: PullAudit };

export interface PullOptions {
  /** Smallest audience that leaves. */
  minSize: number;
  ifNoneMatch?: string | undefined;
  /** The request URL: the `Link: rel="next"` header keeps its path and query. */
  url: string;
  now?: Date;
}

/**
 * Answers one page of a pull.
 *
 * @throws NotFoundError, ConflictError (see resolution above), InsufficientDataError below the
 *   release minimum, InvalidInputError for a bad cursor or since.
 */
export async function answerPull(
  store: ArtifactStore,
  caller: PullCaller,
  id: string,
  query: PullQuery,
  options: PullOptions,
): Promise<PullAnswer> {
  const target = await resolveTarget(store, caller, id, query.destination);
  checkReleaseSize(
    target.destination ? `the release of audience "${id}" for "${target.destination}"` : `audience "${id}"`,
    target.size,
    options.minSize,
  );
  const since = query.since;
  checkSince(id, target, since);
  const base = since === undefined ? null : await target.base(since);
  const etag = base ? `delta-${since}-${target.version}` : target.version;
  const detail: Record<string, unknown> = {
    audienceId: id,
    revision: target.revision,
    version: target.version,
    destination: target.destination,
    idForm: target.idForm,
    format: query.format,
    since: since ?? null,
  };
  const resource = `audiences/${id}@${target.revision}`;
  const common = {
    etag: `W/"${etag}"`,
    'cache-control': 'private, no-cache',
    'x-audience-revision': String(target.revision),
    'x-id-form': target.idForm,
  };
  if (etagMatches(options.ifNoneMatch, etag)) {
    return { status: 304, headers: common, body: null, audit: { resource, detail: { ...detail, rows: 0 } } };
  }

  // The pull's rows: a cursor carries its offset, total and (deltas) merge position.
  const snapshot = `${etag}|${target.destination ?? ''}`;
  const cursor = query.cursor ? decodeCursor(query.cursor, snapshot) : await firstCursor(target, base);
  const offset = Math.min(cursor.offset, cursor.total);
  const end = Math.min(cursor.total, offset + (query.limit ?? Number.POSITIVE_INFINITY));
  const { rows, next } = await readPage(target, base, cursor, offset, end);
  const headers: Record<string, string> = {
    ...common,
    'content-type': CONTENT_TYPES[query.format],
    'x-total-count': String(cursor.total),
    'x-page-offset': String(offset),
    'x-page-rows': String(end - offset),
  };
  if (since !== undefined) headers['x-delta-since'] = String(since);
  if (next) Object.assign(headers, nextPageHeaders(snapshot, next, options.url));
  else if (caller.role === 'ad_platform' && target.destination) {
    await recordPull(store, {
      destination: target.destination,
      audienceId: id,
      revision: target.revision,
      version: target.version,
      since: since ?? null,
      at: (options.now ?? new Date()).toISOString(),
      keyId: caller.keyId,
    });
  }
  return {
    status: 200,
    headers,
    body: encodeRows(query.format, base !== null, rows),
    audit: { resource, detail: { ...detail, offset, rows: end - offset, total: cursor.total } },
  };
}

/** A delta starts from a revision the caller holds: never one after the latest. */
function checkSince(id: string, target: Target, since: number | undefined): void {
  if (since !== undefined && since > target.revision) {
    throw sinceError(
      `since must be a revision you already hold; the latest revision of audience "${id}"${target.destination ? ` for "${target.destination}"` : ''} is ${target.revision}, got ${since}`,
    );
  }
}

/** The cursor of a first page: a delta's total is its adds and removes, counted by a merge. */
async function firstCursor(target: Target, base: { ids: SortedIds } | null): Promise<Cursor> {
  if (!base) return { offset: 0, total: target.size, merge: null };
  const counts = await new DeltaMerge(base.ids, await target.sorted()).skip();
  return { offset: 0, total: counts.add + counts.remove, merge: MERGE_START };
}

/** Rows [offset, end) of the pull, and the cursor of the page after it (null on the last). */
async function readPage(
  target: Target,
  base: { ids: SortedIds } | null,
  cursor: Cursor,
  offset: number,
  end: number,
): Promise<{ rows: NextBatch; next: Cursor | null }> {
  let next: Cursor | null = null;
  if (!base) {
    if (end < cursor.total) next = { offset: end, total: cursor.total, merge: null };
    return { rows: await target.rows(offset, end), next };
  }
  const current = await target.sorted();
  const start: MergePosition = cursor.merge ?? MERGE_START;
  if (end < cursor.total) {
    // Where this page ends, found by a pass that builds no rows: the next cursor is in the headers.
    const ahead = new DeltaMerge(base.ids, current, start);
    await ahead.skip(end - offset);
    next = { offset: end, total: cursor.total, merge: ahead.position };
  }
  return { rows: deltaRows(new DeltaMerge(base.ids, current, start), end - offset), next };
}

/** The next page's cursor, and a `Link: rel="next"` keeping the request's path and query. */
function nextPageHeaders(snapshot: string, next: Cursor, requestUrl: string): Record<string, string> {
  const text = encodeCursor(snapshot, next);
  const url = new URL(requestUrl);
  url.searchParams.set('cursor', text);
  return { 'x-next-cursor': text, link: `<${url.pathname}${url.search}>; rel="next"` };
}

/** What a pull of an audience would give the caller, without pulling it. */
export interface PullDescription {
  audienceId: string;
  destination: string | null;
  revision: number;
  /** The ETag of a full pull (and, with `since`, of the delta). */
  etag: string;
  idForm: IdForm;
  rows: number;
  counts: ReleaseCounts | null;
  formats: ExportFormat[];
  columns: string[];
  delta: { since: number; etag: string; add: number; remove: number } | null;
  /** Revisions a delta can start from. */
  deltaFrom: number[];
}

/**
 * Describes a pull (size, ETag, counts, a delta's adds and removes) without sending IDs.
 *
 * @throws as {@link answerPull}.
 */
export async function describePull(
  store: ArtifactStore,
  caller: PullCaller,
  id: string,
  query: Pick<PullQuery, 'since' | 'destination'>,
  minSize: number,
): Promise<PullDescription> {
  const target = await resolveTarget(store, caller, id, query.destination);
  checkReleaseSize(`audience "${id}"`, target.size, minSize);
  let delta: PullDescription['delta'] = null;
  if (query.since !== undefined) {
    if (query.since > target.revision)
      throw sinceError(
        `since must be a revision you already hold; the latest is ${target.revision}, got ${query.since}`,
      );
    const base = await target.base(query.since);
    const counts = await new DeltaMerge(base.ids, await target.sorted()).skip();
    delta = { since: query.since, etag: `W/"delta-${query.since}-${target.version}"`, ...counts };
  }
  const deltaFrom = target.destination
    ? (await listReleases(store, target.destination, id))
        .filter((r) => r.revision <= target.revision)
        .map((r) => r.revision)
    : [];
  return {
    audienceId: id,
    destination: target.destination,
    revision: target.revision,
    etag: `W/"${target.version}"`,
    idForm: target.idForm,
    rows: target.size,
    counts: target.counts,
    formats: ['csv', 'ndjson', 'arrow'],
    columns: ['id', 'score', 'rank'],
    delta,
    deltaFrom: [...new Set(deltaFrom)],
  };
}
