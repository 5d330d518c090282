/**
 * Refreshing audiences: a definition re-materialised on today's data as its next revision, on
 * demand or by its schedule; old revisions beyond the definition's retention are deleted (with
 * the destination releases made from them). Definitions can be changed between refreshes.
 */
import { loadLookalikeModel } from '../lookalike/artifact.ts';
import type { LongWorkHooks } from '../lookalike/types.ts';
import { NotFoundError } from '../schema/index.ts';
import type { ArtifactStore } from '../store/artifacts.ts';
import type { Workspace } from '../store/index.ts';
import type { Audience, AudienceManifest } from './create.ts';
import {
  type AudienceDefinition,
  checkAudienceId,
  definitionFromManifest,
  type LastRefresh,
  nextRun,
  readDefinition,
  readExclusions,
  writeDefinition,
} from './definition.ts';
import { materialiseRevision } from './materialise.ts';
import {
  AUDIENCE_PREFIX,
  audienceRevisionPrefix,
  audienceRevisions,
  RELEASE_PREFIX,
  readAudienceRevision,
} from './members-file.ts';

/**
 * The definition of an audience: its stored one, or one derived from its first revision.
 *
 * @throws NotFoundError when there is no such audience.
 */
export async function audienceDefinition(store: ArtifactStore, id: string): Promise<AudienceDefinition> {
  checkAudienceId(id);
  const stored = await readDefinition(store, id);
  if (stored) return stored;
  const first = (await audienceRevisions(store, id))[0];
  const m =
    first === undefined ? null : (await readAudienceRevision<AudienceManifest>(store, id, first))?.manifest;
  if (!m) throw new NotFoundError('audience', id);
  return definitionFromManifest(m);
}

export interface RefreshOptions {
  trigger: Exclude<LastRefresh['trigger'], 'create'>;
  /** A thread pool for the need mix's tokenizer. */
  tokenizers?: unknown;
  now?: Date;
}

/** The day a refresh scores a members universe on: data up to (not including) today. */
const today = (now: Date) => now.toISOString().slice(0, 10);

/**
 * Publishes the next revision of an audience from its definition, then deletes revisions beyond
 * its retention. A failed refresh is recorded on the definition (`lastRefresh.error`) and rethrown.
 *
 * @throws NotFoundError when there is no such audience.
 * @throws InsufficientDataError when the refreshed audience would be below its minimum size.
 * @throws ConflictError when another refresh published the same revision first.
 */
export async function refreshAudience(
  ws: Workspace,
  id: string,
  options: RefreshOptions,
  hooks: LongWorkHooks = {},
): Promise<Audience> {
  const definition = await audienceDefinition(ws.artifacts, id);
  const lists = await readExclusions(ws.artifacts, id);
  const revision = ((await audienceRevisions(ws.artifacts, id)).at(-1) ?? 0) + 1;
  const now = options.now ?? new Date();
  const model = await loadLookalikeModel(ws.artifacts, definition.modelId);
  const asOf = definition.asOf ?? (model.manifest.universe === 'members' ? today(now) : undefined);
  try {
    const audience = await materialiseRevision(
      ws,
      definition,
      lists,
      { revision, trigger: options.trigger, asOf, tokenizers: options.tokenizers },
      hooks,
    );
    const latest = (await readDefinition(ws.artifacts, id)) ?? definition;
    await writeDefinition(ws.artifacts, {
      ...latest,
      lastRefresh: { at: audience.manifest.createdAt, revision, error: null, trigger: options.trigger },
      ...(latest.schedule
        ? { schedule: { ...latest.schedule, nextRefreshAt: nextRun(now, latest.schedule.everyHours) } }
        : {}),
    });
    await pruneRevisions(ws.artifacts, id, latest.retention.keep);
    return audience;
  } catch (err) {
    const latest = (await readDefinition(ws.artifacts, id)) ?? definition;
    await writeDefinition(ws.artifacts, {
      ...latest,
      lastRefresh: {
        at: now.toISOString(),
        revision: null,
        error: err instanceof Error ? err.message : String(err),
        trigger: options.trigger,
      },
    });
    throw err;
  }
}

/**
 * Deletes all but the latest `keep` revisions of an audience, and the releases made from them.
 * A revision's manifest goes first, so a reader never sees a revision without its files.
 *
 * @returns the deleted revision numbers.
 */
export async function pruneRevisions(store: ArtifactStore, id: string, keep: number): Promise<number[]> {
  const revisions = await audienceRevisions(store, id);
  const doomed = revisions.slice(0, Math.max(0, revisions.length - Math.max(1, keep)));
  for (const revision of doomed) {
    const prefix = audienceRevisionPrefix(id, revision);
    await store.delete(`${prefix}/manifest.json`);
    const nested = revision === 1 ? /^(revisions\/|definition\.json$|exclusions\.json$)/ : null;
    for (const key of await store.list(`${prefix}/`)) {
      if (nested?.test(key.slice(prefix.length + 1))) continue;
      await store.delete(key);
    }
    const released = (await store.list(`${RELEASE_PREFIX}/`)).filter((key) => {
      const parts = key.split('/');
      return parts[2] === id && parts[3] === String(revision);
    });
    // Manifests first: a release without its manifest is not there for readers.
    released.sort((a, b) => Number(b.endsWith('/manifest.json')) - Number(a.endsWith('/manifest.json')));
    for (const key of released) await store.delete(key);
  }
  return doomed;
}

/** Every audience definition (stored or derived), by ID. */
export async function listDefinitions(store: ArtifactStore): Promise<AudienceDefinition[]> {
  const ids = new Set<string>();
  for (const key of await store.list(`${AUDIENCE_PREFIX}/`)) {
    const m =
      /^audiences\/([^/]+)\/(definition\.json|manifest\.json|revisions\/[0-9]+\/manifest\.json)$/.exec(key);
    if (m) ids.add(m[1]!);
  }
  const out: AudienceDefinition[] = [];
  for (const id of [...ids].sort()) out.push(await audienceDefinition(store, id));
  return out;
}
