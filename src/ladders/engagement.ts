/**
 * The engagement ladder as an artifact as of a day: thresholds chosen by simulation (or given),
 * the status distribution, routes to 貢献度 with support and lift, triggers of each kind of step,
 * the next-step nudge of each status, and what the text classifier and the taxonomy made of the
 * data. Stored at `ladders/engagement/<id>/manifest.json`; statuses on other days, transitions and
 * member lists are computed from it (same taxonomy, window and thresholds) against the workspace.
 */
import { InsufficientDataError, InvalidInputError, NotFoundError, throwIfAborted } from '../schema/index.ts';
import { getJson, type Workspace } from '../store/index.ts';
import { type ActionLog, epochDay, isoDay, readActionLog } from './action-log.ts';
import {
  activeBefore,
  distributionOf,
  type LevelThresholds,
  type StatusShare,
  statusLevelAt,
  statusOfLevel,
  windowCounts,
} from './engagement-status.ts';
import {
  ENGAGEMENT_INDICES,
  ENGAGEMENT_LABELS,
  ENGAGEMENT_STATUSES,
  type EngagementIndex,
  type EngagementStatus,
} from './labels.ts';
import { type Nudge, nudges } from './nudges.ts';
import { mineRoutes, type RouteMining } from './routes.ts';
import type { SubstantiveClassifier } from './substantive.ts';
import { DEFAULT_TAXONOMY, type Taxonomy } from './taxonomy.ts';
import { ensureTextLabels } from './text-labels.ts';
import { DEFAULT_MAX_THRESHOLD, simulateThresholds, type ThresholdSimulation } from './thresholds.ts';
import { trajectories } from './trajectories.ts';
import { DEFAULT_TRIGGER_OPTIONS, mineTriggers, type StepTriggers, type TriggerOptions } from './triggers.ts';

export const ENGAGEMENT_PREFIX = 'ladders/engagement';
export const ENGAGEMENT_VERSION = 1;
const ID_PATTERN = /^eng_[A-Za-z0-9_-]+$/;
export const DEFAULT_WINDOW_DAYS = 90;

export interface EngagementOptions {
  /** Status as of this day (only actions before it). */
  asOf: string;
  /** Days of actions a status counts. Default 90. */
  windowDays?: number;
  /** Thresholds the user fixes; the others are chosen by simulation. */
  thresholds?: Partial<Record<EngagementIndex, number>>;
  /** Largest threshold simulated. Default 30. */
  maxThreshold?: number;
  /** The taxonomy; default data/ladders/engagement-taxonomy.json. */
  taxonomy?: Taxonomy;
  /** Steps mined from this day on (default: all history before asOf). */
  minedSince?: string;
  triggers?: Partial<TriggerOptions>;
}

export interface EngagementDeps {
  /** Builds the text classifier, only when some answer or review text has no cached label. */
  classifier: () => Promise<SubstantiveClassifier>;
  progress?: (fraction: number, message: string) => void;
  signal?: AbortSignal;
}

export interface EngagementManifest {
  kind: 'engagement-ladder';
  version: number;
  id: string;
  createdAt: string;
  asOf: string;
  windowDays: number;
  taxonomy: Taxonomy;
  thresholds: Record<EngagementIndex, number>;
  simulation: ThresholdSimulation;
  status: { population: number; distribution: StatusShare[] };
  routes: RouteMining;
  triggers: { options: TriggerOptions; minedFrom: string | null; steps: StepTriggers[] };
  nudges: Nudge[];
  data: {
    actions: number;
    actors: number;
    members: number;
    thirdParty: number;
    firstDay: string | null;
    texts: {
      judged: number;
      substantive: number;
      notSubstantive: number;
      classifiedNow: number;
      classifier: string;
    };
    unclassified: ActionLog['unclassified'];
  };
  seconds: number;
}

export interface EngagementSummary {
  id: string;
  createdAt: string;
  asOf: string;
  windowDays: number;
  population: number;
  thresholds: Record<EngagementIndex, number>;
  taxonomyVersion: string;
}

function randomHex(bytes: number): string {
  const b = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(b);
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/** A new id that sorts by creation time: `eng_20260401_120000_ab12cd`. */
export function newEngagementId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
  return `eng_${stamp}_${randomHex(3)}`;
}

function checkWindow(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > 3650)
    throw new InvalidInputError(
      `windowDays must be a whole number of days in [1, 3650], got ${days}`,
      'windowDays',
    );
  return days;
}

const levels = (t: Record<EngagementIndex, number>): LevelThresholds => ENGAGEMENT_INDICES.map((i) => t[i]);

/**
 * Builds and publishes the engagement ladder as of a day.
 *
 * @param ws the workspace (its `actions` table; text labels are cached in it)
 * @param options day, window, fixed thresholds, taxonomy, mining rules
 * @param deps the text classifier factory, progress and cancellation
 * @throws InsufficientDataError when nobody acted before `asOf`
 * @example
 * const m = await buildEngagementLadder(ws, { asOf: '2026-09-01' }, { classifier: () => SubstantiveClassifier.create(tk) });
 * m.thresholds; // { support: 6, affinity: 3, interaction: 3, contribution: 3 }
 */
export async function buildEngagementLadder(
  ws: Workspace,
  options: EngagementOptions,
  deps: EngagementDeps,
): Promise<EngagementManifest> {
  const started = performance.now();
  const progress = deps.progress ?? (() => undefined);
  const windowDays = checkWindow(options.windowDays ?? DEFAULT_WINDOW_DAYS);
  const taxonomy = options.taxonomy ?? DEFAULT_TAXONOMY;
  const triggerOptions = { ...DEFAULT_TRIGGER_OPTIONS, ...options.triggers };
  checkGivenThresholds(options.thresholds ?? {});
  progress(0.02, 'judging answer and review texts');
  const labels = await ensureTextLabels(ws.db, taxonomy, options.asOf, deps.classifier, (f, m) =>
    progress(0.02 + 0.4 * f, m),
  );
  throwIfAborted(deps.signal, 'the engagement ladder');
  progress(0.45, 'reading actions');
  const log = await readActionLog(ws.db, taxonomy, options.asOf);
  const asOfDay = epochDay(options.asOf);
  const { population, counts } = windowCounts(log.actors, asOfDay, windowDays);
  if (population.length === 0)
    throw new InsufficientDataError(
      `no actions before ${options.asOf}: import the actions table first`,
      'asOf',
    );

  progress(0.55, 'simulating thresholds');
  const simulation = simulateThresholds(
    counts,
    options.thresholds ?? {},
    windowDays,
    options.maxThreshold ?? DEFAULT_MAX_THRESHOLD,
  );
  const thresholds = Object.fromEntries(simulation.choices.map((c) => [c.index, c.threshold])) as Record<
    EngagementIndex,
    number
  >;
  const t = levels(thresholds);
  const here = simulation.choices[0]!.sweep.find((s) => s.threshold === t[0])!.distribution;

  throwIfAborted(deps.signal, 'the engagement ladder');
  progress(0.65, 'tracing trajectories and routes');
  const paths = trajectories(log, windowDays, t, asOfDay);
  const routes = mineRoutes(paths);
  progress(0.75, 'mining triggers');
  const fromDay = options.minedSince ? epochDay(options.minedSince) : Number.NEGATIVE_INFINITY;
  const steps = mineTriggers(log, paths, windowDays, t, { fromDay, untilDay: asOfDay + 1 }, triggerOptions);

  const manifest: EngagementManifest = {
    kind: 'engagement-ladder',
    version: ENGAGEMENT_VERSION,
    id: newEngagementId(),
    createdAt: new Date().toISOString(),
    asOf: options.asOf,
    windowDays,
    taxonomy,
    thresholds,
    simulation,
    status: { population: population.length, distribution: here },
    routes,
    triggers: { options: triggerOptions, minedFrom: options.minedSince ?? null, steps },
    nudges: nudges(taxonomy, steps),
    data: dataSummary(log, labels),
    seconds: (performance.now() - started) / 1000,
  };
  progress(0.97, 'publishing');
  await ws.artifacts.publish(`${ENGAGEMENT_PREFIX}/${manifest.id}`, {
    'manifest.json': `${JSON.stringify(manifest, null, 2)}\n`,
  });
  progress(1, 'done');
  return manifest;
}

function checkGivenThresholds(given: Partial<Record<EngagementIndex, number>>): void {
  for (const [id, t] of Object.entries(given)) {
    if (!Number.isInteger(t) || t! < 1)
      throw new InvalidInputError(
        `thresholds.${id} must be a whole number of actions of at least 1, got ${t}`,
        `thresholds.${id}`,
      );
  }
}

/** What the ladder was read from: actions, actors by kind, the first day, the texts judged. */
function dataSummary(
  log: ActionLog,
  labels: { classifiedNow: number; classifier: string },
): EngagementManifest['data'] {
  let firstDay = Number.POSITIVE_INFINITY;
  for (const a of log.actors) if (a.activeDays.length) firstDay = Math.min(firstDay, a.activeDays[0]!);
  return {
    actions: log.actions,
    actors: log.actors.length,
    members: log.actors.filter((a) => a.kind === 'member').length,
    thirdParty: log.actors.filter((a) => a.kind === 'third_party').length,
    firstDay: Number.isFinite(firstDay) ? isoDay(firstDay) : null,
    texts: { ...log.texts, classifiedNow: labels.classifiedNow, classifier: labels.classifier },
    unclassified: log.unclassified,
  };
}

/** A published engagement ladder. @throws NotFoundError when there is none under that id. */
export async function loadEngagementLadder(ws: Workspace, id: string): Promise<EngagementManifest> {
  const m = ID_PATTERN.test(id)
    ? await getJson<EngagementManifest>(ws.artifacts, `${ENGAGEMENT_PREFIX}/${id}/manifest.json`)
    : null;
  if (!m)
    throw new NotFoundError('engagement ladder', id, 'list them with `lookalike ladder engagement list`');
  return m;
}

/** Published engagement ladders, newest first. */
export async function listEngagementLadders(ws: Workspace): Promise<EngagementSummary[]> {
  const keys = (await ws.artifacts.list(`${ENGAGEMENT_PREFIX}/`)).filter((k) =>
    /^ladders\/engagement\/[^/]+\/manifest\.json$/.test(k),
  );
  const out: EngagementSummary[] = [];
  for (const key of keys) {
    const m = await getJson<EngagementManifest>(ws.artifacts, key);
    if (m?.kind !== 'engagement-ladder') continue;
    out.push({
      id: m.id,
      createdAt: m.createdAt,
      asOf: m.asOf,
      windowDays: m.windowDays,
      population: m.status.population,
      thresholds: m.thresholds,
      taxonomyVersion: m.taxonomy.version,
    });
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
}

/** The log and thresholds of a ladder, read as of another day. */
async function logAsOf(
  ws: Workspace,
  m: EngagementManifest,
  day: string,
  deps: Pick<EngagementDeps, 'classifier'>,
) {
  await ensureTextLabels(ws.db, m.taxonomy, day, deps.classifier);
  return readActionLog(ws.db, m.taxonomy, day);
}

export interface StatusOnDay {
  ladderId: string;
  asOf: string;
  population: number;
  distribution: StatusShare[];
}

/** The status distribution on another day, under a ladder's taxonomy, window and thresholds. */
export async function engagementStatusOn(
  ws: Workspace,
  m: EngagementManifest,
  day: string,
  deps: Pick<EngagementDeps, 'classifier'>,
): Promise<StatusOnDay> {
  const log = await logAsOf(ws, m, day, deps);
  const d = epochDay(day);
  const t = levels(m.thresholds);
  const lv = log.actors.filter((a) => activeBefore(a, d)).map((a) => statusLevelAt(a, d, m.windowDays, t));
  return { ladderId: m.id, asOf: day, population: lv.length, distribution: distributionOf(lv) };
}

export interface StatusTransitions {
  ladderId: string;
  from: string;
  to: string;
  statuses: { status: EngagementStatus | 'new'; ja: string; en: string }[];
  cells: {
    from: EngagementStatus | 'new';
    to: EngagementStatus;
    members: number;
    share: number;
    kind: 'up' | 'down' | 'stayed' | 'new';
  }[];
  totals: { up: number; down: number; stayed: number; new: number };
}

/**
 * Moves between statuses from one day to a later one. Actors who had not acted by `from` are
 * 'new' there.
 */
export async function engagementTransitions(
  ws: Workspace,
  m: EngagementManifest,
  days: { from: string; to: string },
  deps: Pick<EngagementDeps, 'classifier'>,
): Promise<StatusTransitions> {
  if (!(days.from < days.to))
    throw new InvalidInputError(`to (${days.to}) must be after from (${days.from})`, 'to');
  const log = await logAsOf(ws, m, days.to, deps);
  const a = epochDay(days.from);
  const b = epochDay(days.to);
  const t = levels(m.thresholds);
  const counts = new Map<string, number>();
  const rows = new Map<string, number>();
  for (const actor of log.actors) {
    if (!activeBefore(actor, b)) continue;
    const f = activeBefore(actor, a) ? statusOfLevel(statusLevelAt(actor, a, m.windowDays, t)) : 'new';
    const to = statusOfLevel(statusLevelAt(actor, b, m.windowDays, t));
    counts.set(`${f}>${to}`, (counts.get(`${f}>${to}`) ?? 0) + 1);
    rows.set(f, (rows.get(f) ?? 0) + 1);
  }
  const order: (EngagementStatus | 'new')[] = ['new', ...ENGAGEMENT_STATUSES];
  const rank = (s: EngagementStatus) => ENGAGEMENT_STATUSES.indexOf(s);
  const cells: StatusTransitions['cells'] = [];
  const totals = { up: 0, down: 0, stayed: 0, new: 0 };
  for (const f of order)
    for (const to of ENGAGEMENT_STATUSES) {
      const n = counts.get(`${f}>${to}`) ?? 0;
      if (!n) continue;
      const kind = f === 'new' ? 'new' : rank(to) > rank(f) ? 'up' : rank(to) < rank(f) ? 'down' : 'stayed';
      totals[kind] += n;
      cells.push({ from: f, to, members: n, share: n / rows.get(f)!, kind });
    }
  return {
    ladderId: m.id,
    from: days.from,
    to: days.to,
    statuses: order.map((s) => ({
      status: s,
      ...(s === 'new' ? { ja: '新規', en: 'new' } : ENGAGEMENT_LABELS[s]),
    })),
    cells,
    totals,
  };
}

/** IDs of the actors with one of `statuses` on a day, members and third-party apart, sorted. */
export async function engagementMembers(
  ws: Workspace,
  m: EngagementManifest,
  statuses: readonly EngagementStatus[],
  day: string,
  deps: Pick<EngagementDeps, 'classifier'>,
): Promise<{ memberIds: string[]; thirdPartyIds: string[] }> {
  const log = await logAsOf(ws, m, day, deps);
  const d = epochDay(day);
  const t = levels(m.thresholds);
  const want = new Set(statuses);
  const memberIds: string[] = [];
  const thirdPartyIds: string[] = [];
  for (const a of log.actors) {
    if (!activeBefore(a, d)) continue;
    if (!want.has(statusOfLevel(statusLevelAt(a, d, m.windowDays, t)))) continue;
    (a.kind === 'member' ? memberIds : thirdPartyIds).push(a.id);
  }
  return { memberIds: memberIds.sort(), thirdPartyIds: thirdPartyIds.sort() };
}
