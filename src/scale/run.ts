/**
 * A scoring run over a universe snapshot, as files in the artifact store under
 * `scale-runs/<runId>/`, so any executor (worker threads here, Queue consumers on Cloudflare)
 * does the same steps with the same code and every step's result is a file named by the step:
 *
 *   plan.json, model.json + model.bin, calibration.bin, exclude/NNNNN.ids   written by `planRun`
 *   logits/NNNNN.bin  per shard: logits (left-out rows NaN)                `runShardPass` pass 1
 *   pass1/NNNNN.bin   per shard: score histogram and top list (small)     `runShardPass` pass 1
 *   cut.json          merged histogram -> the frontier and the member cut   `mergePass1`
 *   pass2/NNNNN.bin   per shard: rows above the cut and at its bin          `runShardPass` pass 2
 *   members.arrow     the audience in rank order                           `assembleMembers`
 *   attempts/, dead/  failed attempts and shards that ran out of retries
 *
 * A shard step whose result exists does nothing, and a rerun writes the same bytes: results are
 * idempotent, so redelivered and retried messages are harmless. Pure TypeScript.
 */

import { Frontier, type FrontierPoint, type FrontierSummary } from '../audience/frontier.ts';
import { buildCalibration, type CalibrationData } from '../lookalike/calibration.ts';
import type { FeatureSpec } from '../lookalike/feature-spec.ts';
import { type PortableModel, sigmoid } from '../lookalike/kernel.ts';
import {
  type PortableManifest,
  portableModelFromFiles,
  portableModelToFiles,
} from '../lookalike/portable.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../schema/index.ts';
import type { ArtifactStore } from '../store/artifacts.ts';
import { type ColumnsFile, CorruptFileError, column, decodeColumns, encodeColumns } from './columns-file.ts';
import {
  compareIdStrings,
  concatIds,
  encodeIds,
  findId,
  gatherIds,
  type IdBytes,
  idsAt,
  sortIdStrings,
} from './ids-column.ts';
import { RankedHistogram } from './ranked-histogram.ts';
import { BINS, keysOf, logitOf } from './score-keys.ts';
import { shardLogits } from './shard-codec.ts';
import { readShardCoded, readShardIds, readSnapshotManifest, type SnapshotManifest } from './snapshot.ts';

export const RUN_PREFIX = 'scale-runs';
/** Exact top logits each shard reports (and the merge keeps): the frontier is exact above them. */
export const TOP_LIST = 1024;

export interface RunPlan {
  kind: 'scale-run';
  version: 1;
  runId: string;
  snapshot: string;
  shards: number;
  /** Audience size of the member pass (clamped to the rows scored). */
  targetSize: number;
  /** Frontier grid points written with the cut. */
  frontierSteps: number;
  excluded: number;
  createdAt: string;
}

/** One unit of work: a pass over one shard. Queue messages carry exactly this. */
export interface ShardMessage {
  runId: string;
  pass: 1 | 2;
  shard: number;
}

/** The merge's answer: the frontier and where the audience's last member falls. */
export interface RunCut {
  scored: number;
  targetSize: number;
  /** Histogram bin of the last member; rows in higher bins are all in. */
  bin: number;
  /** Rows in higher bins. */
  above: number;
  /** Rows to take from the bin (highest logit first, then lowest row). */
  need: number;
  frontier: { summary: FrontierSummary; target: FrontierPoint; points: FrontierPoint[] };
}

export interface PlanRunInput {
  runId: string;
  snapshot: SnapshotManifest;
  model: PortableModel;
  calibration: CalibrationData;
  /** IDs left out of the scores (seed, negatives, opt-outs, customers, ...), any order. */
  excludedIds: readonly string[];
  targetSize: number;
  frontierSteps?: number;
  now?: () => number;
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const pad = (i: number) => String(i).padStart(5, '0');
export const runKey = (runId: string, name: string) => `${RUN_PREFIX}/${runId}/${name}`;
const passKey = (runId: string, pass: 1 | 2, shard: number) => runKey(runId, `pass${pass}/${pad(shard)}.bin`);
const logitsKey = (runId: string, shard: number) => runKey(runId, `logits/${pad(shard)}.bin`);
const decoder = new TextDecoder();

function modelFiles(model: PortableModel): {
  manifest: PortableManifest & { spec: FeatureSpec };
  weights: Uint8Array;
} {
  const { layers, weights } = portableModelToFiles(model);
  return { manifest: { architecture: model.architecture, layers, spec: model.spec }, weights };
}

/**
 * Writes a run's plan: the model, its calibration and the exclusions split by shard. Returns the
 * first pass's messages (one per shard) for the executor to send.
 *
 * @throws InvalidInputError for a bad run ID, a model whose spec differs from the snapshot's, or
 * a target size below 1.
 */
export async function planRun(store: ArtifactStore, input: PlanRunInput): Promise<ShardMessage[]> {
  const { runId, snapshot, model } = input;
  if (!RUN_ID.test(runId)) {
    throw new InvalidInputError(
      `run id "${runId}" is not valid: use 1-100 letters, digits, "_", "-" or "."`,
      'runId',
    );
  }
  if (JSON.stringify(model.spec) !== JSON.stringify(snapshot.spec)) {
    throw new InvalidInputError(
      `the model's feature spec differs from snapshot ${snapshot.key}'s: build a snapshot for this spec`,
      'snapshot',
    );
  }
  if (!Number.isInteger(input.targetSize) || input.targetSize < 1) {
    throw new InvalidInputError(
      `targetSize must be a whole number >= 1, got ${input.targetSize}`,
      'targetSize',
    );
  }
  // Results are reused by name: a second plan under one run ID would mix two runs' shards.
  if (await store.get(runKey(runId, 'plan.json'))) {
    throw new ConflictError(`scale run "${runId}" already exists: choose a new run id`, 'runId');
  }
  const files = modelFiles(model);
  await store.put(runKey(runId, 'model.json'), JSON.stringify(files.manifest));
  await store.put(runKey(runId, 'model.bin'), files.weights);
  const c = input.calibration;
  await store.put(
    runKey(runId, 'calibration.bin'),
    encodeColumns(
      { replicates: c.replicates, seed: c.seed, confidence: c.confidence, delta: c.delta },
      { heldOut: c.heldOut, heldOutWeights: c.heldOutWeights, unlabelled: c.unlabelled },
    ),
  );
  // Exclusions by shard: each shard holds the IDs between its first and last (byte order).
  const sorted = sortIdStrings(input.excludedIds);
  let k = 0;
  for (const shard of snapshot.shards) {
    const mine: string[] = [];
    while (k < sorted.length && compareIdStrings(sorted[k]!, shard.firstId) < 0) k++;
    while (k < sorted.length && compareIdStrings(sorted[k]!, shard.lastId) <= 0) mine.push(sorted[k++]!);
    if (!mine.length) continue;
    const col = encodeIds(mine);
    await store.put(
      runKey(runId, `exclude/${pad(shard.index)}.ids`),
      encodeColumns({}, { offsets: col.offsets, bytes: col.bytes }),
    );
  }
  const plan: RunPlan = {
    kind: 'scale-run',
    version: 1,
    runId,
    snapshot: snapshot.key,
    shards: snapshot.shards.length,
    targetSize: input.targetSize,
    frontierSteps: input.frontierSteps ?? 50,
    excluded: sorted.length,
    createdAt: new Date((input.now ?? Date.now)()).toISOString(),
  };
  // The plan last: a run is visible to consumers only once everything it names is written.
  await store.put(runKey(runId, 'plan.json'), JSON.stringify(plan));
  return messagesFor(plan, 1);
}

/** The messages of one pass of a run. */
export function messagesFor(plan: RunPlan, pass: 1 | 2): ShardMessage[] {
  return Array.from({ length: plan.shards }, (_, shard) => ({ runId: plan.runId, pass, shard }));
}

/** What a step needs, loaded once per run and isolate (plans, models and snapshots are immutable). */
interface RunContext {
  plan: RunPlan;
  snapshot: SnapshotManifest;
  model: PortableModel;
}
const contexts = new Map<string, Promise<RunContext>>();

async function getOrThrow(store: ArtifactStore, key: string, what: string): Promise<Uint8Array> {
  const bytes = await store.get(key);
  if (!bytes) throw new NotFoundError(what, key);
  return bytes;
}

/** A run's plan. */
export async function readPlan(store: ArtifactStore, runId: string): Promise<RunPlan> {
  return JSON.parse(
    decoder.decode(await getOrThrow(store, runKey(runId, 'plan.json'), 'scale run')),
  ) as RunPlan;
}

function context(store: ArtifactStore, runId: string): Promise<RunContext> {
  let ctx = contexts.get(runId);
  if (!ctx) {
    ctx = (async () => {
      const plan = await readPlan(store, runId);
      const snapshot = await readSnapshotManifest(store, plan.snapshot);
      if (!snapshot) throw new NotFoundError('universe snapshot', plan.snapshot);
      const manifest = JSON.parse(
        decoder.decode(await getOrThrow(store, runKey(runId, 'model.json'), 'run model')),
      ) as PortableManifest & {
        spec: FeatureSpec;
      };
      const weights = await getOrThrow(store, runKey(runId, 'model.bin'), 'run model weights');
      return { plan, snapshot, model: portableModelFromFiles(manifest, manifest.spec, weights) };
    })();
    ctx.catch(() => contexts.delete(runId));
    if (contexts.size >= 8) contexts.delete(contexts.keys().next().value!);
    contexts.set(runId, ctx);
  }
  return ctx;
}

/**
 * Runs one pass over one shard and writes its result (nothing to do if the result exists).
 *
 * @returns whether this call wrote the result.
 * @throws Error when the shard's files are missing or corrupt (the executor retries).
 */
export async function runShardPass(store: ArtifactStore, msg: ShardMessage): Promise<boolean> {
  const key = passKey(msg.runId, msg.pass, msg.shard);
  if (readIntact(await store.get(key), key)) return false;
  const ctx = await context(store, msg.runId);
  if (!Number.isInteger(msg.shard) || msg.shard < 0 || msg.shard >= ctx.plan.shards) {
    throw new InvalidInputError(
      `run ${msg.runId} has shards 0-${ctx.plan.shards - 1}, got ${msg.shard}`,
      'shard',
    );
  }
  await store.put(
    key,
    msg.pass === 1 ? await pass1(store, ctx, msg.shard) : await pass2(store, ctx, msg.shard),
    RECOMPUTABLE,
  );
  return true;
}

/**
 * Step results are recomputed rather than flushed to disk: a machine crash can leave one empty
 * or cut short, and such a result counts as not done, so the step runs again.
 */
const RECOMPUTABLE = { durable: false } as const;

/** The file `bytes` decoded, or null when absent or cut short. */
function readIntact(bytes: Uint8Array | null, name: string): ColumnsFile<unknown> | null {
  if (!bytes) return null;
  try {
    return decodeColumns(bytes, name);
  } catch (err) {
    if (err instanceof CorruptFileError) return null;
    throw err;
  }
}

/** Pass 1: logits (left-out rows NaN), a histogram of their keys and the exact top list. */
async function pass1(store: ArtifactStore, ctx: RunContext, index: number): Promise<Uint8Array> {
  const { entry, x } = await readShardCoded(store, ctx.snapshot, index);
  const logits = new Float32Array(entry.rows);
  shardLogits(ctx.model, x, logits);
  let excluded = 0;
  const ex = await store.get(runKey(ctx.plan.runId, `exclude/${pad(index)}.ids`));
  if (ex) {
    const name = `exclusions of shard ${index}`;
    const file = decodeColumns(ex, name);
    const drop: IdBytes = {
      offsets: column(file, 'offsets', Int32Array, name),
      bytes: column(file, 'bytes', Uint8Array, name),
    };
    const ids = await readShardIds(store, ctx.snapshot, index);
    for (let i = 0; i + 1 < drop.offsets.length; i++) {
      const r = findId(ids, drop.bytes.subarray(drop.offsets[i]!, drop.offsets[i + 1]!));
      if (r >= 0 && !Number.isNaN(logits[r]!)) {
        logits[r] = Number.NaN;
        excluded++;
      }
    }
  }
  const keys = keysOf(logits);
  const hist = new Uint32Array(BINS);
  for (let i = 0; i < keys.length; i++) if (keys[i] !== 0) hist[keys[i]! >>> 16]!++;
  const bins: number[] = [];
  const counts: number[] = [];
  for (let b = 1; b < BINS; b++) {
    if (!hist[b]) continue;
    bins.push(b);
    counts.push(hist[b]!);
  }
  const top = topOf(keys, hist, TOP_LIST);
  // The logits first: the summary's presence marks the step done, and the merge reads only
  // summaries (a few KB each instead of a MB of logits).
  await store.put(
    logitsKey(ctx.plan.runId, index),
    encodeColumns({ shard: index }, { logits }),
    RECOMPUTABLE,
  );
  return encodeColumns(
    { shard: index, rows: entry.rows, scored: entry.rows - excluded, excluded },
    {
      bins: Uint16Array.from(bins),
      counts: Uint32Array.from(counts),
      topKeys: Uint32Array.from(top, (r) => keys[r]!),
      topRows: Int32Array.from(top, (r) => entry.firstRow + r),
    },
  );
}

/** Rows of the `k` largest non-zero keys (key descending, then row ascending), using the histogram to skip the rest. */
function topOf(keys: Uint32Array, hist: Uint32Array, k: number): number[] {
  let lowest = BINS - 1;
  for (let seen = 0; lowest > 1; lowest--) {
    seen += hist[lowest]!;
    if (seen >= k) break;
  }
  const rows: number[] = [];
  for (let i = 0; i < keys.length; i++) if (keys[i] !== 0 && keys[i]! >>> 16 >= lowest) rows.push(i);
  rows.sort((a, b) => keys[b]! - keys[a]! || a - b);
  return rows.slice(0, k);
}

interface Pass1File {
  meta: { shard: number; rows: number; scored: number; excluded: number };
  bins: Uint16Array;
  counts: Uint32Array;
  topKeys: Uint32Array;
  topRows: Int32Array;
}

async function readPass1(store: ArtifactStore, runId: string, shard: number): Promise<Pass1File> {
  const name = passKey(runId, 1, shard);
  const f = decodeColumns<Pass1File['meta']>(await getOrThrow(store, name, 'pass 1 result'), name);
  return {
    meta: f.meta,
    bins: column(f, 'bins', Uint16Array, name),
    counts: column(f, 'counts', Uint32Array, name),
    topKeys: column(f, 'topKeys', Uint32Array, name),
    topRows: column(f, 'topRows', Int32Array, name),
  };
}

async function readCalibration(store: ArtifactStore, runId: string): Promise<CalibrationData> {
  const name = runKey(runId, 'calibration.bin');
  const f = decodeColumns<{ replicates: number; seed: number; confidence: number; delta: number }>(
    await getOrThrow(store, name, 'run calibration'),
    name,
  );
  return {
    ...f.meta,
    heldOut: column(f, 'heldOut', Float32Array, name).slice(),
    heldOutWeights: column(f, 'heldOutWeights', Float32Array, name).slice(),
    unlabelled: column(f, 'unlabelled', Float32Array, name).slice(),
  };
}

/**
 * Merges every shard's histogram and top list into the frontier and the cut of the member pass,
 * and writes `cut.json` (the same bytes whoever runs it).
 *
 * @throws NotFoundError when a shard's pass 1 result is missing.
 */
export async function mergePass1(store: ArtifactStore, runId: string): Promise<RunCut> {
  const plan = await readPlan(store, runId);
  const hist = new Float64Array(BINS);
  let top: { key: number; row: number }[] = [];
  let scored = 0;
  for (let s = 0; s < plan.shards; s++) {
    const f = await readPass1(store, runId, s);
    scored += f.meta.scored;
    for (let i = 0; i < f.bins.length; i++) hist[f.bins[i]!]! += f.counts[i]!;
    for (let i = 0; i < f.topKeys.length; i++) top.push({ key: f.topKeys[i]!, row: f.topRows[i]! });
    top.sort((a, b) => b.key - a.key || a.row - b.row);
    top = top.slice(0, TOP_LIST);
  }
  if (scored === 0)
    throw new InvalidInputError(`run ${runId} scored no rows: every row is excluded`, 'exclusions');
  const targetSize = Math.min(plan.targetSize, scored);
  let above = 0;
  let bin = BINS - 1;
  for (; bin > 0; bin--) {
    if (above + hist[bin]! >= targetSize) break;
    above += hist[bin]!;
  }
  const ranked = new RankedHistogram(
    hist,
    top.map((t) => t.key),
  );
  const frontier = new Frontier(ranked, buildCalibration(await readCalibration(store, runId)));
  const cut: RunCut = {
    scored,
    targetSize,
    bin,
    above,
    need: targetSize - above,
    frontier: {
      summary: frontier.summary,
      target: frontier.at(targetSize),
      points: frontier.grid(plan.frontierSteps, [targetSize]),
    },
  };
  await store.put(runKey(runId, 'cut.json'), JSON.stringify(cut));
  return cut;
}

/** A run's cut, once the merge has written it. */
export async function readCut(store: ArtifactStore, runId: string): Promise<RunCut | null> {
  const bytes = await store.get(runKey(runId, 'cut.json'));
  return bytes ? (JSON.parse(decoder.decode(bytes)) as RunCut) : null;
}

/** Pass 2: the shard's rows in bins above the cut and in the cut's bin, with their IDs. */
async function pass2(store: ArtifactStore, ctx: RunContext, index: number): Promise<Uint8Array> {
  const cut = await readCut(store, ctx.plan.runId);
  if (!cut) throw new NotFoundError('run cut (pass 1 not merged)', ctx.plan.runId);
  const name = logitsKey(ctx.plan.runId, index);
  let file = readIntact(await store.get(name), name);
  if (!file) {
    // Pass 1 rewrites logits a machine crash lost (the same logits: scoring is deterministic).
    await pass1(store, ctx, index);
    file = decodeColumns(await getOrThrow(store, name, 'pass 1 logits'), name);
  }
  const logits = column(file, 'logits', Float32Array, name);
  const keys = keysOf(logits);
  const pick: number[] = [];
  for (let i = 0; i < keys.length; i++) if (keys[i] !== 0 && keys[i]! >>> 16 >= cut.bin) pick.push(i);
  const col = pick.length ? gatherIds(await readShardIds(store, ctx.snapshot, index), pick) : encodeIds([]);
  const firstRow = ctx.snapshot.shards[index]!.firstRow;
  return encodeColumns(
    { shard: index, picked: pick.length },
    {
      rows: Int32Array.from(pick, (r) => firstRow + r),
      keys: Uint32Array.from(pick, (r) => keys[r]!),
      offsets: col.offsets,
      bytes: col.bytes,
    },
  );
}

/** The audience of a run in rank order. */
export interface RunMembers {
  ids: string[];
  /** Model scores (sigmoid of the logits). */
  scores: Float32Array;
  /** 1-based ranks among the rows scored. */
  ranks: Int32Array;
  /** Global snapshot rows, for checks. */
  rows: Int32Array;
}

/**
 * Builds the audience from every shard's pass 2 result: all rows above the cut's bin and the
 * `need` best of the bin (ties by row, i.e. ID order), ranked; writes `members.arrow`.
 */
export async function assembleMembers(store: ArtifactStore, runId: string): Promise<RunMembers> {
  const plan = await readPlan(store, runId);
  const cut = await readCut(store, runId);
  if (!cut) throw new NotFoundError('run cut (pass 1 not merged)', runId);
  const keyParts: Uint32Array[] = [];
  const rowParts: Int32Array[] = [];
  const idParts: IdBytes[] = [];
  for (let s = 0; s < plan.shards; s++) {
    const name = passKey(runId, 2, s);
    const f = decodeColumns(await getOrThrow(store, name, 'pass 2 result'), name);
    keyParts.push(column(f, 'keys', Uint32Array, name));
    rowParts.push(column(f, 'rows', Int32Array, name));
    idParts.push({
      offsets: column(f, 'offsets', Int32Array, name),
      bytes: column(f, 'bytes', Uint8Array, name),
    });
  }
  const n = keyParts.reduce((sum, k) => sum + k.length, 0);
  if (n < cut.targetSize) {
    throw new Error(
      `run ${runId}: pass 2 found ${n} rows at or above the cut, expected ${cut.targetSize} or more`,
    );
  }
  const keys = new Uint32Array(n);
  const rows = new Int32Array(n);
  for (let s = 0, at = 0; s < keyParts.length; at += keyParts[s]!.length, s++) {
    keys.set(keyParts[s]!, at);
    rows.set(rowParts[s]!, at);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => keys[b]! - keys[a]! || rows[a]! - rows[b]!,
  );
  const chosen = order.slice(0, cut.targetSize);
  const ids = gatherIds(concatIds(idParts), chosen);
  const scores = Float32Array.from(chosen, (i) => sigmoid(logitOf(keys[i]!)));
  const ranks = Int32Array.from(chosen, (_, k) => k + 1);
  // Loaded here, not at the top: the members file needs apache-arrow, and every thread or isolate
  // that runs shard steps imports this module; arrow was ~400 of a cold pool thread's ~560 ms.
  const { encodeMemberColumns } = await import('../audience/members-file.ts');
  await store.put(runKey(runId, 'members.arrow'), encodeMemberColumns(ids.offsets, ids.bytes, scores, ranks));
  return {
    ids: idsAt(
      ids,
      ranks.map((r) => r - 1),
    ),
    scores,
    ranks,
    rows: Int32Array.from(chosen, (i) => rows[i]!),
  };
}

/** How far a run is: shards done per pass, failed attempts, dead shards. */
export interface RunStatus {
  runId: string;
  state: 'running' | 'completed' | 'failed';
  shards: number;
  pass1Done: number;
  pass2Done: number;
  merged: boolean;
  failedAttempts: number;
  /** Shards that ran out of retries (pass and shard). */
  dead: { pass: number; shard: number; error: string }[];
  members: boolean;
}

/** Records a failed attempt of a step (the executor retries it). */
export async function recordAttempt(
  store: ArtifactStore,
  msg: ShardMessage,
  attempt: number,
  error: string,
): Promise<void> {
  await store.put(
    runKey(msg.runId, `attempts/p${msg.pass}-${pad(msg.shard)}-a${attempt}.json`),
    JSON.stringify({ ...msg, attempt, error }),
  );
}

/** Records a step that ran out of retries: the run is failed. */
export async function recordDead(store: ArtifactStore, msg: ShardMessage, error: string): Promise<void> {
  await store.put(
    runKey(msg.runId, `dead/p${msg.pass}-${pad(msg.shard)}.json`),
    JSON.stringify({ ...msg, error }),
  );
}

/** The status of a run, from its files. */
export async function runStatus(store: ArtifactStore, runId: string): Promise<RunStatus> {
  const plan = await readPlan(store, runId);
  const keys = await store.list(`${RUN_PREFIX}/${runId}/`);
  const under = (dir: string) => keys.filter((k) => k.startsWith(runKey(runId, `${dir}/`)));
  const dead = await Promise.all(
    under('dead').map(async (k) => {
      const d = JSON.parse(decoder.decode((await store.get(k))!)) as ShardMessage & { error: string };
      return { pass: d.pass, shard: d.shard, error: d.error };
    }),
  );
  const members = keys.includes(runKey(runId, 'members.arrow'));
  return {
    runId,
    state: dead.length ? 'failed' : members ? 'completed' : 'running',
    shards: plan.shards,
    pass1Done: under('pass1').length,
    pass2Done: under('pass2').length,
    merged: keys.includes(runKey(runId, 'cut.json')),
    failedAttempts: under('attempts').length,
    dead,
    members,
  };
}

/** Reads a run's members file as written (for executors' callers and tests). */
export async function readRunMembers(store: ArtifactStore, runId: string): Promise<Uint8Array | null> {
  return store.get(runKey(runId, 'members.arrow'));
}
