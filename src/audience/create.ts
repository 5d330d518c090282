/**
 * Audiences as versioned, immutable artifacts under `audiences/<id>/`: `manifest.json` (model,
 * universe, target, size, threshold, expected precision and interval, need mix, snapshot) and
 * `members.arrow` (IDs, scores and ranks in rank order). Refreshing an audience publishes a new
 * revision beside the old ones (`audiences/<id>/revisions/<n>/`), so exports can send deltas. An audience of n people is the top n of
 * its model's one ranking (ties broken by ID), so a smaller audience of the same model and data
 * is always a subset of a larger one.
 */
import { randomUUID } from 'node:crypto';
import { checkModelId, loadLookalikeModel } from '../lookalike/artifact.ts';
import { buildCalibration } from '../lookalike/calibration.ts';
import { sigmoid } from '../lookalike/kernel.ts';
import { type ScoredUniverse, scoreUniverse } from '../lookalike/score.ts';
import type { LongWorkHooks } from '../lookalike/types.ts';
import { InsufficientDataError, InvalidInputError, NotFoundError } from '../schema/index.ts';
import type { Workspace } from '../store/index.ts';
import { Frontier, type FrontierPoint, type FrontierSummary } from './frontier.ts';
import {
  AUDIENCE_PREFIX,
  audienceRevisionPrefix,
  audienceRevisions,
  decodeMembers,
  encodeMembers,
  type MembersView,
  openMembers,
  type RankedMembers,
  readAudienceRevision,
} from './members-file.ts';
import { audienceNeedMix, type NeedMix, type NeedMixRequest } from './need-mix.ts';
import { type AudienceTarget, type Solution, solveTarget } from './solve.ts';

export { AUDIENCE_PREFIX };
export const AUDIENCE_VERSION = 1;
/** No audience smaller than this is released (small audiences re-identify people). */
export const DEFAULT_MIN_SIZE = 100;

export interface AudienceManifest {
  kind: 'audience';
  version: number;
  id: string;
  /** 1 for the first materialisation, n for the n-th (`revise`); absent in older files = 1. */
  revision: number;
  modelId: string;
  universe: 'third_party' | 'members';
  /** Which identifier `members.arrow` holds. */
  idKind: 'third_party' | 'member';
  target: AudienceTarget;
  reached: boolean;
  note: string;
  size: number;
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
}

export interface Audience {
  manifest: AudienceManifest;
  /** IDs, scores and ranks, in rank order. */
  members: RankedMembers;
}

const AUDIENCE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

function checkAudienceId(id: string): string {
  if (typeof id !== 'string' || !AUDIENCE_ID.test(id)) {
    throw new InvalidInputError(
      `audience id "${String(id)}" is not valid: use 1-100 letters, digits, "_", "-" or "."`,
      'id',
    );
  }
  return id;
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
 * Materialises an audience: scores the model's universe, solves the target on its frontier, and
 * publishes `audiences/<id>/` with the top-n IDs.
 *
 * @param ws - the workspace.
 * @param options - model, target (size, precision or budget), minimum size, extra exclusions.
 * @param hooks - progress and cancellation of the universe scoring.
 * @returns the manifest and the ranked members.
 * @throws NotFoundError when the model does not exist.
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
      `au_${new Date().toISOString().slice(0, 10).replaceAll('-', '')}_${randomUUID().slice(0, 8)}`,
  );
  const minSize = options.minSize ?? DEFAULT_MIN_SIZE;
  if (!Number.isInteger(minSize) || minSize < 1) {
    throw new InvalidInputError(`minSize must be a whole number >= 1, got ${minSize}`, 'minSize');
  }
  const revisions = await audienceRevisions(ws.artifacts, id);
  if (revisions.length > 0 && !options.revise) {
    throw new InvalidInputError(
      `audience "${id}" already exists; audiences are immutable, choose another id or publish a new revision`,
      'id',
    );
  }
  const revision = (revisions.at(-1) ?? 0) + 1;
  const { frontier, scored, model } = await openFrontier(ws, options.modelId, options, hooks);
  try {
    const solution: Solution = solveTarget(frontier, options.target, { minSize });
    if (solution.size < minSize) {
      throw new InsufficientDataError(
        `the audience would have ${solution.size} people, below the minimum release size of ${minSize}${solution.reached ? '' : ` (${solution.note})`}`,
        'target',
      );
    }
    const n = solution.size;
    const ids = await scored.ids(0, n);
    const scores = new Float32Array(n);
    for (let k = 0; k < n; k++) scores[k] = sigmoid(scored.sorted[k]!);
    const ranks = Int32Array.from({ length: n }, (_, k) => k + 1);
    const idKind = model.manifest.universe === 'members' ? 'member' : 'third_party';
    const mix =
      options.needMix === false
        ? { needMix: null, reason: 'not requested' }
        : await audienceNeedMix(ws, ids, idKind, options.needMix ?? {});
    const p = solution.point;
    const manifest: AudienceManifest = {
      kind: 'audience',
      version: AUDIENCE_VERSION,
      id,
      revision,
      modelId: model.manifest.id,
      universe: model.manifest.universe,
      idKind,
      target: options.target,
      reached: solution.reached,
      note: solution.note,
      size: n,
      universeSize: frontier.size,
      threshold: p.threshold,
      expectedPrecision: p.expectedPrecision,
      ci: p.ci,
      confidence: frontier.summary.confidence,
      expectedPositives: p.expectedPositives,
      heldOutRecall: p.heldOutRecall,
      lift: p.lift,
      expectedProfit: solution.expectedProfit ?? null,
      positiveShare: frontier.summary.positiveShare,
      needMix: mix.needMix,
      needMixReason: mix.reason,
      minSize,
      snapshot: scored.snapshot,
      createdAt: new Date().toISOString(),
    };
    const members: RankedMembers = { ids, scores, ranks };
    await ws.artifacts.publish(audienceRevisionPrefix(id, revision), {
      'manifest.json': `${JSON.stringify(manifest, null, 2)}\n`,
      'members.arrow': encodeMembers(members),
    });
    return { manifest, members };
  } finally {
    await scored.close();
  }
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

/** Manifests of every stored audience (each at its latest revision), newest first. */
export async function listAudiences(ws: Workspace): Promise<AudienceManifest[]> {
  const top = new RegExp(`^${AUDIENCE_PREFIX}/([^/]+)/manifest\\.json$`);
  const ids = (await ws.artifacts.list(`${AUDIENCE_PREFIX}/`)).flatMap((k) => top.exec(k)?.[1] ?? []);
  const out: AudienceManifest[] = [];
  for (const id of ids) {
    const latest = (await audienceRevisions(ws.artifacts, id)).at(-1) ?? 1;
    const m = (await readAudienceRevision<AudienceManifest>(ws.artifacts, id, latest))?.manifest;
    if (m) out.push({ ...m, revision: m.revision ?? 1 });
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
}
