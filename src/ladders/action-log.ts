/**
 * The `actions` table read for the engagement ladder: every actor's action days per index (after
 * the taxonomy and the text labels decided what each action counts for) and their events, the
 * candidates for triggers: what they did (place/type/target, with or without responses received)
 * and what others did to them (a follow, a mention). Days are epoch days; every list is ascending,
 * so counts in a window are two binary searches.
 */
import { checkIsoDay } from '../features/index.ts';
import { type NumericResult, quoteLiteral, type SqlRunner } from '../store/index.ts';
import { ENGAGEMENT_INDICES, type Label } from './labels.ts';
import { SUBSTANTIVE_CLASSIFIER_VERSION } from './substantive.ts';
import { actionKindLabel, indexLevel, ruleNumberSql, type Taxonomy } from './taxonomy.ts';
import { ensureTextLabelsTable, TEXT_LABELS_TABLE, textRules } from './text-labels.ts';

export interface EventInfo {
  key: string;
  kind: 'own' | 'received';
  place: string;
  actionType: string;
  targetKind: string;
  responded: boolean;
  /**
   * Ladder level of the action's rule (0 = 応援度; -1: counts for none). An own action at or above a
   * step's level is the step itself, never its trigger.
   */
  level: number;
  label: Label;
}

export interface ActorLog {
  id: string;
  kind: 'member' | 'third_party';
  /** Days of actions counting toward each index (0 = 応援度 ... 3 = 貢献度), ascending. */
  indexDays: Int32Array[];
  /** Every day with an action of the actor's own, ascending and distinct. */
  activeDays: Int32Array;
  /** Event code -> ascending days. */
  events: Map<number, Int32Array>;
}

export interface ActionLog {
  until: string;
  actors: ActorLog[];
  events: EventInfo[];
  /** Actions no rule matched: extend the taxonomy for them. */
  unclassified: { place: string; actionType: string; targetKind: string; actions: number }[];
  texts: { judged: number; substantive: number; notSubstantive: number };
  actions: number;
}

const DAY_MS = 86_400_000;
export const epochDay = (iso: string): number => Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
export const isoDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** First position in ascending `a` whose value is >= x. */
export function lowerBound(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Entries of ascending `a` in [from, to). */
export const countBetween = (a: Int32Array, from: number, to: number): number =>
  lowerBound(a, to) - lowerBound(a, from);

export function eventKey(
  kind: 'own' | 'received',
  place: string,
  type: string,
  target: string,
  responded: boolean,
) {
  return `${kind}:${place}/${type}/${target}${responded ? ':responded' : ''}`;
}

function eventLabel(t: Taxonomy, e: Omit<EventInfo, 'label' | 'key' | 'level'>): Label {
  const base = actionKindLabel(t, e.place, e.actionType, e.targetKind);
  if (e.kind === 'received') return { ja: `${base.ja}を受けた`, en: `received (${base.en})` };
  return e.responded ? { ja: `${base.ja}（反応あり）`, en: `${base.en} (got responses)` } : base;
}

function randomSuffix(): string {
  const b = new Uint8Array(4);
  globalThis.crypto.getRandomValues(b);
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * Reads the actions before `until` into per-actor logs. Text labels must already be cached
 * (`ensureTextLabels`); a judged text without a label counts as not substantive. Everything per
 * action crosses from DuckDB as numbers (actor and event codes, days); names come in two small
 * dictionaries: converting strings and timestamps value by value costs ten times more.
 *
 * @param db the workspace database
 * @param taxonomy which index each action counts for
 * @param until only actions before this day (YYYY-MM-DD)
 */
export async function readActionLog(db: SqlRunner, taxonomy: Taxonomy, until: string): Promise<ActionLog> {
  checkIsoDay(until, 'asOf');
  await ensureTextLabelsTable(db);
  const rules = textRules(taxonomy);
  const before = `a.ts < DATE ${quoteLiteral(until)}`;
  const tmp = `_ladder_log_${randomSuffix()}`;
  // Small dictionaries first (actors; kinds of action with their rule), then one pass over the
  // actions that joins them by equality and carries only numbers.
  await db.run(
    `CREATE TEMP TABLE ${tmp}_a AS
     SELECT actor_id, actor_kind, (row_number() OVER (ORDER BY actor_id) - 1) AS actor
     FROM (SELECT a.actor_id, any_value(a.actor_kind) AS actor_kind FROM actions a WHERE ${before} GROUP BY a.actor_id)`,
  );
  try {
    await db.run(
      `CREATE TEMP TABLE ${tmp}_e AS
       SELECT *, (row_number() OVER (ORDER BY place, action_type, target_kind, responded) - 1) AS ev
       FROM (SELECT place, action_type, target_kind, responded, ${ruleNumberSql(taxonomy)} AS rule
             FROM (SELECT DISTINCT a.place, a.action_type, coalesce(a.target_kind, '') AS target_kind,
                                   coalesce(a.responses, 0) > 0 AS responded
                   FROM actions a WHERE ${before}) a)`,
    );
    const judged = rules.length ? `e.rule IN (${rules.join(', ')})` : 'false';
    const rows = await db.numeric(
      `WITH x AS (
         SELECT d.actor, a.ts, date_diff('day', DATE '1970-01-01', a.ts::DATE) AS day, e.ev, e.rule,
                CASE WHEN ${judged} THEN md5(coalesce(a.text, '')) END AS h
         FROM actions a
         JOIN ${tmp}_a d ON d.actor_id = a.actor_id
         JOIN ${tmp}_e e ON e.place = a.place AND e.action_type = a.action_type
                        AND e.target_kind = coalesce(a.target_kind, '') AND e.responded = (coalesce(a.responses, 0) > 0)
         WHERE ${before})
       SELECT x.actor::DOUBLE AS actor, x.day::DOUBLE AS day, x.rule::DOUBLE AS rule,
              (CASE WHEN x.h IS NOT NULL THEN coalesce(l.substantive, false) END)::DOUBLE AS substantive, x.ev::DOUBLE AS ev
       FROM x LEFT JOIN ${TEXT_LABELS_TABLE} l
         ON l.text_hash = x.h AND l.classifier = ${quoteLiteral(SUBSTANTIVE_CLASSIFIER_VERSION)}
       ORDER BY x.actor, x.ts`,
    );
    const actorDict = await db.rows<{ actor_id: string; actor_kind: string }>(
      `SELECT actor_id, actor_kind FROM ${tmp}_a ORDER BY actor`,
    );
    const eventDict = await db.rows<{
      place: string;
      action_type: string;
      target_kind: string;
      responded: boolean;
      rule: number;
    }>(`SELECT place, action_type, target_kind, responded, rule FROM ${tmp}_e ORDER BY ev`);
    const received = taxonomy.receivedTargetKinds.length
      ? await receivedEvents(db, `${tmp}_a`, taxonomy, until)
      : null;
    return assemble(taxonomy, until, rows, actorDict, eventDict, received);
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${tmp}_a`);
    await db.run(`DROP TABLE IF EXISTS ${tmp}_e`);
  }
}

/** Actions of others aimed at an actor (a follow): actor code, day, received-kind code, and the kinds. */
async function receivedEvents(db: SqlRunner, actorsTable: string, taxonomy: Taxonomy, until: string) {
  const kinds = taxonomy.receivedTargetKinds.map(quoteLiteral).join(', ');
  const base = `SELECT d.actor, date_diff('day', DATE '1970-01-01', a.ts::DATE) AS day, a.ts,
                       a.place, a.action_type, a.target_kind
                FROM actions a JOIN ${actorsTable} d ON d.actor_id = a.target_id
                WHERE a.ts < DATE ${quoteLiteral(until)} AND a.target_kind IN (${kinds})`;
  const rows = await db.numeric(
    `SELECT actor::DOUBLE, day::DOUBLE,
            (dense_rank() OVER (ORDER BY place, action_type, target_kind) - 1)::DOUBLE AS ev
     FROM (${base}) ORDER BY actor, ts`,
  );
  const dict = await db.rows<{ place: string; action_type: string; target_kind: string }>(
    `SELECT DISTINCT place, action_type, target_kind FROM (${base}) ORDER BY place, action_type, target_kind`,
  );
  return { rows, dict };
}

type OwnEventRow = {
  place: string;
  action_type: string;
  target_kind: string;
  responded: boolean;
  rule: number;
};
type ReceivedEventRow = { place: string; action_type: string; target_kind: string };
type ActorRow = { actor_id: string; actor_kind: string };

/** Counts gathered while reading the actors' actions. */
interface ActionTally {
  /** Actions per event code whose kind of action no rule classifies. */
  unclassified: Map<number, number>;
  judgedTexts: number;
  substantiveTexts: number;
}

function assemble(
  taxonomy: Taxonomy,
  until: string,
  rows: NumericResult,
  actorDict: readonly ActorRow[],
  eventDict: readonly OwnEventRow[],
  received: { rows: NumericResult; dict: readonly ReceivedEventRow[] } | null,
): ActionLog {
  const events = ownEvents(taxonomy, eventDict);
  const receivedBase = events.length;
  events.push(...receivedEventInfos(taxonomy, received?.dict ?? []));
  const tally: ActionTally = { unclassified: new Map(), judgedTexts: 0, substantiveTexts: 0 };
  const actors = readActors(taxonomy, rows, actorDict, tally);
  if (received) addReceived(actors, received.rows, receivedBase);
  return {
    until,
    actors,
    events,
    unclassified: [...tally.unclassified]
      .map(([code, actions]) => ({
        place: events[code]!.place,
        actionType: events[code]!.actionType,
        targetKind: events[code]!.targetKind,
        actions,
      }))
      .sort((a, b) => b.actions - a.actions),
    texts: {
      judged: tally.judgedTexts,
      substantive: tally.substantiveTexts,
      notSubstantive: tally.judgedTexts - tally.substantiveTexts,
    },
    actions: rows.rowCount,
  };
}

function ownEvents(taxonomy: Taxonomy, eventDict: readonly OwnEventRow[]): EventInfo[] {
  return eventDict.map((e) => {
    const info = {
      kind: 'own' as const,
      place: e.place,
      actionType: e.action_type,
      targetKind: e.target_kind,
      responded: e.responded,
    };
    return {
      key: eventKey('own', e.place, e.action_type, e.target_kind, e.responded),
      ...info,
      level: e.rule < 0 ? -1 : indexLevel(taxonomy.rules[e.rule]!.index),
      label: eventLabel(taxonomy, info),
    };
  });
}

function receivedEventInfos(taxonomy: Taxonomy, dict: readonly ReceivedEventRow[]): EventInfo[] {
  return dict.map((e) => {
    const info = {
      kind: 'received' as const,
      place: e.place,
      actionType: e.action_type,
      targetKind: e.target_kind,
      responded: false,
    };
    return {
      key: eventKey('received', e.place, e.action_type, e.target_kind, false),
      ...info,
      level: -1,
      label: eventLabel(taxonomy, info),
    };
  });
}

/** Index level an action counts for: a non-substantive text counts for the rule's fallback index. */
function levelOf(taxonomy: Taxonomy, rule: number, substantive: number): number {
  const r = taxonomy.rules[rule];
  if (!r) return -1;
  if (r.substantive && substantive === 0) return indexLevel(r.substantive.otherwise);
  return indexLevel(r.index);
}

/** One ActorLog per run of rows with the same actor code (rows come ordered by actor, then time). */
function readActors(
  taxonomy: Taxonomy,
  rows: NumericResult,
  actorDict: readonly ActorRow[],
  tally: ActionTally,
): ActorLog[] {
  const actorCol = rows.columns[0] as Float64Array;
  const actors: ActorLog[] = [];
  const n = rows.rowCount;
  let i = 0;
  while (i < n) {
    const code = actorCol[i]!;
    let j = i;
    while (j < n && actorCol[j] === code) j++;
    actors.push(readActor(taxonomy, rows, i, j, actorDict[code]!, tally));
    i = j;
  }
  return actors;
}

/** The actor whose actions are rows [from, to). */
function readActor(
  taxonomy: Taxonomy,
  rows: NumericResult,
  from: number,
  to: number,
  who: ActorRow,
  tally: ActionTally,
): ActorLog {
  const [, dayCol, ruleCol, substCol, evCol] = rows.columns as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  const perIndex: number[][] = ENGAGEMENT_INDICES.map(() => []);
  const active: number[] = [];
  const ev = new Map<number, number[]>();
  for (let r = from; r < to; r++) {
    const day = dayCol[r]!;
    const rule = ruleCol[r]!;
    const s = substCol[r]!;
    if (active[active.length - 1] !== day) active.push(day);
    if (rule < 0) {
      tally.unclassified.set(evCol[r]!, (tally.unclassified.get(evCol[r]!) ?? 0) + 1);
    } else {
      if (!Number.isNaN(s)) {
        tally.judgedTexts++;
        if (s === 1) tally.substantiveTexts++;
      }
      const level = levelOf(taxonomy, rule, s);
      if (level >= 0) perIndex[level]!.push(day);
    }
    const list = ev.get(evCol[r]!);
    if (list) list.push(day);
    else ev.set(evCol[r]!, [day]);
  }
  return {
    id: who.actor_id,
    kind: who.actor_kind === 'third_party' ? 'third_party' : 'member',
    indexDays: perIndex.map((d) => Int32Array.from(d)),
    activeDays: Int32Array.from(active),
    events: new Map([...ev].map(([c, d]) => [c, Int32Array.from(d)])),
  };
}

/** Adds to each actor the actions of others aimed at them, as events after the own ones. */
function addReceived(actors: ActorLog[], rows: NumericResult, receivedBase: number): void {
  const [ra, rd, re] = rows.columns as [Float64Array, Float64Array, Float64Array];
  let k = 0;
  while (k < rows.rowCount) {
    const a = ra[k]!;
    const m = new Map<number, number[]>();
    for (; k < rows.rowCount && ra[k] === a; k++) {
      const code = receivedBase + re[k]!;
      const list = m.get(code);
      if (list) list.push(rd[k]!);
      else m.set(code, [rd[k]!]);
    }
    for (const [code, d] of m) actors[a]!.events.set(code, Int32Array.from(d));
  }
}
