/**
 * Triggers: what happened to members before they stepped up, compared with members who stood on
 * the same status at the same time and did not step up. A step is dated by its onset (the first of
 * the actions that took the member over the threshold), since the status itself is reached weeks
 * later, once enough actions have accumulated. For each kind of step (e.g. 交流度 → 貢献度) and
 * each candidate event (something the member did, with or without responses received, or
 * something others did to them, such as a follow): support is the share of steps whose look-back
 * before the onset holds the event; the baseline is the same share among members at risk who did
 * not move: on the same status in the same week, on the same route so far (who came up through
 * 応援度 keeps liking posts; comparing them with members who skipped it would credit the likes),
 * active in the look-back, and not stepping up in the following window. Each stratum (week x
 * route so far) weighs as many times as members stepped in it; lift is support over baseline. Steps and controls without any activity in the look-back (a first action on
 * joining) have nothing to mine and are left out of both. An action that itself counts toward the
 * new status (or higher) is the step, not its trigger, and is never a candidate.
 */
import { type ActionLog, countBetween, type EventInfo } from './action-log.ts';
import { type LevelThresholds, statusLevelAt, statusOfLevel } from './engagement-status.ts';
import { ENGAGEMENT_LABELS, type EngagementStatus, type Label } from './labels.ts';
import { pathKeyAt, type Step, type Trajectory } from './trajectories.ts';

export interface TriggerOptions {
  /** Days before a step in which an event counts as preceding it. */
  lookbackDays: number;
  /** Least share of steps the event preceded. */
  minSupport: number;
  /** Least lift over the members who did not move. */
  minLift: number;
  /** Least steps of a kind before its triggers are mined. */
  minMovers: number;
}

export const DEFAULT_TRIGGER_OPTIONS: TriggerOptions = {
  lookbackDays: 30,
  minSupport: 0.2,
  minLift: 2,
  minMovers: 30,
};

export interface TriggerCandidate {
  event: string;
  kind: 'own' | 'received';
  label: Label;
  /** Steps preceded by the event. */
  hits: number;
  support: number;
  baseline: number;
  lift: number;
  trigger: boolean;
}

export interface StepTriggers {
  from: EngagementStatus;
  to: EngagementStatus;
  label: Label;
  /** Steps of this kind in the period. */
  movers: number;
  /** Steps with activity in the look-back and members to compare with: the ones mined. */
  mined: number;
  /** Member-weeks of comparison (members at risk who did not move). */
  controls: number;
  /** The strongest candidates by lift (support of at least 5%). */
  candidates: TriggerCandidate[];
  /** Candidates passing the support and lift rules. */
  triggers: TriggerCandidate[];
}

/** What every kind of step is mined against: the log, the paths and the look-back rules. */
interface MiningContext {
  log: ActionLog;
  paths: readonly Trajectory[];
  windowDays: number;
  lookbackDays: number;
  /** Days each actor reached each level, to tell controls that step up soon after. */
  stepDays: Map<number, number[]>[];
  /** Status level of every actor on a day (-2 before their first action), cached per day. */
  statusesOn: (day: number) => Int8Array;
}

/** Case and control counts of one stratum (week of the onset x route walked so far). */
interface Stratum {
  cases: number;
  caseHits: Float64Array;
  n: number;
  ctrlHits: Float64Array;
}

/** Steps pooled over the strata that have controls. */
interface Pooled {
  hits: Float64Array;
  baseNum: Float64Array;
  covered: number;
  controls: number;
}

/**
 * Mines triggers for every kind of step with enough movers.
 *
 * @param log the action log (events per actor)
 * @param paths trajectories of the log's actors (their steps)
 * @param windowDays the status window (also how far ahead a control must not step up)
 * @param thresholds per index level
 * @param range steps with onset in [fromDay, untilDay)
 */
export function mineTriggers(
  log: ActionLog,
  paths: readonly Trajectory[],
  windowDays: number,
  thresholds: LevelThresholds,
  range: { fromDay: number; untilDay: number },
  options: TriggerOptions = DEFAULT_TRIGGER_OPTIONS,
): StepTriggers[] {
  const steps = paths
    .flatMap((p) => p.steps)
    .filter((s) => s.onset >= range.fromDay && s.onset < range.untilDay);
  const ctx: MiningContext = {
    log,
    paths,
    windowDays,
    lookbackDays: options.lookbackDays,
    stepDays: stepDaysByActor(log, paths),
    statusesOn: statusCache(log, windowDays, thresholds),
  };
  const out: StepTriggers[] = [];
  for (const [key, all] of [...groupByKind(steps)].sort((a, b) => b[1].length - a[1].length)) {
    const mined = mineKind(ctx, key, all, options);
    if (mined) out.push(mined);
  }
  return out;
}

function groupByKind(steps: readonly Step[]): Map<string, Step[]> {
  const byKind = new Map<string, Step[]>();
  for (const s of steps) {
    const key = `${s.from}>${s.to}`;
    const list = byKind.get(key);
    if (list) list.push(s);
    else byKind.set(key, [s]);
  }
  return byKind;
}

function stepDaysByActor(log: ActionLog, paths: readonly Trajectory[]): Map<number, number[]>[] {
  const stepDays = log.actors.map(() => new Map<number, number[]>());
  for (const p of paths)
    for (const s of p.steps) {
      const m = stepDays[s.actor]!;
      const list = m.get(s.to);
      if (list) list.push(s.day);
      else m.set(s.to, [s.day]);
    }
  return stepDays;
}

function statusCache(
  log: ActionLog,
  windowDays: number,
  thresholds: LevelThresholds,
): (day: number) => Int8Array {
  const cache = new Map<number, Int8Array>();
  return (day) => {
    let out = cache.get(day);
    if (!out) {
      const levels = new Int8Array(log.actors.length).fill(-2);
      log.actors.forEach((a, i) => {
        if (a.activeDays.length && a.activeDays[0]! < day)
          levels[i] = statusLevelAt(a, day, windowDays, thresholds);
      });
      out = levels;
      cache.set(day, out);
    }
    return out;
  };
}

function activeIn(log: ActionLog, actor: number, from: number, to: number): boolean {
  return countBetween(log.actors[actor]!.activeDays, from, to) > 0;
}

function isCandidate(e: EventInfo, to: number): boolean {
  return e.kind === 'received' || e.level < to;
}

/** Events in the look-back before `day` (the onset day itself included). */
function inLookback(days: Int32Array, day: number, lookbackDays: number): boolean {
  return countBetween(days, day - lookbackDays, day + 1) > 0;
}

/** Adds to `hits` every candidate event the actor did in the look-back before `day`. */
function countLookbackEvents(
  ctx: MiningContext,
  actor: number,
  day: number,
  to: number,
  hits: Float64Array,
): void {
  for (const [code, days] of ctx.log.actors[actor]!.events)
    if (isCandidate(ctx.log.events[code]!, to) && inLookback(days, day, ctx.lookbackDays)) hits[code]!++;
}

/** Mines one kind of step (`from>to`), or null when too few movers remain to mine. */
function mineKind(
  ctx: MiningContext,
  key: string,
  all: readonly Step[],
  options: TriggerOptions,
): StepTriggers | null {
  const [from, to] = key.split('>').map(Number) as [number, number];
  const L = ctx.lookbackDays;
  const movers = all.filter((s) => activeIn(ctx.log, s.actor, s.onset - L, s.onset));
  if (movers.length < options.minMovers) return null;
  const { strata, moversIn } = caseStrata(ctx, movers, to);
  addControls(ctx, strata, moversIn, from, to);
  const pooled = poolStrata(strata, ctx.log.events.length);
  if (pooled.covered < options.minMovers) return null;
  const candidates = scoreCandidates(ctx.log, pooled, to, options);
  const fromStatus = statusOfLevel(from);
  const toStatus = statusOfLevel(to);
  return {
    from: fromStatus,
    to: toStatus,
    label: {
      ja: `${ENGAGEMENT_LABELS[fromStatus].ja} → ${ENGAGEMENT_LABELS[toStatus].ja}`,
      en: `${ENGAGEMENT_LABELS[fromStatus].en} → ${ENGAGEMENT_LABELS[toStatus].en}`,
    },
    movers: all.length,
    mined: pooled.covered,
    controls: pooled.controls,
    candidates: candidates.filter((c) => c.support >= 0.05).slice(0, 10),
    triggers: candidates.filter((c) => c.trigger),
  };
}

/** Strata keyed by week of the onset x route walked so far, holding the movers' look-back events. */
function caseStrata(
  ctx: MiningContext,
  movers: readonly Step[],
  to: number,
): { strata: Map<string, Stratum>; moversIn: Map<number, Set<number>> } {
  const nEvents = ctx.log.events.length;
  const strata = new Map<string, Stratum>();
  const moversIn = new Map<number, Set<number>>();
  for (const s of movers) {
    const week = Math.floor(s.onset / 7);
    const key = `${week}|${pathKeyAt(ctx.paths[s.actor]!, s.onset)}`;
    let st = strata.get(key);
    if (!st) {
      st = { cases: 0, caseHits: new Float64Array(nEvents), n: 0, ctrlHits: new Float64Array(nEvents) };
      strata.set(key, st);
    }
    st.cases++;
    countLookbackEvents(ctx, s.actor, s.onset, to, st.caseHits);
    const set = moversIn.get(week) ?? new Set<number>();
    set.add(s.actor);
    moversIn.set(week, set);
  }
  return { strata, moversIn };
}

/** Counts, per stratum, the members at risk mid-week who did not move and their look-back events. */
function addControls(
  ctx: MiningContext,
  strata: Map<string, Stratum>,
  moversIn: Map<number, Set<number>>,
  from: number,
  to: number,
): void {
  const { log, lookbackDays: L, windowDays } = ctx;
  for (const [week, skip] of moversIn) {
    const day = week * 7 + 3;
    const statuses = ctx.statusesOn(day);
    for (let a = 0; a < log.actors.length; a++) {
      if (statuses[a] !== from || skip.has(a) || !activeIn(log, a, day - L, day)) continue;
      if ((ctx.stepDays[a]!.get(to) ?? []).some((d) => d >= day && d <= day + windowDays)) continue;
      const st = strata.get(`${week}|${pathKeyAt(ctx.paths[a]!, day)}`);
      if (!st) continue;
      st.n++;
      countLookbackEvents(ctx, a, day, to, st.ctrlHits);
    }
  }
}

/** Pools the strata with controls; each weighs its controls' rates by its number of cases. */
function poolStrata(strata: Map<string, Stratum>, nEvents: number): Pooled {
  const hits = new Float64Array(nEvents);
  const baseNum = new Float64Array(nEvents);
  let covered = 0;
  let controls = 0;
  for (const st of strata.values()) {
    if (st.n === 0) continue;
    covered += st.cases;
    controls += st.n;
    for (let e = 0; e < nEvents; e++) {
      hits[e]! += st.caseHits[e]!;
      if (st.ctrlHits[e]! > 0) baseNum[e]! += (st.cases * st.ctrlHits[e]!) / st.n;
    }
  }
  return { hits, baseNum, covered, controls };
}

/** Support, baseline and lift of every candidate event, strongest lift first. */
function scoreCandidates(
  log: ActionLog,
  pooled: Pooled,
  to: number,
  options: TriggerOptions,
): TriggerCandidate[] {
  const { hits, baseNum, covered, controls } = pooled;
  const baseDen = covered;
  const floor = controls > 0 ? 1 / (2 * controls) : 1;
  const candidates: TriggerCandidate[] = [];
  for (let e = 0; e < log.events.length; e++) {
    const info = log.events[e]!;
    if (!isCandidate(info, to) || hits[e] === 0) continue;
    const support = covered ? hits[e]! / covered : 0;
    const baseline = baseDen > 0 ? baseNum[e]! / baseDen : 0;
    const lift = support / Math.max(baseline, floor);
    candidates.push({
      event: info.key,
      kind: info.kind,
      label: info.label,
      hits: hits[e]!,
      support,
      baseline,
      lift,
      trigger: support >= options.minSupport && lift >= options.minLift && baseDen > 0,
    });
  }
  return candidates.sort(
    (a, b) => b.lift - a.lift || b.support - a.support || a.event.localeCompare(b.event),
  );
}
