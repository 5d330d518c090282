/**
 * Engagement status as of a day: an actor's actions per index in the window before the day are
 * counted, and the status is the highest-hurdle index whose threshold the count reaches (貢献度
 * first, then 交流度, 好意度, 応援度), else none. The population of a day is everyone with at least
 * one action before it.
 */
import { type ActorLog, countBetween } from './action-log.ts';
import {
  ENGAGEMENT_INDICES,
  ENGAGEMENT_LABELS,
  ENGAGEMENT_STATUSES,
  type EngagementStatus,
} from './labels.ts';

/** Thresholds per index level (0 = 応援度 ... 3 = 貢献度): the least actions in the window. */
export type LevelThresholds = readonly number[];

/** Status level (-1 none, 0..3) of an actor as of `day` (actions in [day - windowDays, day)). */
export function statusLevelAt(a: ActorLog, day: number, windowDays: number, t: LevelThresholds): number {
  for (let k = ENGAGEMENT_INDICES.length - 1; k >= 0; k--) {
    if (countBetween(a.indexDays[k]!, day - windowDays, day) >= t[k]!) return k;
  }
  return -1;
}

export const statusOfLevel = (level: number): EngagementStatus =>
  level < 0 ? 'none' : ENGAGEMENT_INDICES[level]!;

/** Whether the actor had acted before `day`. */
export const activeBefore = (a: ActorLog, day: number): boolean =>
  a.activeDays.length > 0 && a.activeDays[0]! < day;

/** Per-index counts in the window of every actor active before `day` (the population), in log order. */
export function windowCounts(
  actors: readonly ActorLog[],
  day: number,
  windowDays: number,
): { population: number[]; counts: Int32Array[] } {
  const population: number[] = [];
  for (let i = 0; i < actors.length; i++) if (activeBefore(actors[i]!, day)) population.push(i);
  const counts = ENGAGEMENT_INDICES.map((_, k) => {
    const c = new Int32Array(population.length);
    population.forEach((a, p) => {
      c[p] = countBetween(actors[a]!.indexDays[k]!, day - windowDays, day);
    });
    return c;
  });
  return { population, counts };
}

/** Status level of each row of window counts under thresholds. */
export function levelsFromCounts(counts: readonly Int32Array[], t: LevelThresholds): Int8Array {
  const n = counts[0]?.length ?? 0;
  const out = new Int8Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    for (let k = counts.length - 1; k >= 0; k--) {
      if (counts[k]![i]! >= t[k]!) {
        out[i] = k;
        break;
      }
    }
  }
  return out;
}

export interface StatusShare {
  status: EngagementStatus;
  ja: string;
  en: string;
  members: number;
  share: number;
}

/** Members and share per status (none first), from status levels. */
export function distributionOf(levels: ArrayLike<number>): StatusShare[] {
  const n = levels.length;
  const counts = new Array<number>(ENGAGEMENT_STATUSES.length).fill(0);
  for (let i = 0; i < n; i++) counts[levels[i]! + 1]!++;
  return ENGAGEMENT_STATUSES.map((status, s) => ({
    status,
    ...ENGAGEMENT_LABELS[status],
    members: counts[s]!,
    share: n ? counts[s]! / n : 0,
  }));
}
