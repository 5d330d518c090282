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
  const L = options.lookbackDays;
  const steps = paths
    .flatMap((p) => p.steps)
    .filter((s) => s.onset >= range.fromDay && s.onset < range.untilDay);
  const byKind = new Map<string, Step[]>();
  for (const s of steps) {
    const key = `${s.from}>${s.to}`;
    const list = byKind.get(key);
    if (list) list.push(s);
    else byKind.set(key, [s]);
  }
  const stepDays = log.actors.map(() => new Map<number, number[]>());
  for (const p of paths)
    for (const s of p.steps) {
      const m = stepDays[s.actor]!;
      const list = m.get(s.to);
      if (list) list.push(s.day);
      else m.set(s.to, [s.day]);
    }
  const activeIn = (actor: number, from: number, to: number) =>
    countBetween(log.actors[actor]!.activeDays, from, to) > 0;
  const statusCache = new Map<number, Int8Array>();
  const statusesOn = (day: number) => {
    let out = statusCache.get(day);
    if (!out) {
      out = new Int8Array(log.actors.length).fill(-2);
      log.actors.forEach((a, i) => {
        if (a.activeDays.length && a.activeDays[0]! < day)
          out![i] = statusLevelAt(a, day, windowDays, thresholds);
      });
      statusCache.set(day, out);
    }
    return out;
  };
  const stepsUpWithin = (actor: number, to: number, from: number, until: number) =>
    (stepDays[actor]!.get(to) ?? []).some((d) => d >= from && d <= until);
  const isCandidate = (e: EventInfo, to: number) => e.kind === 'received' || e.level < to;
  /** Events in the look-back before `day` (the onset day itself included). */
  const inLookback = (days: Int32Array, day: number) => countBetween(days, day - L, day + 1) > 0;

  const out: StepTriggers[] = [];
  for (const [key, all] of [...byKind].sort((a, b) => b[1].length - a[1].length)) {
    const [from, to] = key.split('>').map(Number) as [number, number];
    const movers = all.filter((s) => activeIn(s.actor, s.onset - L, s.onset));
    if (movers.length < options.minMovers) continue;
    const nEvents = log.events.length;
    // Strata: week of the onset x route walked so far; cases per stratum, then controls per stratum.
    const strata = new Map<
      string,
      { cases: number; caseHits: Float64Array; n: number; ctrlHits: Float64Array }
    >();
    const moversIn = new Map<number, Set<number>>();
    for (const s of movers) {
      const week = Math.floor(s.onset / 7);
      const key = `${week}|${pathKeyAt(paths[s.actor]!, s.onset)}`;
      let st = strata.get(key);
      if (!st) {
        st = {
          cases: 0,
          caseHits: new Float64Array(nEvents),
          n: 0,
          ctrlHits: new Float64Array(nEvents),
        };
        strata.set(key, st);
      }
      st.cases++;
      for (const [code, days] of log.actors[s.actor]!.events)
        if (isCandidate(log.events[code]!, to) && inLookback(days, s.onset)) st.caseHits[code]!++;
      const set = moversIn.get(week) ?? new Set<number>();
      set.add(s.actor);
      moversIn.set(week, set);
    }
    for (const [week, skip] of moversIn) {
      const day = week * 7 + 3;
      const statuses = statusesOn(day);
      for (let a = 0; a < log.actors.length; a++) {
        if (statuses[a] !== from || skip.has(a) || !activeIn(a, day - L, day)) continue;
        if (stepsUpWithin(a, to, day, day + windowDays)) continue;
        const st = strata.get(`${week}|${pathKeyAt(paths[a]!, day)}`);
        if (!st) continue;
        st.n++;
        for (const [code, days] of log.actors[a]!.events)
          if (isCandidate(log.events[code]!, to) && inLookback(days, day)) st.ctrlHits[code]!++;
      }
    }
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
    const baseDen = covered;
    if (covered < options.minMovers) continue;
    const floor = controls > 0 ? 1 / (2 * controls) : 1;
    const candidates: TriggerCandidate[] = [];
    for (let e = 0; e < nEvents; e++) {
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
    candidates.sort((a, b) => b.lift - a.lift || b.support - a.support || a.event.localeCompare(b.event));
    const fromStatus = statusOfLevel(from);
    const toStatus = statusOfLevel(to);
    out.push({
      from: fromStatus,
      to: toStatus,
      label: {
        ja: `${ENGAGEMENT_LABELS[fromStatus].ja} → ${ENGAGEMENT_LABELS[toStatus].ja}`,
        en: `${ENGAGEMENT_LABELS[fromStatus].en} → ${ENGAGEMENT_LABELS[toStatus].en}`,
      },
      movers: all.length,
      mined: covered,
      controls,
      candidates: candidates.filter((c) => c.support >= 0.05).slice(0, 10),
      triggers: candidates.filter((c) => c.trigger),
    });
  }
  return out;
}
