import {
  type AffinityOptions,
  groupAffinity,
  type ResolvedAffinityOptions,
  resolveAffinityOptions,
  siteVisitorComparison,
} from '../enrich/index.ts';
import { type CategoryLevel, computeMemberFeatures, type MemberFeatureMatrix } from '../features/index.ts';
import { InsufficientDataError, InvalidInputError } from '../schema/index.ts';
import { quoteIdent, quoteLiteral, type Workspace } from '../store/index.ts';
import {
  ASSIGNMENTS_TABLE,
  cleanOrphanAssignments,
  deleteAssignments,
  ensureAssignmentsTable,
  markInFlight,
  newSegmentationId,
  SEGMENTATION_PREFIX,
  SEGMENTATION_VERSION,
  type SegmentationManifest,
} from './artifact.ts';
import { fitSegments, type SegmentFitInput, type SegmentFitOutput } from './fit.ts';
import { growthGrid } from './grid.ts';
import { paretoOf } from './pareto.ts';
import { orderClusters, profileSegments, segmentIdOf } from './profile.ts';
import { BLOCK_WEIGHTS, fitTransform } from './transform.ts';

export const DEFAULT_K_RANGE: [number, number] = [3, 15];

export interface SegmentationOptions {
  /** A fixed number of segments; otherwise chosen by the data over `kRange`. */
  k?: number;
  /**
   * Candidate k, inclusive. Default [3, 15], capped so segments average at least 10 members. The
   * floor is 3 because silhouette favours k = 2 on weakly structured data (real baskets), and a
   * two-way split is not a segmentation a marketer can act on; pass [2, n] to allow it.
   */
  kRange?: [number, number];
  /** Only purchases before this day (YYYY-MM-DD). Default: all data. */
  asOf?: string;
  /** Seed of every random choice. Default 1. */
  seed?: number;
  categoryLevel?: CategoryLevel;
  /** Members the final fit is seeded on before all members refine it. Default 10,000. */
  sampleSize?: number;
  /** Starts of the final fit (each seeded and fitted on the sample; the best is refined). Default 8. */
  nInit?: number;
  /** Share of members flagged important (top by sales). Default 0.2. */
  importantShare?: number;
  /** Affinity rules, or false to skip third-party enrichment. */
  affinity?: AffinityOptions | false;
  /** Fewest members with purchases a segmentation accepts. Default 30. */
  minMembers?: number;
}

export interface SegmentationHooks {
  progress?: (fraction: number, message: string) => void;
  /**
   * Runs the fit, e.g. in a worker thread (`pool.run('segment-fit', input, [input.values.buffer])`).
   * The input is the caller's to keep or transfer. Default: `fitSegments` in this thread.
   */
  runKmeans?: (input: SegmentFitInput) => Promise<SegmentFitOutput>;
}

const MIN_PER_SEGMENT = 10;

function resolve(o: SegmentationOptions) {
  const seed = o.seed ?? 1;
  if (!Number.isSafeInteger(seed))
    throw new InvalidInputError(`seed must be an integer, got ${seed}`, 'seed');
  if (o.k !== undefined && (!Number.isInteger(o.k) || o.k < 2)) {
    throw new InvalidInputError(`k must be a whole number >= 2, got ${o.k}`, 'k');
  }
  const kRange = o.kRange ?? DEFAULT_K_RANGE;
  if (
    !Array.isArray(kRange) ||
    kRange.length !== 2 ||
    !Number.isInteger(kRange[0]) ||
    !Number.isInteger(kRange[1]) ||
    kRange[0] < 2 ||
    kRange[1] < kRange[0]
  ) {
    throw new InvalidInputError(
      `kRange must be [min, max] whole numbers with 2 <= min <= max, got ${JSON.stringify(kRange)}`,
      'kRange',
    );
  }
  const sampleSize = o.sampleSize ?? 10_000;
  if (!Number.isInteger(sampleSize) || sampleSize < 100) {
    throw new InvalidInputError(`sampleSize must be a whole number >= 100, got ${sampleSize}`, 'sampleSize');
  }
  const nInit = o.nInit ?? 8;
  if (!Number.isInteger(nInit) || nInit < 1)
    throw new InvalidInputError(`nInit must be a whole number >= 1, got ${nInit}`, 'nInit');
  const importantShare = o.importantShare ?? 0.2;
  if (!(importantShare > 0 && importantShare <= 1)) {
    throw new InvalidInputError(`importantShare must be in (0, 1], got ${importantShare}`, 'importantShare');
  }
  const minMembers = o.minMembers ?? 30;
  const affinity: ResolvedAffinityOptions | false =
    o.affinity === false ? false : resolveAffinityOptions(o.affinity ?? {});
  return {
    seed,
    k: o.k,
    kRange: [kRange[0], kRange[1]] as [number, number],
    sampleSize,
    nInit,
    importantShare,
    minMembers,
    affinity,
  };
}

/**
 * SHA-256 of the matrix (its meaning, member ids and values) with Web Crypto, which Node and
 * Workers both have; one contiguous buffer, since `subtle.digest` does not stream.
 */
async function fingerprint(m: MemberFeatureMatrix): Promise<string> {
  const encoder = new TextEncoder();
  const meaning = encoder.encode(
    JSON.stringify({
      asOf: m.asOf,
      since: m.since ?? null,
      level: m.categoryLevel,
      features: m.featureNames,
    }),
  );
  const ids = encoder.encode(m.memberIds.join('\n'));
  const values = new Uint8Array(m.values.buffer, m.values.byteOffset, m.values.byteLength);
  const all = new Uint8Array(meaning.length + ids.length + values.length);
  all.set(meaning);
  all.set(ids, meaning.length);
  all.set(values, meaning.length + ids.length);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
  return `sha256:${Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Segments the workspace's members by how they buy: member features as of a date, log and
 * z-score transform with block weights, k chosen by sample silhouette (unless given), k-means
 * fitted on a sample and refined on everyone, then profiles and names, the Pareto summary and
 * important-member flag, the growth grid, and third-party affinity. Assignment rows are written
 * in one transaction, then the manifest is published; on any failure nothing is left behind.
 *
 * @param ws the workspace
 * @param options k or kRange, as-of date, seed, category level, sample size
 * @param hooks progress reporting and an optional off-thread fit
 * @returns the published manifest
 * @throws InsufficientDataError when the workspace has too few members with purchases, or none
 *   before `asOf`
 * @throws InvalidInputError for bad options, or k larger than the number of members
 * @example
 * const m = await runSegmentation(ws, { kRange: [2, 12], seed: 7 });
 * m.segments.map((s) => `${s.segmentId} ${s.nameJa} ${s.size}`);
 */
export async function runSegmentation(
  ws: Workspace,
  options: SegmentationOptions = {},
  hooks: SegmentationHooks = {},
): Promise<SegmentationManifest> {
  const started = performance.now();
  const o = resolve(options);
  const progress = hooks.progress ?? (() => undefined);
  await cleanOrphanAssignments(ws);
  progress(0.02, 'computing member features');
  const { features, kRange } = await memberFeaturesFor(ws, options, o);
  progress(0.1, 'fitting segments');
  const fitted = await fitAndProfile(features, kRange, o, hooks, progress);
  const id = newSegmentationId();
  const done = markInFlight(id);
  try {
    progress(0.78, 'writing assignments');
    await writeAssignments(ws, id, features.memberIds, fitted);
    const enrichment = await enrich(ws, id, o, progress);
    const manifest = await manifestOf(ws, id, features, fitted, enrichment, o, kRange, started);
    progress(0.97, 'publishing');
    await ws.artifacts.publish(`${SEGMENTATION_PREFIX}/${id}`, {
      'manifest.json': `${JSON.stringify(manifest, null, 2)}\n`,
    });
    progress(1, 'done');
    return manifest;
  } catch (err) {
    await deleteAssignments(ws.db, id).catch(() => undefined);
    throw err;
  } finally {
    done();
  }
}

type Resolved = ReturnType<typeof resolve>;

/** Member features as of the day, with the checks that need the member count. */
async function memberFeaturesFor(
  ws: Workspace,
  options: SegmentationOptions,
  o: Resolved,
): Promise<{ features: MemberFeatureMatrix; kRange: [number, number] }> {
  const features = await computeMemberFeatures(ws.db, {
    ...(options.asOf !== undefined ? { asOf: options.asOf } : {}),
    ...(options.categoryLevel !== undefined ? { categoryLevel: options.categoryLevel } : {}),
  });
  const n = features.rows;
  if (n < o.minMembers) {
    throw new InsufficientDataError(
      `a segmentation needs at least ${o.minMembers} members with purchases before ${features.asOf}; the workspace has ${n}`,
      'members',
    );
  }
  if (o.k !== undefined && o.k > n) {
    throw new InvalidInputError(`k (${o.k}) is larger than the number of members with purchases (${n})`, 'k');
  }
  const kRange: [number, number] = [o.kRange[0], Math.min(o.kRange[1], Math.floor(n / MIN_PER_SEGMENT))];
  if (o.k === undefined && kRange[1] < kRange[0]) {
    throw new InsufficientDataError(
      `choosing k from ${o.kRange[0]} needs at least ${o.kRange[0] * MIN_PER_SEGMENT} members (${MIN_PER_SEGMENT} per segment); the workspace has ${n}`,
      'kRange',
    );
  }
  return { features, kRange };
}

interface Fitted {
  fit: SegmentFitOutput;
  transform: ReturnType<typeof fitTransform>['transform'];
  k: number;
  /** Segment index per member, ordered so segment 1 has the most sales. */
  labels: Int32Array;
  segmentOf: string[];
  centroidsScaled: number[][];
  pareto: ReturnType<typeof paretoOf>;
  segments: SegmentationManifest['segments'];
  grid: ReturnType<typeof growthGrid>;
}

/** Transform, k-means (here or off-thread), then segments ordered by sales, profiles, Pareto and grid. */
async function fitAndProfile(
  features: MemberFeatureMatrix,
  kRange: [number, number],
  o: Resolved,
  hooks: SegmentationHooks,
  progress: (fraction: number, message: string) => void,
): Promise<Fitted> {
  const n = features.rows;
  const { transform, scaled } = fitTransform(
    { values: features.values, rows: n, cols: features.cols },
    features.featureNames,
    features.featureKinds,
    features.featureGroups,
  );
  const input: SegmentFitInput = {
    values: scaled.values,
    rows: n,
    cols: features.cols,
    kRange,
    seed: o.seed,
    sampleSize: o.sampleSize,
    nInit: o.nInit,
  };
  if (o.k !== undefined) input.k = o.k;
  const fit = hooks.runKmeans
    ? await hooks.runKmeans(input)
    : fitSegments(input, (f) => progress(0.1 + 0.6 * f, 'fitting segments'));
  progress(0.72, 'profiling segments');
  const k = fit.k;
  const rank = orderClusters(fit.labels, k, features.sales);
  const labels = Int32Array.from(fit.labels, (c) => rank[c]!);
  const centroidsScaled: number[][] = new Array(k);
  for (let c = 0; c < k; c++)
    centroidsScaled[rank[c]!] = Array.from(
      fit.centroids.subarray(c * features.cols, (c + 1) * features.cols),
    );
  const pareto = paretoOf(features.sales, o.importantShare);
  const segments = profileSegments(features, transform, labels, k, pareto.important);
  const segmentOf = Array.from(labels, (l) => segmentIdOf(l, k));
  const col = (name: string) => {
    const c = features.featureNames.indexOf(name);
    return Float64Array.from({ length: n }, (_, i) => features.values[i * features.cols + c]!);
  };
  const grid = growthGrid(col('frequency'), col('category_breadth'), features.sales, segmentOf);
  return { fit, transform, k, labels, segmentOf, centroidsScaled, pareto, segments, grid };
}

/** One assignment row per member, in one transaction. */
async function writeAssignments(ws: Workspace, id: string, memberIds: string[], f: Fitted): Promise<void> {
  await ensureAssignmentsTable(ws.db);
  await ws.db.transaction((tx) =>
    tx.append(ASSIGNMENTS_TABLE, [
      new Array<string>(memberIds.length).fill(id),
      memberIds,
      f.segmentOf,
      Array.from(f.pareto.important, (x) => x === 1),
      f.grid.frequencyBand,
      f.grid.breadthBand,
    ]),
  );
}

/** Third-party affinity of the new segments and the site-visitor comparison, where the data allow. */
async function enrich(
  ws: Workspace,
  id: string,
  o: Resolved,
  progress: (fraction: number, message: string) => void,
): Promise<Pick<SegmentationManifest, 'affinity' | 'siteVisitors'>> {
  const counts = await ws.rowCounts();
  let affinity: SegmentationManifest['affinity'] = null;
  let siteVisitors: SegmentationManifest['siteVisitors'] = null;
  if (o.affinity !== false && counts.id_links > 0) {
    progress(0.85, 'third-party affinity');
    affinity = await groupAffinity(
      ws.db,
      `SELECT member_id, segment_id AS group_id FROM ${quoteIdent(ASSIGNMENTS_TABLE)} WHERE segmentation_id = ${quoteLiteral(id)}`,
      o.affinity,
    );
  }
  if (o.affinity !== false && counts.site_visits > 0) {
    progress(0.92, 'site visitors');
    siteVisitors = await siteVisitorComparison(ws, o.affinity);
  }
  return { affinity, siteVisitors };
}

async function manifestOf(
  ws: Workspace,
  id: string,
  features: MemberFeatureMatrix,
  f: Fitted,
  enrichment: Pick<SegmentationManifest, 'affinity' | 'siteVisitors'>,
  o: Resolved,
  kRange: [number, number],
  started: number,
): Promise<SegmentationManifest> {
  const n = features.rows;
  const [span] = await ws.db.rows<{ lines: number; first: string | null; last: string | null }>(
    `SELECT count(*) AS lines, min(ts)::DATE::VARCHAR AS first, max(ts)::DATE::VARCHAR AS last FROM transactions
     WHERE member_id IS NOT NULL AND ts < DATE ${quoteLiteral(features.asOf)}`,
  );
  return {
    kind: 'segmentation',
    version: SEGMENTATION_VERSION,
    id,
    createdAt: new Date().toISOString(),
    dataFingerprint: await fingerprint(features),
    data: {
      members: n,
      asOf: features.asOf,
      since: features.since ?? null,
      categoryLevel: features.categoryLevel,
      transactionLines: span?.lines ?? 0,
      firstDay: span?.first ?? null,
      lastDay: span?.last ?? null,
    },
    params: {
      seed: o.seed,
      requestedK: o.k ?? null,
      kRange,
      k: f.k,
      sampleSize: o.sampleSize,
      nInit: o.nInit,
      blockWeights: { ...BLOCK_WEIGHTS },
      featureNames: features.featureNames,
      kSelection: f.fit.selection,
    },
    metrics: {
      inertia: f.fit.inertia,
      inertiaPerMember: f.fit.inertia / n,
      iterations: f.fit.iterations,
      converged: f.fit.converged,
      seconds: (performance.now() - started) / 1000,
    },
    transform: f.transform,
    centroidsScaled: f.centroidsScaled,
    segments: f.segments,
    pareto: f.pareto.summary,
    grid: f.grid.grid,
    ...enrichment,
  };
}
