/**
 * A ladder class as a list of people, as of a day: what a lookalike seed ("seed: 優良・現役") or an
 * exclusion ("exclude: all 現役") is made of. Member IDs for member seeds and the members universe;
 * third-party IDs (linked to those members through `id_links`, plus community actors known only by
 * a third-party ID) for exclusions from the third-party universe.
 */
import { InvalidInputError } from '../schema/index.ts';
import type { Workspace } from '../store/index.ts';
import { type CpmThresholdOptions, classify, resolveCpmThresholds } from './cpm.ts';
import { decileAnalysis } from './deciles.ts';
import { type EngagementDeps, engagementMembers, loadEngagementLadder } from './engagement.ts';
import {
  CPM_CLASSES,
  CPM_STAGE_LABELS,
  CPM_STAGES,
  CPM_STATE_LABELS,
  CPM_STATES,
  type CpmClassId,
  cpmClassLabel,
  ENGAGEMENT_LABELS,
  ENGAGEMENT_STATUSES,
  type EngagementStatus,
} from './labels.ts';
import { purchaseHistory } from './purchases.ts';
import { type RfmOptions, rfmRanks } from './rfm.ts';

export type LadderClass =
  /** CPM classes (`loyal_active`, 優良・現役), stages (`loyal`: both states) or states (`active`: all 現役). */
  | { ladder: 'cpm'; classes: readonly string[]; thresholds?: CpmThresholdOptions }
  /** Members whose RFM ranks fall in every given [low, high] range (inclusive). */
  | {
      ladder: 'rfm';
      r?: readonly [number, number];
      f?: readonly [number, number];
      m?: readonly [number, number];
      since?: string;
      cuts?: RfmOptions['cuts'];
    }
  /** Members in the given spend deciles (1 = top tenth). */
  | { ladder: 'decile'; deciles: readonly number[]; since?: string }
  /** Actors of the given engagement statuses under a published engagement ladder. */
  | { ladder: 'engagement'; ladderId: string; statuses: readonly string[] };

export interface LadderMembers {
  asOf: string;
  description: { ja: string; en: string };
  memberIds: string[];
  /** Third-party IDs linked to the members, plus third-party community actors (engagement). */
  thirdPartyIds: string[];
}

const normalize = (s: string) =>
  s
    .normalize('NFKC')
    .replace(/[・\s_.\-/]/g, '')
    .replace(/客$/, '')
    .toLowerCase();

/** Every spelling accepted for a CPM class, stage or state: IDs, Japanese labels with or without 「・」 and 「客」. */
function cpmAliases(): Map<string, CpmClassId[]> {
  const out = new Map<string, CpmClassId[]>();
  const add = (alias: string, ids: CpmClassId[]) => out.set(normalize(alias), ids);
  for (const id of CPM_CLASSES) {
    add(id, [id]);
    add(cpmClassLabel(id).ja, [id]);
  }
  for (const s of CPM_STAGES) {
    const ids = CPM_CLASSES.filter((c) => c.startsWith(`${s}_`));
    add(s, ids);
    add(CPM_STAGE_LABELS[s].ja, ids);
  }
  for (const st of CPM_STATES) {
    const ids = CPM_CLASSES.filter((c) => c.endsWith(`_${st}`));
    add(st, ids);
    add(CPM_STATE_LABELS[st].ja, ids);
  }
  return out;
}
const CPM_ALIASES = cpmAliases();

/** The CPM classes named by IDs or labels ('優良・現役', 'loyal_active', '現役', 'loyal'). */
export function parseCpmClasses(names: readonly string[], field = 'class.classes'): CpmClassId[] {
  if (!names.length) throw new InvalidInputError(`${field} needs at least one class`, field);
  const out = new Set<CpmClassId>();
  names.forEach((name, i) => {
    const ids = CPM_ALIASES.get(normalize(name));
    if (!ids)
      throw new InvalidInputError(
        `${field}.${i}: "${name}" is not a CPM class, stage or state; use e.g. 優良・現役, loyal_active, 現役 or loyal (classes: ${CPM_CLASSES.join(', ')})`,
        `${field}.${i}`,
      );
    for (const id of ids) out.add(id);
  });
  return CPM_CLASSES.filter((c) => out.has(c));
}

/** Engagement statuses named by IDs or labels (貢献度, contribution). */
export function parseEngagementStatuses(
  names: readonly string[],
  field = 'class.statuses',
): EngagementStatus[] {
  if (!names.length) throw new InvalidInputError(`${field} needs at least one status`, field);
  return names.map((name, i) => {
    const n = normalize(name);
    const s = ENGAGEMENT_STATUSES.find(
      (st) => normalize(st) === n || normalize(ENGAGEMENT_LABELS[st].ja) === n,
    );
    if (!s)
      throw new InvalidInputError(
        `${field}.${i}: "${name}" is not an engagement status; use ${ENGAGEMENT_STATUSES.map((st) => `${st} (${ENGAGEMENT_LABELS[st].ja})`).join(', ')}`,
        `${field}.${i}`,
      );
    return s;
  });
}

function inRange(v: number, r: readonly [number, number] | undefined): boolean {
  return !r || (v >= r[0] && v <= r[1]);
}

async function linkedTpIds(ws: Workspace, memberIds: readonly string[]): Promise<string[]> {
  if (!memberIds.length) return [];
  const out = await ws.db.columns(
    `SELECT DISTINCT l.tp_id FROM id_links l
     WHERE l.member_id IN (SELECT unnest(from_json($ids, '["VARCHAR"]')))
     ORDER BY 1`,
    { ids: JSON.stringify(memberIds) },
  );
  return (out.columns[0] ?? []) as string[];
}

/**
 * Resolves a ladder class to the people in it as of a day.
 *
 * @param ws the workspace
 * @param cls the class (CPM, RFM ranges, deciles, engagement statuses)
 * @param asOf the day (only data before it)
 * @param deps the text classifier (engagement classes only)
 * @throws InvalidInputError for an unknown class name or bad ranges
 * @throws NotFoundError for an unknown engagement ladder
 * @example
 * const seed = await ladderMembers(ws, { ladder: 'cpm', classes: ['優良・現役'] }, '2026-04-01');
 * const exclude = await ladderMembers(ws, { ladder: 'cpm', classes: ['現役'] }, '2026-04-01');
 */
export async function ladderMembers(
  ws: Workspace,
  cls: LadderClass,
  asOf: string,
  deps?: Pick<EngagementDeps, 'classifier'>,
): Promise<LadderMembers> {
  const found = await classMembers(ws, cls, asOf, deps);
  const thirdPartyIds = [...new Set([...(await linkedTpIds(ws, found.memberIds)), ...found.extraTp])].sort();
  return { asOf, description: found.description, memberIds: found.memberIds, thirdPartyIds };
}

/** The members of a class, third-party IDs known without a link, and the class in words. */
interface ClassMembers {
  memberIds: string[];
  extraTp: string[];
  description: { ja: string; en: string };
}

function classMembers(
  ws: Workspace,
  cls: LadderClass,
  asOf: string,
  deps: Pick<EngagementDeps, 'classifier'> | undefined,
): Promise<ClassMembers> {
  switch (cls.ladder) {
    case 'cpm':
      return cpmMembers(ws, cls, asOf);
    case 'rfm':
      return rfmMembers(ws, cls, asOf);
    case 'decile':
      return decileMembers(ws, cls, asOf);
    case 'engagement':
      return engagementClassMembers(ws, cls, asOf, deps);
  }
}

type ClassOf<K extends LadderClass['ladder']> = Extract<LadderClass, { ladder: K }>;

async function cpmMembers(ws: Workspace, cls: ClassOf<'cpm'>, asOf: string): Promise<ClassMembers> {
  const wanted = parseCpmClasses(cls.classes);
  const history = await purchaseHistory(ws.db, { asOf });
  const t = await resolveCpmThresholds(ws.db, history, cls.thresholds ?? {});
  const set = new Set<CpmClassId>(wanted);
  return {
    memberIds: classify(history, t).flatMap((c, i) => (set.has(c) ? [history.memberIds[i]!] : [])),
    extraTp: [],
    description: {
      ja: `CPM ${wanted.map((c) => cpmClassLabel(c).ja).join('・')}（${asOf}時点）`,
      en: `CPM ${wanted.join(', ')} as of ${asOf}`,
    },
  };
}

async function rfmMembers(ws: Workspace, cls: ClassOf<'rfm'>, asOf: string): Promise<ClassMembers> {
  for (const d of ['r', 'f', 'm'] as const) {
    const r = cls[d];
    if (r && !(r[0] >= 1 && r[1] <= 5 && r[0] <= r[1]))
      throw new InvalidInputError(
        `class.${d} must be [low, high] ranks within 1-5, got [${r.join(', ')}]`,
        `class.${d}`,
      );
  }
  const r = await rfmRanks(
    ws.db,
    { asOf, ...(cls.since ? { since: cls.since } : {}) },
    cls.cuts ? { cuts: cls.cuts } : {},
  );
  const ranges = (['r', 'f', 'm'] as const).flatMap((d) =>
    cls[d] ? [`${d.toUpperCase()}${cls[d]![0]}-${cls[d]![1]}`] : [],
  );
  return {
    memberIds: r.history.memberIds.filter(
      (_, i) =>
        inRange(r.ranks.r[i]!, cls.r) && inRange(r.ranks.f[i]!, cls.f) && inRange(r.ranks.m[i]!, cls.m),
    ),
    extraTp: [],
    description: {
      ja: `RFM ${ranges.join(' ') || '全員'}（${asOf}時点）`,
      en: `RFM ${ranges.join(' ') || 'all'} as of ${asOf}`,
    },
  };
}

async function decileMembers(ws: Workspace, cls: ClassOf<'decile'>, asOf: string): Promise<ClassMembers> {
  if (!cls.deciles.length || cls.deciles.some((d) => !Number.isInteger(d) || d < 1 || d > 10))
    throw new InvalidInputError(
      `class.deciles must list deciles 1-10, got [${cls.deciles.join(', ')}]`,
      'class.deciles',
    );
  const d = await decileAnalysis(ws.db, { asOf, ...(cls.since ? { since: cls.since } : {}) });
  const set = new Set(cls.deciles);
  return {
    memberIds: d.history.memberIds.filter((_, i) => set.has(d.decileOf[i]!)),
    extraTp: [],
    description: {
      ja: `デシル ${[...set].sort((a, b) => a - b).join('・')}（${asOf}時点）`,
      en: `spend deciles ${[...set].sort((a, b) => a - b).join(', ')} as of ${asOf}`,
    },
  };
}

async function engagementClassMembers(
  ws: Workspace,
  cls: ClassOf<'engagement'>,
  asOf: string,
  deps: Pick<EngagementDeps, 'classifier'> | undefined,
): Promise<ClassMembers> {
  if (!deps) throw new InvalidInputError('an engagement class needs the text classifier', 'class');
  const statuses = parseEngagementStatuses(cls.statuses);
  const m = await loadEngagementLadder(ws, cls.ladderId);
  const r = await engagementMembers(ws, m, statuses, asOf, deps);
  return {
    memberIds: r.memberIds,
    extraTp: r.thirdPartyIds,
    description: {
      ja: `エンゲージメント ${statuses.map((s) => ENGAGEMENT_LABELS[s].ja).join('・')}（${asOf}時点、${m.id}）`,
      en: `engagement ${statuses.join(', ')} as of ${asOf} (${m.id})`,
    },
  };
}
