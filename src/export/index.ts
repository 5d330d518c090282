/**
 * @module export
 * Audience activation for ad platforms: destinations that declare their ID form, releases of
 * each audience revision per destination (consent applied, keyed or platform-normalised IDs,
 * counts), and pulls streamed as CSV, NDJSON or Arrow IPC with opaque cursors, ETags and deltas
 * (a merge of sorted ID files, in flat memory). Pure TypeScript: the Cloudflare Worker serves the
 * same bytes from R2.
 *
 * @example
 * await putDestination(store, 'meta-jp', { idForm: 'sha256_email', platform: 'meta' }, keyId);
 * await buildRelease(store, workspaceDirectory(ws), { destination, audienceId: 'au_1', minSize: 100, by: keyId });
 * const page = await answerPull(store, caller, 'au_1', { format: 'csv', limit: 10_000 }, { minSize: 100, url });
 * return new Response(page.body, { status: page.status, headers: page.headers });
 */

export type { ExportableAudience } from './audiences.ts';
export { checkReleaseSize, DEFAULT_EXPORT_MIN_SIZE, findAudience } from './audiences.ts';
export { csvCell } from './csv-cell.ts';
export type { Cursor } from './cursor.ts';
export { decodeCursor, encodeCursor } from './cursor.ts';
export type { MergePosition } from './delta.ts';
export { DeltaMerge, MERGE_START } from './delta.ts';
export type { Destination, DestinationInput } from './destinations.ts';
export {
  DEFAULT_PURPOSES,
  DESTINATION_PREFIX,
  destinationSecret,
  getDestination,
  listDestinations,
  putDestination,
  requireDestination,
} from './destinations.ts';
export type { DeltaOp, ExportFormat, NextBatch, RowBatch } from './encode.ts';
export { CONTENT_TYPES, csvHeader, EXPORT_FORMATS, encodeRows } from './encode.ts';
export { HmacSha256, sha256Hex, sha256HexBytes } from './hash-id.ts';
export type { IdForm, Platform } from './id-forms.ts';
export {
  checkFormFits,
  ID_FORM_DESCRIPTIONS,
  ID_FORMS,
  PLATFORMS,
  platformEmail,
  platformPhone,
} from './id-forms.ts';
export type { MemberDirectory } from './member-directory.ts';
export { workspaceDirectory } from './member-directory.ts';
export { BATCH_ROWS, deltaRows, sortedRows, viewRows } from './pages.ts';
export type { PullAnswer, PullCaller, PullDescription, PullQuery } from './pull.ts';
export { answerPull, describePull, etagMatches } from './pull.ts';
export type { BuildReleaseArgs, Release, ReleaseCounts, ReleaseManifest } from './releases.ts';
export {
  buildRelease,
  deleteReleases,
  formOf,
  latestRelease,
  listReleases,
  RELEASE_PREFIX,
  releaseAt,
  releasePrefix,
} from './releases.ts';
export type { PullRecord, SharedAudience } from './shared.ts';
export {
  lastPull,
  mergePullRecord,
  modelSharedWith,
  PULL_PREFIX,
  parsePullRecord,
  recordPull,
  sharedAudience,
  sharedAudiences,
  sharedView,
} from './shared.ts';
export type { Share } from './shares.ts';
export {
  allShares,
  checkDestination,
  deleteShare,
  getShare,
  isShareName,
  putShare,
  SHARE_PREFIX,
  sharesOfAudience,
  sharesOfDestination,
} from './shares.ts';
