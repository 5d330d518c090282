/**
 * The sample brand community: a share of members (and some people known only by a third-party
 * ID) join during the period, climb the engagement ladder along planted routes, each step usually
 * preceded by its planted trigger, and leave a log of actions in the `actions` table. The truth
 * files say who walked which route, when each step happened and why, and which answer and review
 * texts carry content, so the ladder's thresholds, routes, triggers and text classifier can be
 * checked against what was planted.
 */

import {
  type ActionKind,
  BASE_CAMPAIGN,
  BASE_FOLLOWED,
  BASE_QUESTION,
  BOOKMARK,
  CAMPAIGN,
  COMPLETE_ROUTE,
  DORMANCY_RATE,
  FOLLOW,
  GUEST_SHARE,
  HABITS,
  IMPRESSION_ANSWERER,
  IMPRESSION_HABITS,
  JOIN_SPAN,
  MIN_STAY,
  QUESTION,
  RATE_BOOKMARK,
  RATE_CASUAL,
  RATE_CURRENT,
  RATE_PAST,
  RATE_VIEW,
  ROUTES,
  SPONTANEOUS_RATE,
  type Stage,
  stageName,
  TRIGGER_DELAY,
  TRIGGER_MOVES,
  TRIGGER_OF,
  TRIGGER_RATE,
  VIEW,
} from './community-plan.ts';
import { communityText } from './community-texts.ts';
import type { GenContext } from './context.ts';
import { anyFull, type CsvSink, csvField, flushFull } from './csv.ts';
import { makeId } from './ids.ts';
import type { Progress } from './member-pass.ts';
import type { Population } from './population.ts';
import { Rng, streamId } from './rng.ts';

const JOIN_STREAM = streamId('community-join');
const GUEST_STREAM = streamId('community-guests');
const ACTOR_STREAM = streamId('community-actor');

export const COMMUNITY_TRUTH = {
  community_actors: [
    'actor_id',
    'actor_kind',
    'route',
    'final_stage',
    'impression_answerer',
    'joined',
    'dormant_from',
  ],
  community_steps: ['actor_id', 'from_stage', 'to_stage', 'day', 'cause', 'trigger_event', 'trigger_day'],
  action_texts: ['action_id', 'text_kind', 'substantive'],
} as const;

export interface CommunitySinks {
  actions: CsvSink;
  actors: CsvSink;
  steps: CsvSink;
  texts: CsvSink;
}

export interface CommunitySummary {
  share: number;
  actors: number;
  guests: number;
  actions: number;
  routes: { route: string; weight: number }[];
  triggers: { stage: string; event: string }[];
}

interface Actor {
  id: string;
  kind: 'member' | 'third_party';
}

interface Segment {
  stage: Stage;
  /** Position of the stage on the actor's route (visited stages are the ones before it). */
  at: number;
  from: number;
  to: number;
}

interface Step {
  from: Stage;
  to: Stage;
  day: number;
  cause: 'join' | 'trigger' | 'spontaneous';
  triggerDay: number;
}

interface OwnAction {
  day: number;
  second: number;
  kind: ActionKind;
  /** -1: draw as the kind says; otherwise this many responses. */
  responses: number;
}

const exp = (rng: Rng, rate: number) => -Math.log(1 - rng.float()) / rate;
const pad2 = (n: number) => String(n).padStart(2, '0');

/** Members who join (by chance, `share`), then guests known only by an unlinked third-party ID. */
function chooseActors(ctx: GenContext, pop: Population, share: number): Actor[] {
  const actors: Actor[] = [];
  const rng = new Rng(ctx.seed, JOIN_STREAM);
  for (let i = 0; i < ctx.members; i++) {
    rng.reseed(ctx.seed, JOIN_STREAM, i);
    if (rng.chance(share)) actors.push({ id: makeId('M', i + 1, ctx.widths.member), kind: 'member' });
  }
  const guests = Math.round((actors.length * GUEST_SHARE) / (1 - GUEST_SHARE));
  const taken = new Set<number>();
  const g = new Rng(ctx.seed, GUEST_STREAM);
  for (let j = 0; j < guests; j++) {
    for (let attempt = 0; attempt < 20; attempt++) {
      const t = g.int(ctx.universe);
      if (pop.tpOwner[t] !== -1 || taken.has(t)) continue;
      taken.add(t);
      actors.push({ id: makeId('tp_', t + 1, ctx.widths.tp), kind: 'third_party' });
      break;
    }
  }
  return actors;
}

/** Writes the community: actions, and the truth of routes, steps and texts. */
export class CommunityWriter {
  private nextAction = 0;
  private readonly days: number;
  private readonly dateStr: readonly string[];

  constructor(
    private readonly ctx: GenContext,
    private readonly sinks: CommunitySinks,
  ) {
    this.days = ctx.cal.days;
    this.dateStr = ctx.cal.dateStr;
  }

  async write(pop: Population, share: number, progress: Progress): Promise<CommunitySummary> {
    const actors = chooseActors(this.ctx, pop, share);
    const rng = new Rng(this.ctx.seed, ACTOR_STREAM);
    const all = Object.values(this.sinks);
    for (let a = 0; a < actors.length; a++) {
      rng.reseed(this.ctx.seed, ACTOR_STREAM, a);
      this.actor(actors, a, rng);
      if (anyFull(all)) await flushFull(all);
      if ((a + 1) % 2000 === 0) progress('community', a + 1, actors.length);
    }
    progress('community', actors.length, actors.length);
    return {
      share,
      actors: actors.length,
      guests: actors.filter((a) => a.kind === 'third_party').length,
      actions: this.sinks.actions.rows,
      routes: ROUTES.map((r) => ({ route: r.stages.map(stageName).join('>'), weight: r.weight })),
      triggers: Object.entries(TRIGGER_OF).map(([s, event]) => ({
        stage: stageName(Number(s) as Stage),
        event: event!,
      })),
    };
  }

  private actor(actors: readonly Actor[], a: number, rng: Rng): void {
    const me = actors[a]!;
    const route = ROUTES[rng.pickWeights(ROUTES.map((r) => r.weight))]!.stages;
    const potential =
      route.length === 1 || rng.chance(COMPLETE_ROUTE) ? route.length : 1 + rng.int(route.length - 1);
    const finalStage = route[potential - 1]!;
    const impression = finalStage === 2 && rng.chance(IMPRESSION_ANSWERER);
    const join = Math.floor(rng.float() * this.days * JOIN_SPAN);
    const dormantAt = join + Math.floor(exp(rng, DORMANCY_RATE));
    const stopAt = Math.min(this.days, dormantAt);

    const own: OwnAction[] = [];
    const followers: number[] = [];
    const at = (day: number, kind: ActionKind, responses = -1) =>
      own.push({ day, second: 7 * 3600 + rng.int(17 * 3600), kind, responses });
    const triggerEvent = (day: number, stage: Stage) => {
      if (stage === 1) at(day, CAMPAIGN);
      else if (stage === 2) followers.push(day);
      else if (stage === 3) at(day, QUESTION, 1 + rng.int(QUESTION.maxResponses));
    };

    const { steps, segments } = this.journey(route, potential, join, stopAt, rng, triggerEvent);

    for (const seg of segments) this.habits(seg, route, impression, rng, at, followers);

    own.sort((x, y) => x.day - y.day || x.second - y.second);
    for (const o of own) this.ownAction(me, o, rng);
    for (const day of followers.sort((x, y) => x - y)) {
      let f = rng.int(actors.length - 1);
      if (f >= a) f++;
      const follower = actors[f] ?? me;
      this.row(follower, day, 7 * 3600 + rng.int(17 * 3600), FOLLOW, me.id, '', 0);
    }

    this.writeTruth(me, route, finalStage, impression, join, dormantAt, steps);
  }

  /**
   * The actor's moves along its route: each stage is left spontaneously or after a trigger
   * (campaign, follow, question) that moves it, until the route's end or dormancy.
   */
  private journey(
    route: readonly Stage[],
    potential: number,
    join: number,
    stopAt: number,
    rng: Rng,
    triggerEvent: (day: number, stage: Stage) => void,
  ): { steps: Step[]; segments: Segment[] } {
    const steps: Step[] = [{ from: -1, to: route[0]!, day: join, cause: 'join', triggerDay: -1 }];
    const segments: Segment[] = [{ stage: route[0]!, at: 0, from: join, to: stopAt }];
    let t = join;
    for (let k = 1; k < potential; k++) {
      const ready = t + MIN_STAY;
      const spontaneous = ready + exp(rng, SPONTANEOUS_RATE);
      let e = ready;
      let stepDay = Number.POSITIVE_INFINITY;
      let cause: Step['cause'] = 'spontaneous';
      let triggerDay = -1;
      for (;;) {
        e += exp(rng, TRIGGER_RATE);
        if (spontaneous < e) {
          stepDay = spontaneous;
          break;
        }
        if (e >= stopAt) break;
        triggerEvent(Math.floor(e), route[k]!);
        if (rng.chance(TRIGGER_MOVES)) {
          triggerDay = Math.floor(e);
          stepDay = e + TRIGGER_DELAY[0] + rng.int(TRIGGER_DELAY[1] - TRIGGER_DELAY[0] + 1);
          cause = 'trigger';
          break;
        }
      }
      const day = Math.floor(stepDay);
      if (!(day < stopAt)) break;
      segments[segments.length - 1]!.to = day;
      segments.push({ stage: route[k]!, at: k, from: day, to: stopAt });
      steps.push({ from: route[k - 1]!, to: route[k]!, day, cause, triggerDay });
      t = day;
    }
    return { steps, segments };
  }

  /** The actor's truth rows: its route and dormancy, then each step with its cause. */
  private writeTruth(
    me: Actor,
    route: readonly Stage[],
    finalStage: Stage,
    impression: boolean,
    join: number,
    dormantAt: number,
    steps: readonly Step[],
  ): void {
    const dormant = dormantAt < this.days ? this.dateStr[dormantAt]! : '';
    this.sinks.actors.line(
      [
        me.id,
        me.kind,
        route.map(stageName).join('>'),
        stageName(finalStage),
        impression ? 1 : 0,
        this.dateStr[join],
        dormant,
      ].join(','),
    );
    for (const s of steps) {
      this.sinks.steps.line(
        [
          me.id,
          stageName(s.from),
          stageName(s.to),
          this.dateStr[s.day],
          s.cause,
          s.cause === 'trigger' ? TRIGGER_OF[s.to] : '',
          s.triggerDay >= 0 ? this.dateStr[s.triggerDay] : '',
        ].join(','),
      );
    }
  }

  /** Habitual, past-stage and chance actions over one stage segment, plus the background events. */
  private habits(
    seg: Segment,
    route: readonly Stage[],
    impression: boolean,
    rng: Rng,
    at: (day: number, kind: ActionKind, responses?: number) => void,
    followers: number[],
  ): void {
    const weeks = (seg.to - seg.from) / 7;
    if (weeks <= 0) return;
    const draw = (perWeek: number, kind: ActionKind) => {
      const n = rng.poisson(perWeek * weeks * kind.share);
      for (let i = 0; i < n; i++) at(seg.from + rng.int(seg.to - seg.from), kind);
    };
    const visited = route.slice(0, seg.at);
    for (let j = 0; j < 4; j++) {
      const rate =
        j === seg.stage ? RATE_CURRENT[j]! : visited.includes(j as Stage) ? RATE_PAST[j]! : RATE_CASUAL[j]!;
      const kinds =
        j === 2 && impression && seg.stage === 2 ? IMPRESSION_HABITS : HABITS.filter((k) => k.stage === j);
      for (const kind of kinds) draw(rate, kind);
    }
    draw(RATE_VIEW, VIEW);
    draw(RATE_BOOKMARK, BOOKMARK);
    const days = seg.to - seg.from;
    for (let i = rng.poisson(BASE_CAMPAIGN * days); i > 0; i--) at(seg.from + rng.int(days), CAMPAIGN);
    for (let i = rng.poisson(BASE_QUESTION * days); i > 0; i--) at(seg.from + rng.int(days), QUESTION);
    for (let i = rng.poisson(BASE_FOLLOWED * days); i > 0; i--) followers.push(seg.from + rng.int(days));
  }

  private ownAction(me: Actor, o: OwnAction, rng: Rng): void {
    const k = o.kind;
    const responses =
      o.responses >= 0 ? o.responses : rng.chance(k.responded) ? 1 + rng.int(Math.max(1, k.maxResponses)) : 0;
    const text = k.text ? communityText(rng, k.text) : '';
    const id = this.row(me, o.day, o.second, k, `${k.targetKind}_${rng.int(5000)}`, text, responses);
    if (k.text === 'answer' || k.text === 'review') this.sinks.texts.line(`${id},${k.text},1`);
    else if (k.text === 'impression_answer' || k.text === 'impression_review')
      this.sinks.texts.line(`${id},${k.text},0`);
  }

  private row(
    actor: Actor,
    day: number,
    second: number,
    k: ActionKind,
    target: string,
    text: string,
    responses: number,
  ): string {
    const id = makeId('A', ++this.nextAction, 9);
    const ts = `${this.dateStr[day]} ${pad2(Math.floor(second / 3600))}:${pad2(Math.floor(second / 60) % 60)}:${pad2(second % 60)}`;
    this.sinks.actions.line(
      [
        id,
        actor.id,
        actor.kind,
        ts,
        k.place,
        k.actionType,
        k.targetKind,
        target,
        text ? csvField(text) : '',
        responses,
      ].join(','),
    );
    return id;
  }
}
