/**
 * Backtests: would the lookalike have found the people who went on to do what the seed did?
 *
 * Everything the model and the baselines see is as of the cut-off: the seed (its purchase or
 * value window ends there at the latest; a window past it is rejected, since a seed that knows the
 * future makes any ranking look perfect), the members universe (customers before the cut-off,
 * seed left out) and every feature. The outcome is the seed's own event in a window after the
 * cut-off: buying the matching products, or being among the top spenders. Each ranking is
 * scored with the same tie-aware metrics against the same outcome: our model, random, purchase
 * frequency, and a plain L2 logistic regression on RFM and product-purchase indicators fitted
 * here, in the same run.
 */
import { addDays, checkIsoDay } from '../features/dates.ts';
import { productVocabulary } from '../features/product-signals.ts';
import { InsufficientDataError, InvalidInputError } from '../schema/index.ts';
import { quoteLiteral, type SqlRunner, type Workspace } from '../store/index.ts';
import { loadLookalikeModel } from './artifact.ts';
import {
  BACKTEST_SHARES,
  type LiftRatioInterval,
  liftRatioIntervals,
  type RankingMetrics,
  rankingMetrics,
  sizeOfShare,
} from './backtest-metrics.ts';
import { fitLogistic, logisticScores } from './baseline.ts';
import type { CalibrationData } from './calibration.ts';
import { Rng } from './rng.ts';
import { scoreUniverse } from './score.ts';
import { resolveSeed } from './seeds.ts';
import { type TrainHooks, trainLookalike } from './train.ts';
import type { ItemSignalOptions, SeedSpec } from './types.ts';
import { addItemColumns, type MemberTable, memberTable } from './universe.ts';

export type BacktestSeed = Extract<SeedSpec, { kind: 'purchase' } | { kind: 'top_value' }>;

export interface BacktestOptions {
  /** A purchase or top-value seed; its window ends at the cut-off unless it ends earlier. */
  seed: BacktestSeed;
  /** Features, universe and seed use data strictly before this day (YYYY-MM-DD). */
  cutoff: string;
  /** Days after the cut-off in which the outcome event counts. */
  outcomeDays: number;
  /** Id of the model trained for the backtest (kept, so its metrics can be compared). */
  modelId?: string;
  randomSeed?: number;
  /** Item signals of our model (see `TrainLookalikeOptions.itemSignals`). */
  itemSignals?: ItemSignalOptions | false;
  /** Product indicators of the logistic baseline. Default 300. */
  baselineProducts?: number;
  backend?: 'wasm' | 'cpu' | 'tensorflow';
  /** Bootstrap replicates of the lift-ratio intervals. Default 1000. */
  bootstrap?: number;
  /**
   * The precision interval the model's frontier states at each size (same order as `sizes`),
   * from the ranked universe's descending logits and the model's calibration. The audience layer
   * owns the frontier, so the caller passes it in; without it, calibration hits are not reported.
   */
  statedPrecision?: (
    sortedLogits: Float32Array,
    calibration: CalibrationData,
    sizes: readonly number[],
  ) => { expected: number; ci: [number, number] }[];
  /**
   * Experimental rankers scored beside ours against the same outcome (never seen by them): each
   * gets the universe, the seed and both fitted rankings, and returns a score per universe member.
   */
  arms?: Record<string, BacktestArm>;
}

/** What an experimental ranker sees: everything as of the cut-off, nothing of the outcome. */
export interface ArmContext {
  db: SqlRunner;
  /** Universe member IDs, in the order the scores must follow. */
  ids: readonly string[];
  cutoff: string;
  seed: BacktestSeed;
  seedIds: ReadonlySet<string>;
  /** Our model's logits and the logistic baseline's scores, in `ids` order. */
  model: Float32Array;
  logistic: Float64Array;
  randomSeed: number;
}

export type BacktestArm = (ctx: ArmContext) => Promise<{ scores: ArrayLike<number>; note?: string }>;

export interface ArmResult {
  metrics: RankingMetrics;
  versusLogistic: LiftRatioInterval[];
  note?: string;
}

export interface CalibrationHit {
  share: number;
  size: number;
  expected: number;
  ci: [number, number];
  realised: number;
  held: boolean;
}

export interface BacktestReport {
  cutoff: string;
  outcomeWindow: { from: string; until: string };
  seed: { description: string; members: number };
  /** The outcome event, as a seed description over the outcome window. */
  outcome: { description: string; inUniverse: number };
  modelId: string;
  architecture: string;
  universe: number;
  rankers: {
    model: RankingMetrics;
    random: RankingMetrics;
    frequency: RankingMetrics;
    logistic: RankingMetrics;
  };
  /**
   * Our lift over the logistic baseline's at each share (ratio of lifts), with a bootstrap
   * interval over the universe's members and the share of replicates in which ours is ahead.
   */
  versusLogistic: LiftRatioInterval[];
  baseline: { products: number; iterations: number; converged: boolean; c: number };
  /**
   * Null when no `statedPrecision` was given. `meanWidth` is the intervals' mean width: an
   * interval of [0, 1] always holds and says nothing, so read hits with it.
   */
  calibration: { hits: number; of: number; meanWidth: number; points: CalibrationHit[] } | null;
  /** The `arms` option's rankers, by name (empty without it). */
  arms: Record<string, ArmResult>;
}

/**
 * The seed as of the cut-off: its window ends at the cut-off (or earlier), never after it.
 *
 * @throws InvalidInputError when the seed's window reaches past the cut-off or starts after it.
 */
export function seedAsOf(seed: BacktestSeed, cutoff: string, field = 'seed'): BacktestSeed {
  if (seed.until !== undefined && checkIsoDay(seed.until, `${field}.until`) > cutoff) {
    throw new InvalidInputError(
      `${field}.until (${seed.until}) is after the cut-off (${cutoff}): the seed would be defined with data from the outcome window`,
      `${field}.until`,
    );
  }
  if (seed.since !== undefined && checkIsoDay(seed.since, `${field}.since`) >= cutoff) {
    throw new InvalidInputError(
      `${field}.since (${seed.since}) must be before the cut-off (${cutoff})`,
      `${field}.since`,
    );
  }
  return { ...seed, until: seed.until ?? cutoff };
}

/** The seed's event in the outcome window: the same products, or the same top-value rule. */
export function outcomeSeed(seed: BacktestSeed, from: string, until: string): BacktestSeed {
  return { ...seed, since: from, until };
}

function checkOptions(o: BacktestOptions): void {
  if (!o.seed || (o.seed.kind !== 'purchase' && o.seed.kind !== 'top_value')) {
    const kind = JSON.stringify((o.seed as { kind?: unknown } | undefined)?.kind);
    throw new InvalidInputError(
      `a backtest needs a purchase or top_value seed (its event after the cut-off is the outcome), got ${kind}`,
      'seed.kind',
    );
  }
  checkIsoDay(o.cutoff, 'cutoff');
  if (!Number.isInteger(o.outcomeDays) || o.outcomeDays < 1 || o.outcomeDays > 730) {
    throw new InvalidInputError(
      `outcomeDays must be a whole number of days in [1, 730], got ${o.outcomeDays}`,
      'outcomeDays',
    );
  }
}

/** Last day with a member transaction, plus one (the exclusive end of the data). */
async function dataEnd(db: SqlRunner): Promise<string | null> {
  const [row] = await db.rows<{ d: string | null }>(
    `SELECT (max(ts)::DATE + 1)::VARCHAR AS d FROM transactions WHERE member_id IS NOT NULL`,
  );
  return row?.d ?? null;
}

/** The columns the plain form reads: a member table, or any row-major matrix named the same way. */
export type PlainColumns = Pick<MemberTable, 'names' | 'kinds' | 'values'>;

/**
 * RFM (log1p, standardised) and product-purchase indicators: what a plain scikit-learn pipeline
 * would take. Row-major, rows in `rows` order. The RFM columns are standardised with `scale` when
 * given (a fit's statistics applied to other rows), else over `rows` themselves.
 */
export function plainMatrix(
  table: PlainColumns,
  rows: readonly number[],
  products: number,
  scale?: { mu: number[]; sd: number[] },
): { x: Float64Array; d: number; scale: { mu: number[]; sd: number[] } } {
  const w = table.names.length;
  const rfm = ['recency_days', 'frequency', 'monetary'].map((n) => table.names.indexOf(n));
  const items = table.kinds.flatMap((k, c) => (k === 'item' ? [c] : [])).slice(0, products);
  const d = rfm.length + items.length;
  const x = new Float64Array(rows.length * d);
  rows.forEach((r, i) => {
    rfm.forEach((c, j) => {
      const v = table.values[r * w + c]!;
      x[i * d + j] = Math.sign(v) * Math.log1p(Math.abs(v));
    });
    items.forEach((c, j) => {
      x[i * d + rfm.length + j] = table.values[r * w + c]! > 0 ? 1 : 0;
    });
  });
  const used = scale ?? { mu: [] as number[], sd: [] as number[] };
  for (let j = 0; j < rfm.length; j++) {
    if (!scale) {
      let s = 0;
      let sq = 0;
      for (let i = 0; i < rows.length; i++) {
        s += x[i * d + j]!;
        sq += x[i * d + j]! ** 2;
      }
      const mu = s / rows.length;
      used.mu.push(mu);
      used.sd.push(Math.sqrt(Math.max(0, sq / rows.length - mu * mu)) || 1);
    }
    for (let i = 0; i < rows.length; i++) x[i * d + j] = (x[i * d + j]! - used.mu[j]!) / used.sd[j]!;
  }
  return { x, d, scale: used };
}

/**
 * Runs one backtest: trains a model as of the cut-off (published under `modelId`), ranks the
 * members universe with it and with the baselines, and scores every ranking against the outcome.
 *
 * @throws InvalidInputError for a seed other than purchase/top_value, a seed window past the
 *   cut-off, or bad dates.
 * @throws InsufficientDataError when the data end before the outcome window does, or no one in
 *   the universe has the outcome event.
 * @example
 * const r = await runBacktest(ws, { seed: { kind: 'purchase', productIds: ['85123A'] }, cutoff: '2011-10-01', outcomeDays: 61 });
 * r.rankers.model.top[2].lift; // lift at 10% of the universe
 */
export async function runBacktest(
  ws: Workspace,
  options: BacktestOptions,
  hooks: TrainHooks = {},
): Promise<BacktestReport> {
  checkOptions(options);
  const cutoff = options.cutoff;
  const seed = seedAsOf(options.seed, cutoff);
  const until = addDays(cutoff, options.outcomeDays);
  const progress = (f: number, stage: string) => hooks.progress?.(f, stage);
  await checkDataCoversOutcome(ws, until);
  const trained = await trainLookalike(
    ws,
    {
      ...(options.modelId ? { id: options.modelId } : {}),
      seed,
      universe: 'members',
      asOf: cutoff,
      randomSeed: options.randomSeed ?? 42,
      ...(options.itemSignals !== undefined ? { itemSignals: options.itemSignals } : {}),
      ...(options.backend ? { backend: options.backend } : {}),
    },
    { ...hooks, progress: (f, s) => progress(0.8 * f, s) },
  );
  progress(0.8, 'scoring the universe');
  const loaded = await loadLookalikeModel(ws.artifacts, trained.id);
  const scored = await scoreUniverse(ws, loaded);
  try {
    const db = scored.db;
    const n = scored.size;
    const ids = await scored.idsOfRows(Uint32Array.from({ length: n }, (_, k) => k));
    const { outcome, inUniverse, description } = await outcomeOf(db, ids, options.seed, cutoff, until);

    progress(0.85, 'fitting the logistic baseline');
    const seedIds = new Set(loaded.exclusions.seedIds);
    const baseline = await baselineScores(db, ids, cutoff, options.baselineProducts ?? 300, seedIds);

    progress(0.95, 'scoring the rankings');
    const model = rankingMetrics(scored.logits, outcome);
    const rankers = {
      model,
      random: rankingMetrics(new Float64Array(n), outcome),
      frequency: rankingMetrics(baseline.frequency, outcome),
      logistic: rankingMetrics(baseline.logistic, outcome),
    };
    const versusLogistic = versusBaseline(options, scored.logits, baseline.logistic, outcome);
    const calibration = options.statedPrecision
      ? calibrationHits(
          options.statedPrecision(scored.sorted, loaded.calibration, backtestSizes(n)),
          model,
          n,
        )
      : null;
    const ctx = { db, ids, cutoff, seed, seedIds, model: scored.logits, logistic: baseline.logistic };
    const arms = await scoreArms(options, ctx, outcome);
    progress(1, 'done');
    return {
      cutoff,
      outcomeWindow: { from: cutoff, until },
      seed: { description: trained.manifest.seed.description, members: trained.manifest.seed.matched },
      outcome: { description, inUniverse },
      modelId: trained.id,
      architecture: trained.manifest.architecture,
      universe: n,
      rankers,
      versusLogistic,
      baseline: baseline.summary,
      calibration,
      arms,
    };
  } finally {
    await scored.close();
  }
}

/** A ranking's lift over the baseline's with its bootstrap interval (the same draws for every ranking). */
function versusBaseline(
  options: BacktestOptions,
  scores: ArrayLike<number>,
  logistic: Float64Array,
  outcome: Uint8Array,
): LiftRatioInterval[] {
  const rng = new Rng(options.randomSeed ?? 42, 29);
  return liftRatioIntervals(scores, logistic, outcome, {
    replicates: options.bootstrap ?? 1000,
    draw: (k) => rng.int(k),
  });
}

/** Scores each experimental arm against the outcome, with the same bootstrap as ours. */
async function scoreArms(
  options: BacktestOptions,
  base: Omit<ArmContext, 'randomSeed'>,
  outcome: Uint8Array,
): Promise<Record<string, ArmResult>> {
  const ctx: ArmContext = { ...base, randomSeed: options.randomSeed ?? 42 };
  const out: Record<string, ArmResult> = {};
  for (const [name, arm] of Object.entries(options.arms ?? {})) {
    const { scores, note } = await arm(ctx);
    out[name] = {
      metrics: rankingMetrics(scores, outcome),
      versusLogistic: versusBaseline(options, scores, ctx.logistic, outcome),
      ...(note ? { note } : {}),
    };
  }
  return out;
}

/** Which universe members had the seed's event in the outcome window (1) and which did not (0). */
async function outcomeOf(
  db: SqlRunner,
  ids: readonly string[],
  spec: BacktestSeed,
  cutoff: string,
  until: string,
) {
  const resolved = await resolveSeed(db, outcomeSeed(spec, cutoff, until), { universe: 'members' });
  const outcomeIds = new Set(resolved.memberIds);
  const outcome = Uint8Array.from(ids, (id) => (outcomeIds.has(id) ? 1 : 0));
  const inUniverse = outcome.reduce((s, v) => s + v, 0);
  if (inUniverse === 0) {
    throw new InsufficientDataError(
      `no one in the universe (${ids.length} customers before ${cutoff}, seed left out) had the outcome event between ${cutoff} and ${until}: nothing to backtest against`,
      'outcomeDays',
    );
  }
  return { outcome, inUniverse, description: resolved.description };
}

const backtestSizes = (n: number) => BACKTEST_SHARES.map((s) => sizeOfShare(s, n));

/** The outcome window must lie inside the data, or every member looks like a non-buyer. */
async function checkDataCoversOutcome(ws: Workspace, until: string): Promise<void> {
  const { runner, close } = await ws.db.connect();
  try {
    const end = await dataEnd(runner);
    if (!end || end < until) {
      throw new InsufficientDataError(
        `the data end on ${end ?? '(no member transactions)'}, before the outcome window ends (${until}): choose an earlier cut-off or fewer outcomeDays`,
        'outcomeDays',
      );
    }
  } finally {
    close();
  }
}

/**
 * The two peers' scores for the universe `ids`: a plain L2 logistic regression (C = 1) on RFM
 * plus the top `products` purchase indicators, fitted on every customer at the cut-off (the seed
 * against everyone else), and purchase frequency alone.
 */
async function baselineScores(
  db: SqlRunner,
  ids: readonly string[],
  cutoff: string,
  products: number,
  seedIds: ReadonlySet<string>,
) {
  const base = await memberTable(db, { asOf: cutoff });
  const vocab = await productVocabulary(db, { asOf: cutoff }, products);
  const table = await addItemColumns(db, base, vocab.productIds);
  const customers = await db.columns(
    `SELECT DISTINCT member_id FROM transactions
     WHERE member_id IS NOT NULL AND quantity > 0 AND ts < DATE ${quoteLiteral(cutoff)}`,
  );
  const fitIds = ((customers.columns[0] ?? []) as string[]).filter((id) => table.index.has(id)).sort();
  const fitRows = fitIds.map((id) => table.index.get(id)!);
  const fx = plainMatrix(table, fitRows, products);
  const y = Uint8Array.from(fitIds, (id) => (seedIds.has(id) ? 1 : 0));
  const c = 1;
  const fit = fitLogistic(fx.x, y, fitIds.length, fx.d, { c });
  const fitIndex = new Map(fitIds.map((id, i) => [id, i]));
  const uRows = ids.map((id) => {
    const k = fitIndex.get(id);
    if (k === undefined) throw new Error(`universe member ${id} is not a customer before ${cutoff}`);
    return k;
  });
  const allScores = logisticScores(fit, fx.x, fitIds.length, fx.d);
  const fcol = table.names.indexOf('frequency');
  const w = table.names.length;
  return {
    logistic: Float64Array.from(uRows, (k) => allScores[k]!),
    frequency: Float64Array.from(ids, (id) => table.values[table.index.get(id)! * w + fcol]!),
    summary: { products: vocab.productIds.length, iterations: fit.iterations, converged: fit.converged, c },
  };
}

/** Whether each stated precision interval held the realised precision at the backtest's sizes. */
function calibrationHits(
  stated: readonly { expected: number; ci: [number, number] }[],
  model: ReturnType<typeof rankingMetrics>,
  n: number,
): NonNullable<BacktestReport['calibration']> {
  const sizes = backtestSizes(n);
  const points = stated.map((s, i) => {
    const realised = model.top[i]!.precision;
    return {
      share: BACKTEST_SHARES[i]!,
      size: sizes[i]!,
      expected: s.expected,
      ci: s.ci,
      realised,
      held: realised >= s.ci[0] && realised <= s.ci[1],
    };
  });
  return {
    hits: points.filter((p) => p.held).length,
    of: points.length,
    meanWidth: points.reduce((sum, p) => sum + (p.ci[1] - p.ci[0]), 0) / points.length,
    points,
  };
}
