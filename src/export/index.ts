/**
 * @module export
 * Audience exports for ad platforms: CSV, NDJSON and Arrow IPC, streamed in chunks,
 * cursor-paginated against an immutable snapshot, with member IDs only as normalised SHA-256
 * and deltas between versions. Pure TypeScript: the Cloudflare Worker serves the same bytes.
 *
 * @example
 * const audience = await findAudience(store, 'au_1');
 * const page = exportPage(await exportSource(audience!, 'sha256', audience!.version), { format: 'csv', limit: 10_000 });
 * return new Response(page.body);
 */

export type { ExportableAudience } from './audiences.ts';
export {
  checkIdType,
  checkReleaseSize,
  DEFAULT_EXPORT_MIN_SIZE,
  exportedIdSet,
  exportSource,
  findAudience,
  naturalIdType,
} from './audiences.ts';

export type { Cursor } from './cursor.ts';
export { decodeCursor, encodeCursor } from './cursor.ts';
export type { ExportFormat, ExportOptions, ExportPage, RankedIds } from './encode.ts';
export {
  CONTENT_TYPES,
  EXPORT_FORMATS,
  exportedId,
  exportPage,
  rankedIdsFromArrow,
  rankedIdsFromMembers,
} from './encode.ts';
export { hashMemberId, sha256Hex } from './hash-id.ts';
export type { IdType, Share } from './shares.ts';
export {
  allShares,
  checkDestination,
  deleteShare,
  getShare,
  ID_TYPES,
  putShare,
  SHARE_PREFIX,
  sharesOfAudience,
  sharesOfDestination,
} from './shares.ts';
