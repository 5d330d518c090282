/**
 * The persisted segmentation: `segmentations/<id>/manifest.json` in the artifact store and one
 * row per member in the `segment_assignments` table. Rows are written (in one transaction)
 * before the manifest is published, and readers treat a segmentation as existing only when its
 * manifest does, so a crash between the two leaves orphan rows that the next run removes, never
 * a segmentation without members.
 */
import type { AffinityReport, SiteVisitorComparison } from '../enrich/index.ts';
import { NotFoundError } from '../schema/index.ts';
import { getJson, quoteIdent, quoteLiteral, type SqlRunner, type Workspace } from '../store/index.ts';
import type { GrowthGrid } from './grid.ts';
import type { ParetoSummary } from './pareto.ts';
import type { SegmentProfile } from './profile.ts';
import type { KSelection } from './select-k.ts';
import type { FeatureTransform } from './transform.ts';

export const SEGMENTATION_PREFIX = 'segmentations';
export const ASSIGNMENTS_TABLE = 'segment_assignments';
/** Bumped when the manifest's shape changes incompatibly. */
export const SEGMENTATION_VERSION = 1;

export interface SegmentationManifest {
  kind: 'segmentation';
  version: number;
  id: string;
  createdAt: string;
  /** sha256 of the feature matrix (member ids, values, window, category level): same data, same print. */
  dataFingerprint: string;
  data: {
    members: number;
    asOf: string;
    since: string | null;
    categoryLevel: 1 | 2 | 3;
    transactionLines: number;
    firstDay: string | null;
    lastDay: string | null;
  };
  params: {
    seed: number;
    /** The k asked for, or null when it was chosen from `kRange`. */
    requestedK: number | null;
    kRange: [number, number];
    k: number;
    sampleSize: number;
    nInit: number;
    blockWeights: Record<string, number>;
    featureNames: string[];
    /** Per-k silhouette figures when k was chosen by the data. */
    kSelection: KSelection | null;
  };
  metrics: {
    inertia: number;
    inertiaPerMember: number;
    iterations: number;
    converged: boolean;
    seconds: number;
  };
  /** Enough to place new members: transform them, then take the nearest `centroidsScaled` row. */
  transform: FeatureTransform;
  centroidsScaled: number[][];
  segments: SegmentProfile[];
  pareto: ParetoSummary;
  grid: GrowthGrid;
  /** Null when the workspace has no identity links. */
  affinity: AffinityReport | null;
  /** Null when the workspace has no site visits. */
  siteVisitors: SiteVisitorComparison | null;
}

export interface SegmentationSummary {
  id: string;
  createdAt: string;
  k: number;
  members: number;
  asOf: string;
  dataFingerprint: string;
  segments: { segmentId: string; nameJa: string; nameEn: string; size: number }[];
}

const ID_PATTERN = /^sgm_[A-Za-z0-9_-]+$/;

/** A new id that sorts by creation time: `sgm_20260401_120000_ab12cd`. */
export function newSegmentationId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
  return `sgm_${stamp}_${crypto.randomUUID().slice(0, 6)}`;
}

export async function ensureAssignmentsTable(db: SqlRunner): Promise<void> {
  await db.run(
    `CREATE TABLE IF NOT EXISTS ${quoteIdent(ASSIGNMENTS_TABLE)} (segmentation_id VARCHAR, member_id VARCHAR,
       segment_id VARCHAR, important BOOLEAN, frequency_band VARCHAR, breadth_band VARCHAR)`,
  );
}

/** Segmentations being written by this process: their rows are not orphans yet. */
const inFlight = new Set<string>();

export function markInFlight(id: string): () => void {
  inFlight.add(id);
  return () => inFlight.delete(id);
}

/**
 * Deletes assignment rows whose segmentation has no manifest (a run that crashed or failed
 * between writing rows and publishing), except runs still in progress in this process.
 * @returns the segmentation ids cleaned
 */
export async function cleanOrphanAssignments(ws: Workspace): Promise<string[]> {
  await ensureAssignmentsTable(ws.db);
  const ids = await ws.db.rows<{ id: string }>(
    `SELECT DISTINCT segmentation_id AS id FROM ${quoteIdent(ASSIGNMENTS_TABLE)} ORDER BY 1`,
  );
  const cleaned: string[] = [];
  for (const { id } of ids) {
    if (inFlight.has(id)) continue;
    if (ID_PATTERN.test(id) && (await ws.artifacts.get(manifestKey(id)))) continue;
    await deleteAssignments(ws.db, id);
    cleaned.push(id);
  }
  return cleaned;
}

export async function deleteAssignments(db: SqlRunner, id: string): Promise<void> {
  await db.run(`DELETE FROM ${quoteIdent(ASSIGNMENTS_TABLE)} WHERE segmentation_id = ${quoteLiteral(id)}`);
}

function manifestKey(id: string): string {
  return `${SEGMENTATION_PREFIX}/${id}/manifest.json`;
}

/**
 * Every published segmentation, newest first.
 * @example
 * (await listSegmentations(ws)).map((s) => s.id); // ['sgm_20260401_120000_ab12cd', ...]
 */
export async function listSegmentations(ws: Workspace): Promise<SegmentationSummary[]> {
  const keys = (await ws.artifacts.list(`${SEGMENTATION_PREFIX}/`)).filter((k) =>
    /^segmentations\/[^/]+\/manifest\.json$/.test(k),
  );
  const out: SegmentationSummary[] = [];
  for (const key of keys) {
    const m = await getJson<SegmentationManifest>(ws.artifacts, key);
    if (m?.kind !== 'segmentation') continue;
    out.push({
      id: m.id,
      createdAt: m.createdAt,
      k: m.params.k,
      members: m.data.members,
      asOf: m.data.asOf,
      dataFingerprint: m.dataFingerprint,
      segments: m.segments.map((s) => ({
        segmentId: s.segmentId,
        nameJa: s.nameJa,
        nameEn: s.nameEn,
        size: s.size,
      })),
    });
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
}

/**
 * A published segmentation's manifest.
 * @throws NotFoundError when no manifest exists under that id
 * @example
 * const m = await loadSegmentation(ws, 'sgm_20260401_120000_ab12cd');
 * m.segments.map((s) => s.nameJa);
 */
export async function loadSegmentation(ws: Workspace, id: string): Promise<SegmentationManifest> {
  const m = ID_PATTERN.test(id) ? await getJson<SegmentationManifest>(ws.artifacts, manifestKey(id)) : null;
  if (!m)
    throw new NotFoundError(
      'segmentation',
      id,
      'list them with listSegmentations or `lookalike segmentations`',
    );
  return m;
}

/**
 * Member ids of one segment, sorted.
 * @throws NotFoundError when the segmentation or the segment does not exist
 * @example
 * const ids = await segmentMemberIds(ws, 'sgm_20260401_120000_ab12cd', 'seg_01');
 */
export async function segmentMemberIds(
  ws: Workspace,
  segmentationId: string,
  segmentId: string,
): Promise<string[]> {
  const m = await loadSegmentation(ws, segmentationId);
  if (!m.segments.some((s) => s.segmentId === segmentId)) {
    throw new NotFoundError(
      'segment',
      segmentId,
      `segmentation ${segmentationId} has ${m.segments.map((s) => s.segmentId).join(', ')}`,
    );
  }
  const out = await ws.db.columns(
    `SELECT member_id FROM ${quoteIdent(ASSIGNMENTS_TABLE)}
     WHERE segmentation_id = $sid AND segment_id = $seg ORDER BY member_id`,
    { sid: segmentationId, seg: segmentId },
  );
  return (out.columns[0] ?? []) as string[];
}
