/**
 * Public options of the sample generator, their defaults, and validation at the edge.
 */
import { InvalidInputError, type TableName } from '../schema/index.ts';
import { parseDay } from './calendar.ts';

export interface GenerateProgress {
  stage: string;
  done: number;
  total: number;
}

export interface GenerateOptions {
  /** Folder that receives `tables/`, `truth/` and `manifest.json` (created if missing). */
  outDir: string;
  /** Master seed; the same seed and sizes give byte-identical files. Default 42. */
  seed?: number;
  /** Number of members. Default 20,000. */
  members?: number;
  /** Third-party universe size (must be at least `members`). Default 200,000. */
  universe?: number;
  /** Months of history. Default 12. */
  months?: number;
  /** First day of the period, YYYY-MM-DD. Default 2025-10-01. */
  startDate?: string;
  /**
   * Share of members who join the brand community and write the `actions` table (0 for none).
   * Default 0.05 (a demo-sized community that keeps `npm start` fast). Other tables are the same whatever the share.
   */
  communityShare?: number;
  onProgress?: (p: GenerateProgress) => void;
}

export interface GeneratedFile {
  path: string;
  rows: number;
}

export interface GenerateResult {
  outDir: string;
  tables: Record<TableName, GeneratedFile>;
  truth: Record<string, GeneratedFile>;
  personas: number;
  seconds: number;
}

export interface ResolvedOptions {
  outDir: string;
  seed: number;
  members: number;
  universe: number;
  months: number;
  startDate: string;
}

export const DEFAULTS = {
  seed: 42,
  members: 20_000,
  universe: 200_000,
  months: 12,
  startDate: '2025-10-01',
  communityShare: 0.05,
} as const;

/** Members and universe are capped where typed-array indices and id widths stay sane. */
const MAX_PEOPLE = 100_000_000;

function whole(value: number, field: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidInputError(`${field} must be a whole number in [${min}, ${max}], got ${value}`, field);
  }
  return value;
}

export function resolveOptions(o: GenerateOptions): ResolvedOptions {
  if (typeof o.outDir !== 'string' || o.outDir.length === 0) {
    throw new InvalidInputError('outDir is required', 'outDir');
  }
  const seed = o.seed ?? DEFAULTS.seed;
  if (!Number.isSafeInteger(seed))
    throw new InvalidInputError(`seed must be an integer, got ${seed}`, 'seed');
  const members = whole(o.members ?? DEFAULTS.members, 'members', 1, MAX_PEOPLE);
  const universe = whole(o.universe ?? DEFAULTS.universe, 'universe', 1, MAX_PEOPLE);
  if (universe < members) {
    throw new InvalidInputError(
      `universe (${universe}) must be at least members (${members}): linked members are part of it`,
      'universe',
    );
  }
  const months = whole(o.months ?? DEFAULTS.months, 'months', 1, 120);
  const startDate = o.startDate ?? DEFAULTS.startDate;
  parseDay(startDate, 'startDate');
  resolveCommunityShare(o);
  return { outDir: o.outDir, seed, members, universe, months, startDate };
}

/** The community share, checked: it only shapes the `actions` table, so it stays out of `ResolvedOptions`. */
export function resolveCommunityShare(o: Pick<GenerateOptions, 'communityShare'>): number {
  const share = o.communityShare ?? DEFAULTS.communityShare;
  if (!(share >= 0 && share <= 1))
    throw new InvalidInputError(`communityShare must be a number in [0, 1], got ${share}`, 'communityShare');
  return share;
}

/** Folds a safe integer into the uint32 the PRNG keys on, keeping small seeds as they are. */
export function seed32(seed: number): number {
  const hi = Math.floor(seed / 2 ** 32) | 0;
  return ((seed >>> 0) ^ Math.imul(hi, 0x9e3779b9)) >>> 0;
}
