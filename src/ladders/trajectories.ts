/**
 * Every actor's climb: the days their status rose (a step from one status to a higher one), read
 * by re-evaluating their status on each day they acted, and their path (the statuses in the order
 * first reached, ending at 貢献度 when they got there). Statuses only rise on action days; a fall is
 * a window running out, which the next evaluation sees.
 */
import { type ActionLog, type ActorLog, lowerBound } from './action-log.ts';
import { type LevelThresholds, statusLevelAt } from './engagement-status.ts';

export interface Step {
  actor: number;
  from: number;
  to: number;
  /** The first day (as of which) the new status holds. */
  day: number;
  /**
   * The day the new behaviour began: the first of the actions that took the count over the
   * threshold. Triggers are looked for before it (the status itself is reached weeks later, once
   * enough actions have accumulated).
   */
  onset: number;
}

export interface Trajectory {
  steps: Step[];
  /** Levels in the order first reached (no -1), cut after the top level when reached. */
  path: number[];
  /** Day the top level was first reached, or -1. */
  reachedTop: number;
  /** Day each level was first reached (as-of day of the step), or -1. */
  firstReached: Int32Array;
}

/**
 * The route walked so far on a day: levels reached by then, in the order first reached
 * (e.g. "0>2"), "" before any. Members are compared with others on the same route so far.
 */
export function pathKeyAt(t: Trajectory, day: number): string {
  const reached: number[] = [];
  t.firstReached.forEach((d, level) => {
    if (d >= 0 && d <= day) reached.push(level);
  });
  return reached.sort((a, b) => t.firstReached[a]! - t.firstReached[b]! || a - b).join('>');
}

/**
 * Steps and path of one actor between `fromDay` (inclusive) and `untilDay` (exclusive, as-of days).
 */
export function trajectoryOf(
  a: ActorLog,
  actor: number,
  windowDays: number,
  t: LevelThresholds,
  untilDay: number,
  fromDay = Number.NEGATIVE_INFINITY,
): Trajectory {
  const top = t.length - 1;
  const steps: Step[] = [];
  const path: number[] = [];
  let reachedTop = -1;
  const firstReached = new Int32Array(t.length).fill(-1);
  for (const d of a.activeDays) {
    const asOf = d + 1;
    if (asOf > untilDay) break;
    if (asOf < fromDay) continue;
    const before = statusLevelAt(a, d, windowDays, t);
    const after = statusLevelAt(a, asOf, windowDays, t);
    if (after <= before) continue;
    const days = a.indexDays[after]!;
    const onset = days[Math.max(0, lowerBound(days, asOf) - t[after]!)]!;
    steps.push({ actor, from: before, to: after, day: asOf, onset });
    if (firstReached[after]! < 0) firstReached[after] = asOf;
    if (reachedTop < 0) {
      if (before >= 0 && !path.includes(before)) path.push(before);
      if (!path.includes(after)) path.push(after);
      if (after === top) reachedTop = asOf;
    }
  }
  return { steps, path, reachedTop, firstReached };
}

/** Trajectories of every actor of a log. */
export function trajectories(
  log: ActionLog,
  windowDays: number,
  t: LevelThresholds,
  untilDay: number,
  fromDay?: number,
): Trajectory[] {
  return log.actors.map((a, i) => trajectoryOf(a, i, windowDays, t, untilDay, fromDay));
}
