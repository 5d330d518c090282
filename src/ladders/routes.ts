/**
 * Routes to 貢献度: the paths (statuses in the order first reached) of the members who got to the
 * top, counted, with how many walked the same way and stopped. For a route P → 貢献度: support is
 * its share of the successful; conversion is the share of everyone whose path began with P who
 * went on directly to 貢献度; lift is that conversion over the conversion of everyone on the
 * ladder, so a lift above 1 marks a way up that works better than average, and a route with high
 * support but lift below 1 is common only because many start there.
 */
import { ENGAGEMENT_INDICES, ENGAGEMENT_LABELS, type EngagementIndex, type Label } from './labels.ts';
import type { Trajectory } from './trajectories.ts';

export interface Route {
  /** Statuses in order, ending at contribution. */
  statuses: EngagementIndex[];
  key: string;
  label: Label;
  /** Successful members who took it. */
  members: number;
  /** Share of all successful members. */
  support: number;
  /** Members whose path began with the route's statuses before contribution. */
  walkers: number;
  conversion: number;
  lift: number;
  /** Median days from the first status to contribution. */
  medianDays: number | null;
}

export interface RouteMining {
  /** Members with any status during the period. */
  onLadder: number;
  successful: number;
  /** Share of those on the ladder who reached the top. */
  conversion: number;
  routes: Route[];
}

const median = (xs: number[]): number | null => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Counts routes to the top level among trajectories.
 *
 * @param trajectories one per actor
 */
export function mineRoutes(trajectories: readonly Trajectory[]): RouteMining {
  const walked = trajectories.filter((t) => t.path.length > 0);
  const successful = walked.filter((t) => t.reachedTop >= 0);
  const overall = walked.length ? successful.length / walked.length : 0;
  const groups = new Map<string, { path: number[]; days: number[] }>();
  for (const t of successful) {
    const key = t.path.join('>');
    const g = groups.get(key) ?? { path: t.path, days: [] };
    const first = t.steps[0]?.day ?? t.reachedTop;
    g.days.push(t.reachedTop - first);
    groups.set(key, g);
  }
  const startsWith = (path: readonly number[], prefix: readonly number[]) =>
    path.length >= prefix.length && prefix.every((v, i) => path[i] === v);
  const routes = [...groups.values()].map((g): Route => {
    const statuses = g.path.map((l) => ENGAGEMENT_INDICES[l]!);
    const prefix = g.path.slice(0, -1);
    const walkers = walked.filter((t) => startsWith(t.path, prefix)).length;
    const members = g.days.length;
    const conversion = walkers ? members / walkers : 0;
    return {
      statuses,
      key: statuses.join('>'),
      label: {
        ja: statuses.map((s) => ENGAGEMENT_LABELS[s].ja).join(' → '),
        en: statuses.map((s) => ENGAGEMENT_LABELS[s].en).join(' → '),
      },
      members,
      support: successful.length ? members / successful.length : 0,
      walkers,
      conversion,
      lift: overall > 0 ? conversion / overall : 0,
      medianDays: median(g.days),
    };
  });
  routes.sort((a, b) => b.members - a.members || a.key.localeCompare(b.key));
  return { onLadder: walked.length, successful: successful.length, conversion: overall, routes };
}
