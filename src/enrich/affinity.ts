import * as aq from 'arquero';
import { InvalidInputError, NotFoundError } from '../schema/index.ts';
import { quoteIdent, quoteLiteral, type SqlRunner, type Workspace } from '../store/index.ts';
import { attributesSql, DIMENSIONS, type Dimension } from './attributes.ts';
import { wilson, zFor } from './wilson.ts';

export interface AffinityOptions {
  /** Least members with the attribute in a segment for an index to be shown. Default 30. */
  minSupport?: number;
  /** Least linked members in a segment for any of its indexes to be shown. Default 50. */
  minLinked?: number;
  /** Below this share of linked members a segment's affinities are withheld (a warning, not a result). Default 0.1. */
  minMatchRate?: number;
  /** Confidence level of the intervals: 0.8, 0.9, 0.95, 0.98 or 0.99. Default 0.95. */
  confidence?: number;
  dimensions?: readonly Dimension[];
}

export type ResolvedAffinityOptions = Required<AffinityOptions> & { dimensions: Dimension[] };

export interface AffinityRow {
  dimension: Dimension;
  value: string;
  /** Linked members of the segment with the attribute. */
  segmentCount: number;
  segmentShare: number;
  populationCount: number;
  populationShare: number;
  /** segment share / population share x 100; null when suppressed. */
  index: number | null;
  /** Wilson interval of the segment share, divided by the population share, x 100. */
  ciLow: number | null;
  ciHigh: number | null;
  /** Members behind the index (= segmentCount). */
  support: number;
  suppressed: boolean;
  reason?: string;
}

export interface SegmentLinkage {
  segmentId: string;
  members: number;
  linked: number;
  matchRate: number;
  warning?: string;
}

export interface SegmentAffinity extends SegmentLinkage {
  /** Shown rows by the interval's lower bound (highest first), then suppressed rows. */
  rows: AffinityRow[];
}

export interface AffinityReport {
  options: ResolvedAffinityOptions;
  /** Linked members of all segments: the base every index compares against. */
  population: { members: number; linked: number; matchRate: number };
  segments: SegmentAffinity[];
}

const DEFAULTS = { minSupport: 30, minLinked: 50, minMatchRate: 0.1, confidence: 0.95 };

export function resolveAffinityOptions(o: AffinityOptions = {}): ResolvedAffinityOptions {
  const r = { ...DEFAULTS, ...o, dimensions: [...(o.dimensions ?? DIMENSIONS)] };
  for (const key of ['minSupport', 'minLinked'] as const) {
    if (!Number.isInteger(r[key]) || r[key] < 1) {
      throw new InvalidInputError(`${key} must be a whole number >= 1, got ${r[key]}`, key);
    }
  }
  if (!(r.minMatchRate >= 0 && r.minMatchRate <= 1)) {
    throw new InvalidInputError(`minMatchRate must be in [0, 1], got ${r.minMatchRate}`, 'minMatchRate');
  }
  try {
    zFor(r.confidence);
  } catch (err) {
    throw new InvalidInputError((err as Error).message, 'confidence');
  }
  for (const d of r.dimensions) {
    if (!(DIMENSIONS as readonly string[]).includes(d)) {
      throw new InvalidInputError(
        `unknown dimension "${d}"; dimensions are ${DIMENSIONS.join(', ')}`,
        'dimensions',
      );
    }
  }
  return r;
}

interface Counts {
  linkage: { group_id: string; members: number; linked: number }[];
  segment: { group_id: string; dimension: string; value: string; segmentCount: number }[];
  population: { dimension: string; value: string; populationCount: number }[];
}

/** The three aggregate tables, computed in DuckDB from member-level joins. */
async function countAttributes(
  db: SqlRunner,
  groupsSql: string,
  dims: readonly Dimension[],
): Promise<Counts> {
  const tag = crypto.randomUUID().replaceAll('-', '').slice(0, 12);
  const g = quoteIdent(`_aff_g_${tag}`);
  const a = quoteIdent(`_aff_a_${tag}`);
  try {
    await db.run(`CREATE TEMP TABLE ${g} AS SELECT DISTINCT member_id, group_id FROM (${groupsSql})`);
    const links = `SELECT l.member_id AS entity_id, l.tp_id, l.confidence
                   FROM id_links l WHERE l.member_id IN (SELECT member_id FROM ${g})`;
    await db.run(`CREATE TEMP TABLE ${a} AS ${attributesSql(links, dims)}`);
    const linkage = await db.rows<Counts['linkage'][number]>(
      `SELECT group_id, count(*) AS members,
              count(*) FILTER (WHERE member_id IN (SELECT member_id FROM id_links)) AS linked
       FROM ${g} GROUP BY group_id ORDER BY group_id`,
    );
    const segment = await db.rows<Counts['segment'][number]>(
      `SELECT g.group_id, a.dimension, a.value, count(*) AS "segmentCount"
       FROM ${a} a JOIN ${g} g ON g.member_id = a.entity_id GROUP BY ALL`,
    );
    const population = await db.rows<Counts['population'][number]>(
      `SELECT dimension, value, count(DISTINCT entity_id) AS "populationCount" FROM ${a} GROUP BY ALL`,
    );
    return { linkage, segment, population };
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${a}`);
    await db.run(`DROP TABLE IF EXISTS ${g}`);
  }
}

/**
 * Joins segment counts to population counts and link rates (arquero: small aggregate tables,
 * treated as immutable values) and derives shares, indexes and intervals. Every (segment,
 * value) pair appears, with a zero count when no member of the segment has the value.
 */
export function affinityFromCounts(counts: Counts, options: ResolvedAffinityOptions): AffinityReport {
  const o = options;
  const z = zFor(o.confidence);
  const totalMembers = counts.linkage.reduce((s, l) => s + l.members, 0);
  const totalLinked = counts.linkage.reduce((s, l) => s + l.linked, 0);
  const bySegment = new Map<string, SegmentAffinity>();
  for (const l of counts.linkage) bySegment.set(l.group_id, segmentOf(l, o));
  for (const r of joinedRows(counts, o)) {
    const seg = bySegment.get(r.group_id)!;
    seg.rows.push(affinityRow(r, seg, totalLinked, o, z));
  }
  for (const s of bySegment.values()) s.rows.sort(rankRows);
  return {
    options: o,
    population: {
      members: totalMembers,
      linked: totalLinked,
      matchRate: totalMembers ? totalLinked / totalMembers : 0,
    },
    segments: [...bySegment.values()],
  };
}

/** One (segment, dimension, value) with the segment's linked members and both counts. */
interface JoinedRow {
  group_id: string;
  linked: number;
  dimension: Dimension;
  value: string;
  populationCount: number;
  segmentCount: number;
}

/** Every segment crossed with every population value, its segment count (0 when absent) joined in. */
function joinedRows(counts: Counts, o: ResolvedAffinityOptions): JoinedRow[] {
  const linkage = aq.from(counts.linkage);
  // Search terms are open-ended: only terms enough people use can ever reach the support rule.
  const population = aq
    .from(counts.population)
    .filter(
      aq.escape(
        (d: { dimension: string; populationCount: number }) =>
          d.dimension !== 'search_term' || d.populationCount >= o.minSupport,
      ),
    );
  const keys = ['group_id', 'dimension', 'value'];
  const joined = linkage
    .cross(population)
    .join_left(aq.from(counts.segment), [keys, keys])
    .derive({ segmentCount: aq.escape((d: { segmentCount?: number }) => d.segmentCount ?? 0) })
    .orderby('group_id', 'dimension', 'value');
  return joined.objects() as JoinedRow[];
}

/** A segment's linkage, with the warning when its affinities are withheld; rows come later. */
function segmentOf(l: Counts['linkage'][number], o: ResolvedAffinityOptions): SegmentAffinity {
  const matchRate = l.members ? l.linked / l.members : 0;
  const s: SegmentAffinity = {
    segmentId: l.group_id,
    members: l.members,
    linked: l.linked,
    matchRate,
    rows: [],
  };
  if (matchRate < o.minMatchRate) {
    s.warning = `only ${(matchRate * 100).toFixed(1)}% of the segment's members link to third-party IDs (minimum ${(o.minMatchRate * 100).toFixed(0)}%): its affinities are withheld`;
  } else if (l.linked < o.minLinked) {
    s.warning = `only ${l.linked} linked members (minimum ${o.minLinked}): its affinities are withheld`;
  }
  return s;
}

/** Shares, index and interval of one value in one segment, or the reason it is suppressed. */
function affinityRow(
  r: JoinedRow,
  seg: SegmentAffinity,
  totalLinked: number,
  o: ResolvedAffinityOptions,
  z: number,
): AffinityRow {
  const populationShare = totalLinked ? r.populationCount / totalLinked : 0;
  const segmentShare = r.linked ? r.segmentCount / r.linked : 0;
  let reason: string | undefined;
  if (seg.matchRate < o.minMatchRate) reason = 'low-match-rate';
  else if (r.linked < o.minLinked) reason = 'too-few-linked-members';
  else if (r.segmentCount < o.minSupport) reason = 'below-min-support';
  const row: AffinityRow = {
    dimension: r.dimension,
    value: r.value,
    segmentCount: r.segmentCount,
    segmentShare,
    populationCount: r.populationCount,
    populationShare,
    index: null,
    ciLow: null,
    ciHigh: null,
    support: r.segmentCount,
    suppressed: reason !== undefined,
  };
  if (reason) row.reason = reason;
  else if (populationShare > 0) {
    const ci = wilson(r.segmentCount, r.linked, z);
    row.index = (segmentShare / populationShare) * 100;
    row.ciLow = (ci.low / populationShare) * 100;
    row.ciHigh = (ci.high / populationShare) * 100;
  }
  return row;
}

/** Shown rows first, by lower bound (then index, dimension, value); suppressed rows after. */
export function rankRows(a: AffinityRow, b: AffinityRow): number {
  if (a.suppressed !== b.suppressed) return a.suppressed ? 1 : -1;
  return (
    (b.ciLow ?? -1) - (a.ciLow ?? -1) ||
    (b.index ?? -1) - (a.index ?? -1) ||
    a.dimension.localeCompare(b.dimension) ||
    a.value.localeCompare(b.value)
  );
}

/**
 * Affinity of any member grouping: per group and per third-party attribute (interest, gender, age
 * band, region, search-phrase term), the group's share of linked members with it over the share
 * among all grouped linked members, x 100. An index is shown only with enough support, and every
 * shown index carries a Wilson interval; rows are ranked by the interval's lower bound.
 *
 * @param db the workspace database
 * @param groupsSql SQL yielding (member_id, group_id), one group per member
 * @param options support rules, confidence and dimensions
 * @returns link rates and ranked rows per group
 * @throws InvalidInputError for out-of-range options
 * @example
 * const r = await groupAffinity(ws.db, `SELECT member_id, gender AS group_id FROM members`, { minSupport: 20 });
 */
export async function groupAffinity(
  db: SqlRunner,
  groupsSql: string,
  options: AffinityOptions = {},
): Promise<AffinityReport> {
  const o = resolveAffinityOptions(options);
  return affinityFromCounts(await countAttributes(db, groupsSql, o.dimensions), o);
}

/** Where segmentations live; kept equal to src/segment/artifact.ts (a test checks). */
export const SEGMENTATION_PREFIX = 'segmentations';
export const ASSIGNMENTS_TABLE = 'segment_assignments';

/**
 * Affinity of the segments of a stored segmentation.
 *
 * @param ws the workspace
 * @param segmentationId a published segmentation (its manifest exists)
 * @param options support rules, confidence and dimensions
 * @throws NotFoundError when the segmentation has no manifest
 * @example
 * const r = await segmentAffinity(ws, 'sgm_20260401_120000_ab12cd', { minSupport: 30 });
 * r.segments[0]?.rows.slice(0, 5);
 */
export async function segmentAffinity(
  ws: Workspace,
  segmentationId: string,
  options: AffinityOptions = {},
): Promise<AffinityReport> {
  if (
    !/^[A-Za-z0-9_-]+$/.test(segmentationId) ||
    !(await ws.artifacts.get(`${SEGMENTATION_PREFIX}/${segmentationId}/manifest.json`))
  ) {
    throw new NotFoundError('segmentation', segmentationId, 'list them with listSegmentations');
  }
  return groupAffinity(
    ws.db,
    `SELECT member_id, segment_id AS group_id FROM ${quoteIdent(ASSIGNMENTS_TABLE)}
     WHERE segmentation_id = ${quoteLiteral(segmentationId)}`,
    options,
  );
}
