/**
 * Materialising one revision of an audience definition: score the model's universe on today's
 * data, leave out people without the consent the audience needs (counted), solve the target on
 * the frontier of who is left, hold the size inside a reach lock when there is one, and publish
 * the revision (`manifest.json`, `members.arrow` in rank order, and the same IDs sorted in chunk
 * files for deltas and overlaps) as one immutable artifact.
 */
import { checkModelId, loadLookalikeModel } from '../lookalike/artifact.ts';
import { buildCalibration } from '../lookalike/calibration.ts';
import { sigmoid } from '../lookalike/kernel.ts';
import { scoreUniverse } from '../lookalike/score.ts';
import type { LongWorkHooks } from '../lookalike/types.ts';
import { InsufficientDataError } from '../schema/index.ts';
import type { Workspace } from '../store/index.ts';
import { rowsMeeting } from './conditions.ts';
import { consentedRows } from './consent.ts';
import type { AudienceManifest } from './create.ts';
import type { AudienceDefinition, ExclusionLists, LastRefresh } from './definition.ts';
import { Frontier } from './frontier.ts';
import { audienceRevisionPrefix, encodeMembers, openMembers, type RankedMembers } from './members-file.ts';
import { audienceNeedMix, type NeedMixRequest } from './need-mix.ts';
import { solveTarget } from './solve.ts';
import { encodeSortedChunks } from './sorted-ids.ts';

export const AUDIENCE_VERSION = 1;

export interface MaterialiseOptions {
  revision: number;
  trigger: LastRefresh['trigger'];
  /** Members universe: features as of this day (default: the model's training window). */
  asOf?: string | undefined;
  /** A thread pool for the need mix's tokenizer (the needs layer's `TokenizerPool`). */
  tokenizers?: unknown;
}

const idKindOf = (universe: 'third_party' | 'members') => (universe === 'members' ? 'member' : 'third_party');

/**
 * Publishes revision `options.revision` of an audience.
 *
 * @throws NotFoundError for an unknown model.
 * @throws InvalidInputError for a target the frontier cannot take (e.g. larger than the universe).
 * @throws InsufficientDataError when fewer than `minSize` people would be released.
 * @throws ConflictError when that revision was published meanwhile (another refresh won).
 */
export async function materialiseRevision(
  ws: Workspace,
  definition: AudienceDefinition,
  lists: ExclusionLists,
  options: MaterialiseOptions,
  hooks: LongWorkHooks = {},
): Promise<{ manifest: AudienceManifest; members: RankedMembers }> {
  const model = await loadLookalikeModel(ws.artifacts, checkModelId(definition.modelId));
  const idKind = idKindOf(model.manifest.universe);
  const scored = await scoreUniverse(
    ws,
    model,
    {
      exclusions: { optedOut: lists.optedOut, ids: lists.ids },
      ...(options.asOf ? { asOf: options.asOf } : {}),
    },
    hooks,
  );
  try {
    const ranking = await eligibleRanking(scored, definition, idKind);
    const frontier = new Frontier(ranking.sorted, buildCalibration(model.calibration));
    const sized = sizeAudience(frontier, definition, ranking);
    const { n } = sized;
    const ids = await scored.idsOfRows(ranking.order.subarray(0, n));
    const scores = new Float32Array(n);
    for (let k = 0; k < n; k++) scores[k] = sigmoid(ranking.sorted[k]!);
    const ranks = Int32Array.from({ length: n }, (_, k) => k + 1);
    const mix =
      definition.needMix === false
        ? { needMix: null, reason: 'not requested' }
        : await audienceNeedMix(ws, ids, idKind, {
            ...(definition.needMix as NeedMixRequest),
            ...(options.tokenizers ? { pool: options.tokenizers } : {}),
          });
    const manifest: AudienceManifest = {
      kind: 'audience',
      version: AUDIENCE_VERSION,
      id: definition.id,
      revision: options.revision,
      modelId: model.manifest.id,
      universe: model.manifest.universe,
      idKind,
      ...sizedFields(frontier, definition, sized),
      needMix: mix.needMix,
      needMixReason: mix.reason,
      minSize: definition.minSize,
      consent:
        definition.consentPurposes.length > 0
          ? { purposes: [...definition.consentPurposes], excluded: ranking.consentExcluded }
          : null,
      reachLock: definition.reachLock
        ? { ...definition.reachLock, targetSize: sized.solution.size, held: n !== sized.solution.size }
        : null,
      trigger: options.trigger,
      asOf: options.asOf ?? null,
      snapshot: scored.snapshot,
      createdAt: new Date().toISOString(),
    };
    const members: RankedMembers = { ids, scores, ranks };
    const membersFile = encodeMembers(members);
    const { files: sortedFiles } = encodeSortedChunks(openMembers(membersFile));
    await ws.artifacts.publish(audienceRevisionPrefix(definition.id, options.revision), {
      ...sortedFiles,
      'members.arrow': membersFile,
      'manifest.json': `${JSON.stringify(manifest, null, 2)}\n`,
    });
    return { manifest, members };
  } finally {
    await scored.close();
  }
}

type Scored = Awaited<ReturnType<typeof scoreUniverse>>;

/** Who the audience may hold, in score order, with what was left out and why (for messages). */
interface Ranking {
  order: Uint32Array;
  sorted: Float32Array;
  consentExcluded: number;
  consentNote: string;
  conditionNote: string;
}

/**
 * The ranking of the people the audience may hold: consent and conditions are applied before
 * solving, so the frontier (and every size and precision) describes who can actually be reached.
 */
async function eligibleRanking(
  scored: Scored,
  definition: AudienceDefinition,
  idKind: ReturnType<typeof idKindOf>,
): Promise<Ranking> {
  const purposes = definition.consentPurposes;
  let order = scored.order;
  let sorted = scored.sorted;
  let consentExcluded = 0;
  const keep = (eligible: ArrayLike<number | boolean>, kept: number) => {
    const o = new Uint32Array(kept);
    const s = new Float32Array(kept);
    for (let k = 0, j = 0; k < order.length; k++) {
      if (eligible[order[k]!]) {
        o[j] = order[k]!;
        s[j++] = sorted[k]!;
      }
    }
    order = o;
    sorted = s;
  };
  if (purposes.length > 0) {
    const { eligible, excluded } = await consentedRows(
      scored.db,
      scored.rowsTable,
      scored.size,
      idKind,
      purposes,
    );
    consentExcluded = excluded;
    keep(eligible, scored.size - excluded);
  }
  let conditionNote = '';
  const conditions = definition.conditions ?? [];
  if (conditions.length > 0) {
    const meets = await rowsMeeting(scored.db, scored.rowsTable, conditions);
    const kept = order.reduce((n, r) => n + (meets[r] ? 1 : 0), 0);
    conditionNote = ` (${order.length - kept} people left out by the conditions)`;
    keep(meets, kept);
  }
  const consentNote =
    purposes.length > 0
      ? ` (${consentExcluded} people left out for lack of consent to ${purposes.join(', ')})`
      : '';
  if (order.length === 0) {
    throw new InsufficientDataError(
      `no one in the universe may be used for this audience${consentNote}${conditionNote}`,
      conditions.length > 0 ? 'conditions' : 'consentPurposes',
    );
  }
  return { order, sorted, consentExcluded, consentNote, conditionNote };
}

/** The target solved on the frontier, then held by the reach lock, then checked against the minimum. */
function sizeAudience(frontier: Frontier, definition: AudienceDefinition, ranking: Ranking) {
  const minSize = definition.minSize;
  const solution = solveTarget(frontier, definition.target, { minSize });
  let n = solution.size;
  let note = solution.note;
  const lock = definition.reachLock;
  if (lock) {
    const held = Math.min(frontier.size, Math.max(lock.min, Math.min(lock.max, n)));
    if (held !== n)
      note = `${note}; the reach lock [${lock.min}, ${lock.max}] held the size at ${held} (the target alone gave ${n})`;
    n = held;
  }
  if (n < minSize) {
    throw new InsufficientDataError(
      `the audience would have ${n} people, below the minimum release size of ${minSize}${solution.reached ? '' : ` (${solution.note})`}${ranking.consentNote}${ranking.conditionNote}`,
      'target',
    );
  }
  const point = n === solution.size ? solution.point : frontier.at(n);
  let expectedProfit = solution.expectedProfit ?? null;
  if (n !== solution.size && definition.target.kind === 'budget') {
    const t = definition.target;
    expectedProfit =
      point.expectedPositives * (t.conversionRate ?? 1) * t.valuePerConversion - n * t.costPerPerson;
  }
  return { solution, n, note, point, expectedProfit };
}

/** The manifest fields that describe the chosen size on the frontier, in the manifest's order. */
function sizedFields(
  frontier: Frontier,
  definition: AudienceDefinition,
  sized: ReturnType<typeof sizeAudience>,
) {
  const { solution, n, note, point, expectedProfit } = sized;
  return {
    target: definition.target,
    reached: solution.reached,
    note,
    size: n,
    universeSize: frontier.size,
    threshold: point.threshold,
    expectedPrecision: point.expectedPrecision,
    ci: point.ci,
    confidence: frontier.summary.confidence,
    expectedPositives: point.expectedPositives,
    heldOutRecall: point.heldOutRecall,
    lift: point.lift,
    expectedProfit,
    positiveShare: frontier.summary.positiveShare,
  };
}
