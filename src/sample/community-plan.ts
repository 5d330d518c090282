/**
 * What the sample community plants: the kinds of action people take (place x type x target), the
 * ladder stage each kind expresses, the routes by which people climb to contribution, and the
 * trigger that precedes each kind of step. The engagement ladder is evaluated against these: the
 * stage names and event names here are the ones its default taxonomy and its miner use.
 */
import type { TextKind } from './community-texts.ts';

/** Ladder stages, lowest hurdle first (応援度 < 好意度 < 交流度 < 貢献度); -1 is "none yet". */
export const STAGES = ['support', 'affinity', 'interaction', 'contribution'] as const;
export type Stage = -1 | 0 | 1 | 2 | 3;
export const stageName = (s: Stage): string => (s === -1 ? 'none' : STAGES[s]);

export interface ActionKind {
  place: string;
  actionType: string;
  targetKind: string;
  /** The stage this kind of action expresses in the planted model (-1: none, e.g. campaign entries). */
  stage: Stage;
  /** Share of its stage's habitual rate. */
  share: number;
  text?: TextKind;
  /** Chance of receiving at least one response, and the most responses. */
  responded: number;
  maxResponses: number;
}

const kind = (
  place: string,
  actionType: string,
  targetKind: string,
  stage: Stage,
  share: number,
  extra: Partial<Pick<ActionKind, 'text' | 'responded' | 'maxResponses'>> = {},
): ActionKind => ({
  place,
  actionType,
  targetKind,
  stage,
  share,
  responded: extra.responded ?? 0,
  maxResponses: extra.maxResponses ?? 0,
  ...(extra.text ? { text: extra.text } : {}),
});

/** The habitual action kinds of each stage. */
export const HABITS: readonly ActionKind[] = [
  kind('qa', 'like', 'answer', 0, 0.3),
  kind('ideas', 'like', 'idea', 0, 0.15),
  kind('ideas', 'vote', 'idea', 0, 0.15),
  kind('reviews', 'like', 'review', 0, 0.15),
  kind('user_blog', 'like', 'user_post', 0, 0.25),
  kind('company_blog', 'like', 'company_post', 1, 0.5),
  kind('company_blog', 'comment', 'company_post', 1, 0.3, {
    text: 'company_comment',
    responded: 0.15,
    maxResponses: 1,
  }),
  kind('company_blog', 'share', 'company_post', 1, 0.2),
  kind('user_blog', 'comment', 'user_post', 2, 0.45, { text: 'comment', responded: 0.3, maxResponses: 2 }),
  kind('qa', 'comment', 'answer', 2, 0.3, { text: 'comment', responded: 0.2, maxResponses: 2 }),
  kind('ideas', 'comment', 'idea', 2, 0.25, { text: 'comment', responded: 0.2, maxResponses: 2 }),
  kind('qa', 'answer', 'question', 3, 0.55, { text: 'answer', responded: 0.4, maxResponses: 5 }),
  kind('reviews', 'post', 'product', 3, 0.3, { text: 'review', responded: 0.3, maxResponses: 4 }),
  kind('ideas', 'post', 'idea', 3, 0.15, { text: 'idea', responded: 0.5, maxResponses: 12 }),
];

/** What "impression answerers" do instead of commenting: answers and reviews with no content. */
export const IMPRESSION_HABITS: readonly ActionKind[] = [
  kind('qa', 'answer', 'question', 2, 0.4, { text: 'impression_answer', responded: 0.1, maxResponses: 1 }),
  kind('reviews', 'post', 'product', 2, 0.2, { text: 'impression_review', responded: 0.1, maxResponses: 1 }),
  kind('user_blog', 'comment', 'user_post', 2, 0.4, { text: 'comment', responded: 0.3, maxResponses: 2 }),
];

/** Actions everyone takes now and then, whatever their stage. */
export const VIEW = kind('user_blog', 'view', 'user_post', -1, 1);
export const QUESTION = kind('qa', 'post', 'question', 2, 1, {
  text: 'question',
  responded: 0.5,
  maxResponses: 4,
});
export const CAMPAIGN = kind('events', 'entry', 'campaign', -1, 1);
export const FOLLOW = kind('community', 'follow', 'member', 0, 1);
/** A kind the default taxonomy does not list, so the ladder reports it as unclassified. */
export const BOOKMARK = kind('user_blog', 'bookmark', 'user_post', -1, 1);

/** Actions per week: at the current stage, at stages passed earlier, and by chance. */
export const RATE_CURRENT: readonly number[] = [2.0, 1.2, 1.2, 1.0];
export const RATE_PAST: readonly number[] = [1.0, 0.6, 0.6, 0.5];
export const RATE_CASUAL: readonly number[] = [0.08, 0.03, 0.03, 0.01];
export const RATE_VIEW = 0.4;
export const RATE_BOOKMARK = 0.02;
/** Background events per day, for everyone active: campaign entries, questions, follows received. */
export const BASE_CAMPAIGN = 1 / 150;
export const BASE_QUESTION = 1 / 150;
export const BASE_FOLLOWED = 1 / 150;

/** Planted routes to contribution (stage sequences), and lurkers who never take a step. */
export const ROUTES: readonly { stages: readonly Stage[]; weight: number }[] = [
  { stages: [0, 2, 3], weight: 0.34 },
  { stages: [0, 1, 3], weight: 0.24 },
  { stages: [1, 2, 3], weight: 0.15 },
  { stages: [0, 3], weight: 0.12 },
  { stages: [-1], weight: 0.15 },
];
/** Chance that someone on a route walks it to the end (others stop at a random earlier stage). */
export const COMPLETE_ROUTE = 0.45;
/** Chance that someone who stops at interaction does it through content-free answers and reviews. */
export const IMPRESSION_ANSWERER = 0.45;

/**
 * The event that precedes a step into each stage, as the ladder's miner names events:
 * `own:<place>/<type>/<target>[:responded]` for the member's own actions (with responses received),
 * `received:<place>/<type>/<target>` for actions of others aimed at the member.
 */
export const TRIGGER_OF: Readonly<Partial<Record<Stage, string>>> = {
  1: 'own:events/entry/campaign',
  2: 'received:community/follow/member',
  3: 'own:qa/post/question:responded',
};

/** Days at a stage before a trigger can move someone on. */
export const MIN_STAY = 28;
/** Trigger events per day while ready for the next step, chance that one moves them, and the delay. */
export const TRIGGER_RATE = 1 / 40;
export const TRIGGER_MOVES = 0.7;
export const TRIGGER_DELAY: readonly [number, number] = [2, 12];
/** Steps per day that happen without a trigger. */
export const SPONTANEOUS_RATE = 1 / 400;
/** Dormancy (all activity stops) per day. */
export const DORMANCY_RATE = 1 / 2000;
/** Share of community actors who are not members (known by a third-party ID only). */
export const GUEST_SHARE = 0.1;
/** Joins fall in the first part of the period, so most people have time to climb. */
export const JOIN_SPAN = 0.6;
