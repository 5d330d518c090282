/**
 * @module export
 * Audience exports for ad platforms: CSV, NDJSON and Arrow IPC, streamed in chunks,
 * cursor-paginated against an immutable snapshot, with member IDs only as normalised SHA-256
 * and deltas between versions. Pure TypeScript: the Cloudflare Worker serves the same bytes.
 *
 * @example
 * const page = exportPage(rankedIdsFromArrow(bytes, 'third_party', snapshot), { format: 'csv', limit: 10_000 });
 * return new Response(page.body);
 */

export type { Cursor } from './cursor.ts';
export { decodeCursor, encodeCursor } from './cursor.ts';
export type { ExportFormat, ExportOptions, ExportPage, RankedIds } from './encode.ts';
export { CONTENT_TYPES, EXPORT_FORMATS, exportedId, exportPage, rankedIdsFromArrow } from './encode.ts';
export { hashMemberId } from './hash-id.ts';
