/**
 * An audience is a definition (model, target, exclusions, consent, reach lock, retention,
 * schedule) that is materialised into revisions: the first when it is created, another on every
 * refresh. The definition is the one mutable file of an audience (`audiences/<id>/definition.json`,
 * replaced atomically); its revisions are immutable. Audiences created before definitions existed
 * get one derived from their first revision's manifest. Pure TypeScript.
 */
import { InvalidInputError } from '../schema/index.ts';
import { type ArtifactStore, getJson, putJson } from '../store/artifacts.ts';
import type { Condition } from './conditions.ts';
import type { AudienceTarget } from './solve.ts';

export const DEFINITION_VERSION = 1;
/** Revisions kept by default: older ones (and their releases) are deleted after a refresh. */
export const DEFAULT_KEEP_REVISIONS = 10;

/** Keep the size of every refresh within [min, max] (a reach lock, as Salesforce's). */
export interface ReachLock {
  min: number;
  max: number;
}

export interface RefreshSchedule {
  /** Hours between refreshes. */
  everyHours: number;
  /** When the scheduler next refreshes the audience (ISO time). */
  nextRefreshAt: string;
}

export interface LastRefresh {
  at: string;
  /** The revision it published; null when it failed. */
  revision: number | null;
  error: string | null;
  /** What started it: a person (on demand) or the schedule. */
  trigger: 'create' | 'on_demand' | 'schedule';
}

export interface AudienceDefinition {
  kind: 'audience-definition';
  version: number;
  id: string;
  modelId: string;
  target: AudienceTarget;
  minSize: number;
  /**
   * Rule conditions every member meets (stored codes): each revision ranks only the people who
   * meet all of them.
   */
  conditions: Condition[];
  /** How many IDs the stored exclusion lists hold (`exclusions.json` holds the lists). */
  exclusions: { optedOut: number; ids: number };
  needMix: false | { themes?: string[]; sample?: number };
  /** Consent purposes every member of the audience must have granted (members universe). */
  consentPurposes: string[];
  /** Members universe: features as of this day on every refresh; null: the day of the refresh. */
  asOf: string | null;
  reachLock: ReachLock | null;
  retention: { keep: number };
  schedule: RefreshSchedule | null;
  createdAt: string;
  updatedAt: string;
  lastRefresh: LastRefresh | null;
}

export interface ExclusionLists {
  optedOut: string[];
  ids: string[];
}

const AUDIENCE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** @throws InvalidInputError unless `id` is 1-100 letters, digits, "_", "-" or "." (not first). */
export function checkAudienceId(id: string): string {
  if (typeof id !== 'string' || !AUDIENCE_ID.test(id)) {
    throw new InvalidInputError(
      `audience id "${String(id)}" is not valid: use 1-100 letters, digits, "_", "-" or "."`,
      'id',
    );
  }
  return id;
}

export const definitionKey = (id: string) => `audiences/${id}/definition.json`;
const exclusionsKey = (id: string) => `audiences/${id}/exclusions.json`;

export async function readDefinition(store: ArtifactStore, id: string): Promise<AudienceDefinition | null> {
  return getJson<AudienceDefinition>(store, definitionKey(id));
}

export async function writeDefinition(store: ArtifactStore, definition: AudienceDefinition): Promise<void> {
  await putJson(store, definitionKey(definition.id), definition);
}

export async function readExclusions(store: ArtifactStore, id: string): Promise<ExclusionLists> {
  return (await getJson<ExclusionLists>(store, exclusionsKey(id))) ?? { optedOut: [], ids: [] };
}

export async function writeExclusions(
  store: ArtifactStore,
  id: string,
  lists: ExclusionLists,
): Promise<void> {
  if (lists.optedOut.length === 0 && lists.ids.length === 0) return;
  await putJson(store, exclusionsKey(id), lists);
}

/** The manifest fields a definition can be derived from (audiences created before definitions). */
export interface LegacyManifest {
  id: string;
  modelId: string;
  target: AudienceTarget;
  minSize: number;
  createdAt: string;
}

/** A definition for an audience that has only revisions: its first revision's model, target and minimum. */
export function definitionFromManifest(m: LegacyManifest): AudienceDefinition {
  return {
    kind: 'audience-definition',
    version: DEFINITION_VERSION,
    id: m.id,
    modelId: m.modelId,
    target: m.target,
    minSize: m.minSize,
    conditions: [],
    exclusions: { optedOut: 0, ids: 0 },
    needMix: {},
    consentPurposes: [],
    asOf: null,
    reachLock: null,
    retention: { keep: DEFAULT_KEEP_REVISIONS },
    schedule: null,
    createdAt: m.createdAt,
    updatedAt: m.createdAt,
    lastRefresh: null,
  };
}

/**
 * The band a tolerance gives around a size: `{ tolerance: 0.1 }` on 10,000 people is [9000, 11000].
 *
 * @throws InvalidInputError for a tolerance outside (0, 1).
 */
export function bandAround(size: number, tolerance: number): ReachLock {
  if (!(tolerance > 0 && tolerance < 1)) {
    throw new InvalidInputError(
      `reachLock.tolerance must be in (0, 1), got ${tolerance}`,
      'reachLock.tolerance',
    );
  }
  // 800 x 1.1 is 880.0000000000001 in doubles: round away the representation error first.
  const exact = (v: number) => Math.round(v * 1e6) / 1e6;
  return { min: Math.floor(exact(size * (1 - tolerance))), max: Math.ceil(exact(size * (1 + tolerance))) };
}

/** When a schedule next fires after `from`. */
export function nextRun(from: Date, everyHours: number): string {
  return new Date(from.getTime() + everyHours * 3_600_000).toISOString();
}

/** True when the audience's schedule is due at `now`. */
export function isDue(definition: AudienceDefinition, now: Date): boolean {
  return definition.schedule !== null && Date.parse(definition.schedule.nextRefreshAt) <= now.getTime();
}
