/**
 * Releasing an audience revision to the destinations it is shared with (after a refresh or a
 * change of a destination's form): one release per share; a share that cannot be released (too
 * few people with consent, say) keeps its last release and records why on the share.
 */
import { audienceRevisions } from '../../audience/index.ts';
import {
  buildRelease,
  DEFAULT_EXPORT_MIN_SIZE,
  getDestination,
  putShare,
  type Share,
  sharesOfAudience,
  sharesOfDestination,
  workspaceDirectory,
} from '../../export/index.ts';
import type { Workspace } from '../../store/index.ts';

export interface ReleaseOutcome {
  destination: string;
  audienceId: string;
  revision: number | null;
  size: number | null;
  error: string | null;
}

/** The release minimum of an audience: its own minimum, never below the export floor. */
export const releaseMinimum = (audienceMinSize: number | undefined) =>
  Math.max(DEFAULT_EXPORT_MIN_SIZE, audienceMinSize ?? DEFAULT_EXPORT_MIN_SIZE);

async function releaseShare(
  ws: Workspace,
  share: Share,
  minSize: number,
  by: string | null,
): Promise<ReleaseOutcome> {
  const destination = await getDestination(ws.artifacts, share.destination);
  const base = { destination: share.destination, audienceId: share.audienceId };
  if (!destination) {
    const error = `destination "${share.destination}" is not declared; declare its ID form and share again`;
    return { ...base, revision: null, size: null, error };
  }
  try {
    const m = await buildRelease(ws.artifacts, workspaceDirectory(ws), {
      destination,
      audienceId: share.audienceId,
      minSize,
      by,
    });
    if (share.lastReleaseError) await putShare(ws.artifacts, { ...share, lastReleaseError: null });
    return { ...base, revision: m.revision, size: m.size, error: null };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    const revision = (await audienceRevisions(ws.artifacts, share.audienceId)).at(-1) ?? 0;
    await putShare(ws.artifacts, {
      ...share,
      lastReleaseError: { revision, error, at: new Date().toISOString() },
    });
    return { ...base, revision: null, size: null, error };
  }
}

/** Releases the latest revision of an audience to every destination it is shared with. */
export async function releaseAudience(
  ws: Workspace,
  audienceId: string,
  minSize: number,
  by: string | null,
): Promise<ReleaseOutcome[]> {
  const out: ReleaseOutcome[] = [];
  for (const share of await sharesOfAudience(ws.artifacts, audienceId))
    out.push(await releaseShare(ws, share, minSize, by));
  return out;
}

/** Releases every audience shared with a destination again (after its form, purposes or key changed). */
export async function releaseDestination(
  ws: Workspace,
  destination: string,
  minSizeOf: (audienceId: string) => Promise<number>,
  by: string | null,
): Promise<ReleaseOutcome[]> {
  const out: ReleaseOutcome[] = [];
  for (const share of await sharesOfDestination(ws.artifacts, destination))
    out.push(await releaseShare(ws, share, await minSizeOf(share.audienceId), by));
  return out;
}
