/**
 * The action taxonomy of the engagement ladder: which index (応援度, 好意度, 交流度, 貢献度) each kind
 * of action (place x type x target) counts toward, by its psychological hurdle and meaning, with
 * Japanese labels. Counting actions alone rates a member who liked 100 posts above one who
 * answered 10 questions; the taxonomy is what puts them on different rungs. Rules are tried in
 * order and the first match wins ('*' matches anything); a rule may require substantive text
 * (answers, reviews) and say what the action counts for when the text is only an impression.
 * The default lives in data/ladders/engagement-taxonomy.json; a user may pass their own.
 */
import defaultTaxonomyJson from '../../data/ladders/engagement-taxonomy.json' with { type: 'json' };
import { InvalidInputError } from '../schema/index.ts';
import { quoteLiteral } from '../store/index.ts';
import { ENGAGEMENT_INDICES, type EngagementIndex, type Label } from './labels.ts';

export interface TaxonomyRule {
  place: string;
  actionType: string;
  targetKind: string;
  /** The index the action counts toward; null: no index (views, campaign entries). */
  index: EngagementIndex | null;
  /** The text must be substantive to count toward `index`; otherwise it counts toward `otherwise`. */
  substantive?: { otherwise: EngagementIndex | null };
}

export interface IndexDefinition extends Label {
  description: Label;
  /** What to do for members one rung below, to bring them here. */
  nudge: Label;
}

export interface Taxonomy {
  version: string;
  description?: string;
  indices: Record<EngagementIndex, IndexDefinition>;
  places: Record<string, Label>;
  actionTypes: Record<string, Label>;
  targetKinds: Record<string, Label>;
  /** Target kinds whose target_id is a person: such actions are also events received by that person. */
  receivedTargetKinds: string[];
  rules: TaxonomyRule[];
}

const MAX_RULES = 2000;
const CODE = /^[A-Za-z0-9_.-]{1,100}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function label(v: unknown, field: string): Label {
  if (!isObject(v) || typeof v.ja !== 'string' || typeof v.en !== 'string' || !v.ja || !v.en)
    throw new InvalidInputError(`${field} must be { "ja": "...", "en": "..." } with both texts`, field);
  return { ja: v.ja, en: v.en };
}

function labels(v: unknown, field: string): Record<string, Label> {
  if (!isObject(v)) throw new InvalidInputError(`${field} must be an object of code -> { ja, en }`, field);
  const out: Record<string, Label> = {};
  for (const [code, l] of Object.entries(v)) {
    if (!CODE.test(code))
      throw new InvalidInputError(
        `${field}: "${code}" is not a code (letters, digits, _ . -)`,
        `${field}.${code}`,
      );
    out[code] = label(l, `${field}.${code}`);
  }
  return out;
}

function indexOrNull(v: unknown, field: string): EngagementIndex | null {
  if (v === null) return null;
  if (typeof v === 'string' && (ENGAGEMENT_INDICES as readonly string[]).includes(v))
    return v as EngagementIndex;
  throw new InvalidInputError(
    `${field} must be one of ${ENGAGEMENT_INDICES.join(', ')} or null, got ${JSON.stringify(v)}`,
    field,
  );
}

function pattern(v: unknown, field: string): string {
  if (typeof v === 'string' && (v === '*' || CODE.test(v))) return v;
  throw new InvalidInputError(`${field} must be a code or "*", got ${JSON.stringify(v)}`, field);
}

/**
 * Checks a taxonomy (the default file or a user's) and returns it typed.
 *
 * @param raw parsed JSON
 * @param field where it came from, for messages (e.g. "taxonomy")
 * @throws InvalidInputError naming the first offending field (e.g. taxonomy.rules.3.index)
 */
export function checkTaxonomy(raw: unknown, field = 'taxonomy'): Taxonomy {
  if (!isObject(raw)) throw new InvalidInputError(`${field} must be an object`, field);
  if (typeof raw.version !== 'string' || !raw.version)
    throw new InvalidInputError(`${field}.version must be a non-empty string`, `${field}.version`);
  if (!isObject(raw.indices))
    throw new InvalidInputError(`${field}.indices must be an object`, `${field}.indices`);
  const indices = {} as Record<EngagementIndex, IndexDefinition>;
  for (const id of ENGAGEMENT_INDICES) {
    const d = raw.indices[id];
    const f = `${field}.indices.${id}`;
    if (!isObject(d))
      throw new InvalidInputError(`${f} is missing: every index needs its labels and nudge`, f);
    indices[id] = {
      ...label(d, f),
      description: label(d.description, `${f}.description`),
      nudge: label(d.nudge, `${f}.nudge`),
    };
  }
  const received = raw.receivedTargetKinds ?? [];
  if (!Array.isArray(received) || received.some((k) => typeof k !== 'string' || !CODE.test(k)))
    throw new InvalidInputError(
      `${field}.receivedTargetKinds must be a list of codes`,
      `${field}.receivedTargetKinds`,
    );
  if (!Array.isArray(raw.rules) || raw.rules.length === 0 || raw.rules.length > MAX_RULES)
    throw new InvalidInputError(`${field}.rules must be a list of 1 to ${MAX_RULES} rules`, `${field}.rules`);
  const rules = raw.rules.map((r, i): TaxonomyRule => {
    const f = `${field}.rules.${i}`;
    if (!isObject(r)) throw new InvalidInputError(`${f} must be an object`, f);
    const rule: TaxonomyRule = {
      place: pattern(r.place, `${f}.place`),
      actionType: pattern(r.actionType, `${f}.actionType`),
      targetKind: pattern(r.targetKind, `${f}.targetKind`),
      index: indexOrNull(r.index, `${f}.index`),
    };
    if (r.substantive !== undefined) {
      if (!isObject(r.substantive) || !('otherwise' in r.substantive))
        throw new InvalidInputError(
          `${f}.substantive must be { "otherwise": <index or null> }`,
          `${f}.substantive`,
        );
      if (rule.index === null)
        throw new InvalidInputError(
          `${f}.substantive needs an index to count toward when the text is substantive`,
          `${f}.substantive`,
        );
      rule.substantive = { otherwise: indexOrNull(r.substantive.otherwise, `${f}.substantive.otherwise`) };
    }
    return rule;
  });
  return {
    version: raw.version,
    ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
    indices,
    places: labels(raw.places ?? {}, `${field}.places`),
    actionTypes: labels(raw.actionTypes ?? {}, `${field}.actionTypes`),
    targetKinds: labels(raw.targetKinds ?? {}, `${field}.targetKinds`),
    receivedTargetKinds: received as string[],
    rules,
  };
}

/** The shipped taxonomy (data/ladders/engagement-taxonomy.json), checked once. */
export const DEFAULT_TAXONOMY: Taxonomy = checkTaxonomy(defaultTaxonomyJson, 'default taxonomy');

/** SQL giving the number of the first rule an `actions` row matches (alias `a`), or -1. */
export function ruleNumberSql(t: Taxonomy): string {
  const cond = (col: string, v: string) => (v === '*' ? null : `a.${col} = ${quoteLiteral(v)}`);
  const whens = t.rules.map((r, i) => {
    const parts = [
      cond('place', r.place),
      cond('action_type', r.actionType),
      cond('target_kind', r.targetKind),
    ].filter((p): p is string => p !== null);
    return `WHEN ${parts.length ? parts.join(' AND ') : 'true'} THEN ${i}`;
  });
  return `CASE ${whens.join(' ')} ELSE -1 END`;
}

/** Position of an index on the ladder (0 = 応援度), or -1 for none. */
export const indexLevel = (i: EngagementIndex | null): number =>
  i === null ? -1 : ENGAGEMENT_INDICES.indexOf(i);

/** A readable name of an action kind: 「Q&A・質問への回答」. */
export function actionKindLabel(t: Taxonomy, place: string, actionType: string, targetKind: string): Label {
  const p = t.places[place] ?? { ja: place, en: place };
  const a = t.actionTypes[actionType] ?? { ja: actionType, en: actionType };
  const k = t.targetKinds[targetKind] ?? { ja: targetKind, en: targetKind };
  return { ja: `${p.ja}・${k.ja}への${a.ja}`, en: `${p.en}: ${a.en} on ${k.en}` };
}
