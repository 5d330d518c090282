/**
 * Audiences as definitions materialised into immutable revisions under `audiences/<id>/`: each
 * revision is `manifest.json` (model, universe, target, size, threshold, expected precision and
 * interval, consent, need mix, snapshot), `members.arrow` (IDs, scores and ranks in rank order)
 * and the same IDs sorted in chunk files (`sorted/`) for deltas and overlaps. Revision 1 lives at
 * `audiences/<id>/`, revision n at `audiences/<id>/revisions/<n>/`; `definition.json` holds what
 * a refresh re-runs (see `definition.ts`, `refresh.ts`). An audience of n people is the top n of
 * its model's one ranking (ties broken by ID), so a smaller audience of the same model and data
 * is always a subset of a larger one.
 */
import { checkModelId, loadLookalikeModel } from '../lookalike/artifact.ts';
import { buildCalibration } from '../lookalike/calibration.ts';
import { type ScoredUniverse, scoreUniverse } from '../lookalike/score.ts';
import type { LongWorkHooks } from '../lookalike/types.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../schema/index.ts';
import type { Workspace } from '../store/index.ts';
import { type Condition, ladders } from './conditions.ts';
import {
  type AudienceDefinition,
  bandAround,
  checkAudienceId,
  DEFAULT_KEEP_REVISIONS,
  DEFINITION_VERSION,
  nextRun,
  type ReachLock,
  readDefinition,
  writeDefinition,
  writeExclusions,
} from './definition.ts';
import { Frontier, type FrontierPoint, type FrontierSummary } from './frontier.ts';
import { AUDIENCE_VERSION, materialiseRevision } from './materialise.ts';
import {
  AUDIENCE_PREFIX,
  audienceRevisions,
  decodeMembers,
  type MembersView,
  openMembers,
  type RankedMembers,
  readAudienceRevision,
} from './members-file.ts';
import type { NeedMix, NeedMixRequest } from './need-mix.ts';
import { refreshAudience } from './refresh.ts';
import type { AudienceTarget } from './solve.ts';

export { AUDIENCE_PREFIX, AUDIENCE_VERSION, checkAudienceId };
/** No audience smaller than this is released (small audiences re-identify people). */
export const DEFAULT_MIN_SIZE = 100;

export interface AudienceManifest {
  kind: 'audience';
  version: number;
  id: string;
  /** 1 for the first materialisation, n for the n-th (a refresh); absent in older files = 1. */
  revision: number;
  modelId: string;
  universe: 'third_party' | 'members';
  /** Which identifier `members.arrow` holds. */
  idKind: 'third_party' | 'member';
  target: AudienceTarget;
  reached: boolean;
  note: string;
  size: number;
  /** People the audience could be chosen from (after exclusions and consent). */
  universeSize: number;
  /** Lowest model score (0-1) in the audience. */
  threshold: number;
  expectedPrecision: number;
  ci: [number, number];
  confidence: number;
  expectedPositives: number;
  heldOutRecall: number;
  lift: number;
  expectedProfit: number | null;
  positiveShare: number;
  needMix: NeedMix | null;
  needMixReason: string | null;
  minSize: number;
  /** Purposes the people had to have consented to, and how many of the universe did not. */
  consent?: { purposes: string[]; excluded: number } | null;
  /** The reach lock this revision was held to, the size the target alone gave, and whether it held. */
  reachLock?: (ReachLock & { targetSize: number; held: boolean }) | null;
  /** What published this revision. */
  trigger?: 'create' | 'on_demand' | 'schedule';
  /** Members universe: the day features were computed as of (null: the model's training window). */
  asOf?: string | null;
  /** Hash of the model, the data and the exclusions behind the ranking. */
  snapshot: string;
  createdAt: string;
}

export interface CreateAudienceOptions {
  modelId: string;
  target: AudienceTarget;
  /** Audience ID; default a fresh `au_…`. */
  id?: string;
  /** Smallest audience released. Default 100. */
  minSize?: number;
  /** IDs to leave out on top of the model's exclusions (opted out since training, suppression lists). */
  exclusions?: { optedOut?: readonly string[]; ids?: readonly string[] };
  /** Members universe: score with features as of this day instead of the training window. */
  asOf?: string;
  /** Need mix: false to skip it, or which themes and how many top IDs to read. Default every theme, top 5,000. */
  needMix?: false | NeedMixRequest;
  /** Publish a new revision of an existing audience `id` (a refresh) instead of failing. */
  revise?: boolean;
  /** Consent purposes every member must have granted (see `consent.ts`). Default none. */
  consentPurposes?: readonly string[];
  /** Rule conditions every member must meet (stored codes; the ops layer reads typed values). */
  conditions?: readonly Condition[];
  /** Keep every revision's size in a band: given, or within a tolerance of the first revision's size. */
  reachLock?: ReachLock | { tolerance: number } | null;
  /** Revisions to keep (default 10). */
  retention?: { keep: number };
  /** Refresh every so many hours. */
  schedule?: { everyHours: number } | null;
  /** A thread pool for the need mix's tokenizer (the needs layer's `TokenizerPool`). */
  tokenizers?: unknown;
}

export interface Audience {
  manifest: AudienceManifest;
  /** IDs, scores and ranks, in rank order. */
  members: RankedMembers;
}

/**
 * Loads a model and scores its universe into a frontier. The caller closes `scored`.
 *
 * @throws NotFoundError for an unknown model.
 */
export async function openFrontier(
  ws: Workspace,
  modelId: string,
  options: Pick<CreateAudienceOptions, 'exclusions' | 'asOf'> = {},
  hooks: LongWorkHooks = {},
): Promise<{
  frontier: Frontier;
  scored: ScoredUniverse;
  model: Awaited<ReturnType<typeof loadLookalikeModel>>;
}> {
  const model = await loadLookalikeModel(ws.artifacts, checkModelId(modelId));
  const scored = await scoreUniverse(
    ws,
    model,
    {
      ...(options.exclusions ? { exclusions: options.exclusions } : {}),
      ...(options.asOf ? { asOf: options.asOf } : {}),
    },
    hooks,
  );
  try {
    return { frontier: new Frontier(scored.sorted, buildCalibration(model.calibration)), scored, model };
  } catch (err) {
    await scored.close();
    throw err;
  }
}

/**
 * The size/precision frontier of a model over its universe: a grid of points and the summary.
 *
 * @param ws - the workspace.
 * @param modelId - a stored lookalike model.
 * @param options - grid steps and extra exact sizes.
 * @throws NotFoundError for an unknown model.
 * @example
 * const { summary, points } = await modelFrontier(ws, 'lm_…', { sizes: [1000, 5000] });
 */
export async function modelFrontier(
  ws: Workspace,
  modelId: string,
  options: { steps?: number; sizes?: readonly number[] } = {},
  hooks: LongWorkHooks = {},
): Promise<{ modelId: string; snapshot: string; summary: FrontierSummary; points: FrontierPoint[] }> {
  const { frontier, scored } = await openFrontier(ws, modelId, {}, hooks);
  try {
    return {
      modelId,
      snapshot: scored.snapshot,
      summary: frontier.summary,
      points: frontier.grid(options.steps ?? 120, options.sizes ?? [], 10),
    };
  } finally {
    await scored.close();
  }
}

/**
 * Creates an audience: stores its definition and materialises revision 1 (scores the model's
 * universe, solves the target on its frontier, publishes the top-n IDs).
 *
 * @param ws - the workspace.
 * @param options - model, target (size, precision or budget), minimum size, exclusions, consent,
 *   reach lock, retention, schedule.
 * @param hooks - progress and cancellation of the universe scoring.
 * @returns the manifest and the ranked members of revision 1.
 * @throws NotFoundError when the model does not exist.
 * @throws ConflictError when the audience exists (refresh it instead).
 * @throws InvalidInputError for a target size larger than the universe or a malformed target.
 * @throws InsufficientDataError when the solved size is below the minimum release size.
 * @example
 * const a = await createAudience(ws, { modelId: 'lm_…', target: { kind: 'size', size: 20_000 } });
 * a.manifest.expectedPrecision; a.manifest.ci;
 */
export async function createAudience(
  ws: Workspace,
  options: CreateAudienceOptions,
  hooks: LongWorkHooks = {},
): Promise<Audience> {
  const id = checkAudienceId(
    options.id ??
      `au_${new Date().toISOString().slice(0, 10).replaceAll('-', '')}_${crypto.randomUUID().slice(0, 8)}`,
  );
  const minSize = options.minSize ?? DEFAULT_MIN_SIZE;
  if (!Number.isInteger(minSize) || minSize < 1) {
    throw new InvalidInputError(`minSize must be a whole number >= 1, got ${minSize}`, 'minSize');
  }
  // Checked before anything is stored: a malformed condition is refused here, not at the first refresh.
  if (options.conditions?.length) ladders(options.conditions);
  const existing = await audienceRevisions(ws.artifacts, id);
  if (existing.length > 0 || (await readDefinition(ws.artifacts, id))) {
    if (options.revise) {
      return refreshAudience(ws, id, { trigger: 'on_demand', tokenizers: options.tokenizers }, hooks);
    }
    throw new ConflictError(
      `audience "${id}" already exists; refresh it to publish a new revision, or choose another id`,
      'id',
    );
  }
  const now = new Date();
  const lock = options.reachLock ?? null;
  const lists = {
    optedOut: (options.exclusions?.optedOut ?? []).map(String),
    ids: (options.exclusions?.ids ?? []).map(String),
  };
  const definition: AudienceDefinition = {
    kind: 'audience-definition',
    version: DEFINITION_VERSION,
    id,
    modelId: checkModelId(options.modelId),
    target: options.target,
    minSize,
    conditions: [...(options.conditions ?? [])],
    exclusions: { optedOut: lists.optedOut.length, ids: lists.ids.length },
    needMix:
      options.needMix === false
        ? false
        : {
            ...(options.needMix?.themes ? { themes: [...options.needMix.themes] } : {}),
            ...(options.needMix?.sample !== undefined ? { sample: options.needMix.sample } : {}),
          },
    consentPurposes: [...(options.consentPurposes ?? [])],
    asOf: options.asOf ?? null,
    reachLock: lock && 'min' in lock ? { min: lock.min, max: lock.max } : null,
    retention: { keep: options.retention?.keep ?? DEFAULT_KEEP_REVISIONS },
    schedule: options.schedule
      ? { everyHours: options.schedule.everyHours, nextRefreshAt: nextRun(now, options.schedule.everyHours) }
      : null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    lastRefresh: null,
  };
  const audience = await materialiseRevision(
    ws,
    definition,
    lists,
    {
      revision: 1,
      trigger: 'create',
      asOf: options.asOf,
      tokenizers: options.tokenizers ?? (options.needMix ? options.needMix.pool : undefined),
    },
    hooks,
  );
  if (lock && 'tolerance' in lock) definition.reachLock = bandAround(audience.manifest.size, lock.tolerance);
  definition.lastRefresh = { at: audience.manifest.createdAt, revision: 1, error: null, trigger: 'create' };
  await writeExclusions(ws.artifacts, id, lists);
  await writeDefinition(ws.artifacts, definition);
  return audience;
}

/**
 * Loads a stored audience: its latest revision, or the one asked for.
 *
 * @throws NotFoundError when no audience (or no such revision) has that ID.
 */
export async function loadAudience(ws: Workspace, id: string, revision?: number): Promise<Audience> {
  const opened = await openAudience(ws, id, revision);
  return { manifest: opened.manifest, members: decodeMembers(await opened.memberBytes()) };
}

/**
 * An audience's manifest, with its members read only when asked for (a read of the manifest
 * alone does not touch `members.arrow`).
 *
 * @throws NotFoundError when the audience (or that revision) does not exist.
 */
export async function openAudience(
  ws: Workspace,
  id: string,
  revision?: number,
): Promise<{
  manifest: AudienceManifest;
  memberBytes(): Promise<Uint8Array>;
  members(): Promise<MembersView>;
}> {
  checkAudienceId(id);
  const at = revision ?? (await audienceRevisions(ws.artifacts, id)).at(-1) ?? 1;
  const stored = await readAudienceRevision<AudienceManifest>(ws.artifacts, id, at);
  if (!stored) throw new NotFoundError('audience', revision ? `${id}@${revision}` : id);
  const memberBytes = async () => {
    const bytes = await stored.members();
    if (!bytes) throw new NotFoundError('audience', revision ? `${id}@${revision}` : id);
    return bytes;
  };
  return {
    manifest: { ...stored.manifest, revision: stored.manifest.revision ?? 1 },
    memberBytes,
    members: async () => openMembers(await memberBytes()),
  };
}

/** IDs of every stored audience (with a definition or at least one revision), sorted. */
export async function audienceIds(ws: Workspace): Promise<string[]> {
  const pattern = new RegExp(
    `^${AUDIENCE_PREFIX}/([^/]+)/(definition\\.json|manifest\\.json|revisions/[0-9]+/manifest\\.json)$`,
  );
  const ids = new Set<string>();
  for (const key of await ws.artifacts.list(`${AUDIENCE_PREFIX}/`)) {
    const id = pattern.exec(key)?.[1];
    if (id) ids.add(id);
  }
  return [...ids].sort();
}

/** Manifests of every stored audience (each at its latest revision), newest first. */
export async function listAudiences(ws: Workspace): Promise<AudienceManifest[]> {
  const out: AudienceManifest[] = [];
  for (const id of await audienceIds(ws)) {
    const latest = (await audienceRevisions(ws.artifacts, id)).at(-1);
    if (latest === undefined) continue;
    const m = (await readAudienceRevision<AudienceManifest>(ws.artifacts, id, latest))?.manifest;
    if (m) out.push({ ...m, revision: m.revision ?? 1 });
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
}
