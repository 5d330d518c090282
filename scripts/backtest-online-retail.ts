/**
 * Backtests on UCI Online Retail (../shared/data/online-retail): for each product and cut-off,
 * seed = customers who bought the product before the cut-off, outcome = other customers who buy
 * it in the following `DAYS` days; our lookalike against a logistic regression on RFM and the
 * top-300 product indicators fitted in the same run. Prints a table (and Markdown with --md).
 *
 *   npx tsx scripts/backtest-online-retail.ts [--items binary|tfidf|indicator|standardised|none]
 *     [--size 300] [--associated N] [--home /tmp/or-ws] [--md] [--cases 85123A@2011-08-01,...]
 *     [--set main|holdout|wide [--wide 30] [--wide-cutoff 2011-08-01]] [--days 91]
 *     [--arms [--arm-split time|random] [--no-select] [--arm-names knn,gbdt,...] [--knn-k 25] [--tokens 200]]
 *     [--bootstrap 1000]
 *
 * --home reuses (or creates) a workspace with the dataset imported, so repeated runs skip the
 * import. Each case also gets a bootstrap interval of the lift@10% ratio (members resampled,
 * 1000 replicates) and the share of replicates in which ours is ahead. --arms adds experimental
 * rankers beside ours (gradient-boosted trees, user-kNN, product-name words, blends with ours, and choices
 * among them by a time split of the pre-cut-off seed); they are measured here, not part of the engine.
 */
import { parseArgs } from 'node:util';
import { addDays } from '../src/features/dates.ts';
import { plainMatrix } from '../src/lookalike/backtest.ts';
import { armMatrix, gbdtArm, rankScale } from '../src/lookalike/backtest-arms.ts';
import { productVocabulary } from '../src/features/product-signals.ts';
import { addItemColumns, memberTable } from '../src/lookalike/universe.ts';
import {
  type ArmContext,
  type BacktestArm,
  type BacktestReport,
  type BacktestSeed,
  type ItemWeighting,
  loadLookalikeModel,
  fitLogistic,
  logisticScores,
  poolLiftRatios,
  rankingMetrics,
  resolveSeed,
  runBacktest,
  scoreUniverse,
  trainLookalike,
} from '../src/lookalike/index.ts';
import { Rng } from '../src/lookalike/rng.ts';
import { frontierPrecision } from '../src/ops/lookalike/backtest.ts';
import { caseRow, datasetWorkspace, customersBefore, plainWithColumns, printSummary, withTokenColumns } from './backtest-common.ts';

const PRODUCTS = ['85123A', '22423', '47566', '84879', '85099B', '20725', '22720', '22960'];
const CUTOFFS = ['2011-07-01', '2011-09-01'];
/**
 * Eight other popular products at a third cut-off, never used to choose a configuration: the
 * 16 cases above chose every setting, so their figures flatter the winner (`--set holdout`).
 */
const HOLDOUT = ['21212', '22457', '22961', '22469', '23298', '20728', '22384', '21080'].map((product) => ({
  product,
  cutoff: '2011-08-01',
}));
/**
 * A wider held-out set (`--set wide`): the `--wide` products bought by the most customers before
 * WIDE_CUTOFF, leaving out the 16 cases' and the held-out set's products and non-product codes
 * (postage, fees). Chosen by a rule from the data, so no one picked them, and enough of them that
 * the mean ratio's interval says whether ours is ahead in general.
 */
const WIDE_CUTOFF = '2011-08-01';
/** Outcome window after each cut-off; `--days` lengthens it for more future buyers per case. */
const DAYS = 91;

const { values: args } = parseArgs({
  options: {
    items: { type: 'string', default: 'binary' },
    size: { type: 'string', default: '300' },
    'half-life': { type: 'string' },
    associated: { type: 'string' },
    home: { type: 'string' },
    md: { type: 'boolean', default: false },
    cases: { type: 'string' },
    set: { type: 'string', default: 'main' },
    seed: { type: 'string', default: '7' },
    arms: { type: 'boolean', default: false },
    'arm-split': { type: 'string', default: 'time' },
    'no-select': { type: 'boolean', default: false },
    bootstrap: { type: 'string', default: '1000' },
    wide: { type: 'string', default: '30' },
    'wide-cutoff': { type: 'string', default: WIDE_CUTOFF },
    days: { type: 'string', default: String(DAYS) },
    'knn-k': { type: 'string', default: '25' },
    'arm-names': { type: 'string' },
    tokens: { type: 'string', default: '200' },
  },
});

const { ws, close } = await datasetWorkspace('online-retail', args.home);

const cases = args.cases
  ? args.cases.split(',').map((c) => {
      const [product, cutoff] = c.split('@');
      return { product: product!, cutoff: cutoff! };
    })
  : args.set === 'holdout'
    ? HOLDOUT
    : args.set === 'wide'
      ? await wideCases(Number(args.wide))
      : CUTOFFS.flatMap((cutoff) => PRODUCTS.map((product) => ({ product, cutoff })));

async function wideCases(count: number): Promise<{ product: string; cutoff: string }[]> {
  const used = [...PRODUCTS, ...HOLDOUT.map((c) => c.product)];
  const found = await ws.db.rows<{ product_id: string }>(
    `SELECT product_id FROM transactions
     WHERE ts < $cutoff::TIMESTAMP AND quantity > 0 AND coalesce(member_id, '') <> ''
       AND regexp_matches(product_id, '^[0-9]{5}[A-Z]?$')
       AND product_id NOT IN (${used.map((p) => `'${p}'`).join(', ')})
     GROUP BY product_id ORDER BY count(DISTINCT member_id) DESC, product_id LIMIT $n`,
    { cutoff: args['wide-cutoff'], n: count },
  );
  return found.map((r) => ({ product: r.product_id, cutoff: args['wide-cutoff']! }));
}
const itemSignals =
  args.items === 'none'
    ? (false as const)
    : {
        weighting: args.items as ItemWeighting,
        size: Number(args.size),
        ...(args['half-life'] ? { halfLifeDays: Number(args['half-life']) } : {}),
        ...(args.associated ? { seedAssociated: Number(args.associated) } : {}),
      };

/**
 * Experiment arms (--arms): gradient-boosted trees, and their blends with our model (rank
 * average; standardised-score average). The blends reuse the case's tree scores.
 */
function experimentArms(): Record<string, BacktestArm> {
  let trees: Awaited<ReturnType<ReturnType<typeof gbdtArm>>> | null = null;
  let rankBlend: Float64Array | null = null;
  // The choice between ours and the baseline's own form, made in the same pass as `select`.
  let plainChoice: { scores: Float64Array; note: string } | null = null;
  let knnScores: Float64Array | null = null;
  let hazardScores: Float64Array | null = null;
  const z = (v: ArrayLike<number>) => {
    const a = Float64Array.from(v);
    const mu = a.reduce((s, x) => s + x, 0) / a.length;
    const sd = Math.sqrt(a.reduce((s, x) => s + (x - mu) ** 2, 0) / a.length) || 1;
    return a.map((x) => (x - mu) / sd);
  };
  return {
    gbdt: async (ctx) => {
      trees = await gbdtArm({ split: args['arm-split'] === 'random' ? 'random' : 'time' })(ctx);
      return trees;
    },
    'gbdt+ours rank': async (ctx) => {
      const a = rankScale(trees!.scores);
      const b = rankScale(ctx.model);
      rankBlend = a.map((v, i) => v + b[i]!);
      return { scores: rankBlend };
    },
    'gbdt+ours z': async (ctx) => {
      const a = z(trees!.scores);
      const b = z(ctx.model);
      return { scores: a.map((v, i) => v + b[i]!) };
    },
    // Ours and the baseline's own form (the plain logistic this run fits), ranks averaged.
    'plain+ours rank': async (ctx) => {
      const a = rankScale(ctx.logistic);
      const b = rankScale(ctx.model);
      return { scores: a.map((v, i) => v + b[i]!) };
    },
    // Memory-based collaborative filtering: each customer against the seed's customers.
    knn: async (ctx) => {
      knnScores = await userKnn(ctx, Number(args['knn-k']));
      return { scores: knnScores };
    },
    // The baseline's own form plus product-name tokens (product groups from names, when there is no tree).
    'plain+tokens': async (ctx) => ({ scores: await plainWithTokens(ctx, Number(args.tokens), false) }),
    'rfm+tokens': async (ctx) => ({ scores: await plainWithTokens(ctx, Number(args.tokens), true) }),
    // Our form refitted in the script (see oursLike), and variants of it.
    ourslike: async (ctx) => ({ scores: await oursLike(ctx, 0) }),
    'ourslike cal': async (ctx) => ({ scores: await oursLike(ctx, 0, { holdCalibration: true }) }),
    'ourslike noclip': async (ctx) => ({ scores: await oursLike(ctx, 0, { clip: false }) }),
    'ourslike+tokens': async (ctx) => ({ scores: await oursLike(ctx, Number(args.tokens)) }),
    // Discrete-time hazard: who adopts the product next month, among those who have not yet.
    hazard: async (ctx) => ({ scores: (hazardScores = await hazard(ctx)), note: hazardNote }),
    'hazard+ours rank': async (ctx) => {
      const a = rankScale(hazardScores ?? (hazardScores = await hazard(ctx)));
      const b = rankScale(ctx.model);
      return { scores: a.map((v, i) => v + b[i]!) };
    },
    'hazard+ours logit': async (ctx) => {
      const a = z(hazardScores ?? (hazardScores = await hazard(ctx)));
      const b = z(ctx.model);
      return { scores: a.map((v, i) => v + b[i]!) };
    },
    'knn+ours rank': async (ctx) => {
      const a = rankScale(knnScores!);
      const b = rankScale(ctx.model);
      return { scores: a.map((v, i) => v + b[i]!) };
    },
    ...(args['no-select']
      ? {}
      : { select: selectArm, 'select ours|plain': async (ctx) => plainChoice ?? { scores: Float64Array.from(ctx.model) } }),
  };
  /**
   * The choice by lift@10% on the time split: ours refitted on the seed without its recent
   * adopters (the engine, seed window ending 91 days before the cut-off), the trees fitted
   * without them, and their rank blend, each scored on the recent adopters and the held-out
   * non-seed customers; the winner's full fit is returned. Ties keep ours.
   */
  async function selectArm(ctx: ArmContext) {
    const v = trees!.validation;
    plainChoice = null;
    const innerSeed = { ...(ctx.seed as BacktestSeed), until: addDays(ctx.cutoff, -91) };
    if ((await resolveSeed(ctx.db, innerSeed, { universe: 'members' })).memberIds.length < 50) {
      return { scores: Float64Array.from(ctx.model), note: 'chose ours (too few adopters before the time split)' };
    }
    const inner = await trainLookalike(ws, {
      seed: innerSeed,
      universe: 'members',
      asOf: ctx.cutoff,
      randomSeed: ctx.randomSeed,
      itemSignals,
      backend: 'wasm',
    });
    const scored = await scoreUniverse(ws, await loadLookalikeModel(ws.artifacts, inner.id));
    let oursAt: Map<string, number>;
    try {
      const ids = await scored.idsOfRows(Uint32Array.from({ length: scored.size }, (_, k) => k));
      oursAt = new Map(ids.map((id, k) => [id, scored.logits[k]!]));
    } finally {
      await scored.close();
    }
    const keep = v.ids.flatMap((id, k) => (oursAt.has(id) ? [k] : []));
    const labels = Uint8Array.from(keep, (k) => v.labels[k]!);
    const oursV = Float64Array.from(keep, (k) => oursAt.get(v.ids[k]!)!);
    const treesV = Float64Array.from(keep, (k) => v.scores[k]!);
    const ra = rankScale(oursV);
    const rb = rankScale(treesV);
    const lift = (s: ArrayLike<number>) => rankingMetrics(s, labels).top[2]!.lift;
    const options = [
      { name: 'ours', lift: lift(oursV), scores: Float64Array.from(ctx.model) },
      { name: 'gbdt', lift: lift(treesV), scores: Float64Array.from(trees!.scores) },
      { name: 'blend', lift: lift(ra.map((x, i) => x + rb[i]!)), scores: rankBlend! },
    ];
    const best = options.reduce((a, b) => (b.lift > a.lift + 1e-9 ? b : a));
    const plainV = Float64Array.from(keep, (k) => v.plain[k]!);
    const plain = { name: 'plain', lift: lift(plainV), scores: Float64Array.from(ctx.logistic) };
    const two = plain.lift > options[0]!.lift + 1e-9 ? plain : options[0]!;
    plainChoice = { scores: two.scores, note: `chose ${two.name} (ours ${options[0]!.lift.toFixed(2)}, plain ${plain.lift.toFixed(2)})` };
    return {
      scores: best.scores,
      note: `chose ${best.name} (${options.map((o) => `${o.name} ${o.lift.toFixed(2)}`).join(', ')}; ${labels.reduce((s, x) => s + x, 0)} recent adopters of ${keep.length})`,
    };
  }
}

/**
 * User-kNN: IDF-weighted cosine similarity of product sets bought before the cut-off (the seed's
 * own products left out), and the sum of a customer's `k` highest similarities to seed members.
 */
async function userKnn(ctx: ArmContext, k: number): Promise<Float64Array> {
  const own = seedProducts(ctx);
  const rows = await ctx.db.rows<{ member_id: string; product_id: string }>(
    `SELECT DISTINCT member_id, product_id FROM transactions
     WHERE ts < $cutoff::TIMESTAMP AND quantity > 0 AND coalesce(member_id, '') <> ''
       ${own.length ? `AND product_id NOT IN (${own.map((p) => `'${p.replaceAll("'", "''")}'`).join(', ')})` : ''}`,
    { cutoff: ctx.cutoff },
  );
  const baskets = new Map<string, string[]>();
  for (const r of rows) (baskets.get(r.member_id) ?? baskets.set(r.member_id, []).get(r.member_id)!).push(r.product_id);
  const customers = baskets.size;
  const df = new Map<string, number>();
  for (const ps of baskets.values()) for (const p of ps) df.set(p, (df.get(p) ?? 0) + 1);
  const idf = (p: string) => Math.log(customers / df.get(p)!);
  const norm = new Map<string, number>();
  for (const [m, ps] of baskets) norm.set(m, Math.sqrt(ps.reduce((s, p) => s + idf(p) ** 2, 0)) || 1);
  // Inverted index over the seed's baskets.
  const seedIndex = new Map<string, number[]>();
  const seedList = [...ctx.seedIds].filter((m) => baskets.has(m));
  seedList.forEach((m, j) => {
    for (const p of baskets.get(m)!) (seedIndex.get(p) ?? seedIndex.set(p, []).get(p)!).push(j);
  });
  const dots = new Float64Array(seedList.length);
  const seedNorm = Float64Array.from(seedList, (m) => norm.get(m)!);
  return Float64Array.from(ctx.ids, (id) => {
    const ps = baskets.get(id);
    if (!ps) return 0;
    dots.fill(0);
    for (const p of ps) {
      const w = idf(p) ** 2;
      for (const j of seedIndex.get(p) ?? []) dots[j]! += w;
    }
    const sims = Array.from(dots, (d, j) => d / (norm.get(id)! * seedNorm[j]!));
    sims.sort((a, b) => b - a);
    let sum = 0;
    for (let j = 0; j < Math.min(k, sims.length); j++) sum += sims[j]!;
    return sum;
  });
}

const STOP_TOKENS = ['SET', 'THE', 'AND', 'WITH', 'FOR', 'OF'];

/**
 * The baseline's plain form (log RFM, 0/1 indicators of the top-300 products, L2 logistic at
 * C = 1, every customer before the cut-off) plus 0/1 indicators of the `count` commonest words in
 * the names of the products a customer bought (the seed's own products left out): product groups
 * read from names (LUNCH BAG, PANTRY, RETROSPOT) reach the long tail the item columns miss.
 * `withoutItems` drops the item columns, leaving RFM and tokens.
 */
async function plainWithTokens(ctx: ArmContext, count: number, withoutItems: boolean): Promise<Float64Array> {
  return plainWithColumns(ctx, await tokenPairs(ctx, count, seedProducts(ctx)), withoutItems);
}

/**
 * Our form fitted here rather than in the engine: the member columns (counts log1p, standardised,
 * clipped at +-5 unless `clip: false`, penalised `10x`) and 0/1 item columns, C by validation AUC on a
 * random fifth of the customers, refitted on all of them (or, with `holdCalibration`, without a
 * quarter of the seed and 15% of the others, as the engine holds them out for calibration), plus
 * `tokenCount` product-name word columns. It tells the form from the engine's one validation split.
 */
async function oursLike(
  ctx: ArmContext,
  tokenCount: number,
  opt: { clip?: boolean; holdCalibration?: boolean } = {},
): Promise<Float64Array> {
  const own = seedProducts(ctx);
  const fitIds = await customersBefore(ctx);
  const m = await armMatrix(ctx.db, ctx, fitIds, own, 300);
  const rowOf = new Map(fitIds.map((id, i) => [id, i]));
  const toks = tokenCount ? await tokenPairs(ctx, tokenCount, own) : [];
  const { x, d } = withTokenColumns(m.x, m.d, rowOf, toks);
  const n = fitIds.length;
  const scale = new Float64Array(d).fill(1);
  for (let c = 0; c < m.d; c++) {
    if (m.kinds[c] === 'item') continue;
    scale[c] = 10;
    let max = 0;
    for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(x[i * d + c]!));
    if (max > 1) for (let i = 0; i < n; i++) x[i * d + c] = Math.sign(x[i * d + c]!) * Math.log1p(Math.abs(x[i * d + c]!));
    let mu = 0;
    for (let i = 0; i < n; i++) mu += x[i * d + c]!;
    mu /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (x[i * d + c]! - mu) ** 2;
    const sd = Math.sqrt(v / n) || 1;
    for (let i = 0; i < n; i++) {
      const zc = (x[i * d + c]! - mu) / sd;
      x[i * d + c] = opt.clip === false ? zc : Math.max(-5, Math.min(5, zc));
    }
  }
  const y = Uint8Array.from(fitIds, (id) => (ctx.seedIds.has(id) ? 1 : 0));
  const rng = new Rng(ctx.randomSeed, 47);
  const isVal = Uint8Array.from(fitIds, () => (rng.float() < 0.2 ? 1 : 0));
  const pick = (want: number) => fitIds.flatMap((_, i) => (isVal[i] === want ? [i] : []));
  const sub = (rows: number[]) => {
    const xs = new Float64Array(rows.length * d);
    rows.forEach((r, k) => xs.set(x.subarray(r * d, (r + 1) * d), k * d));
    return { x: xs, y: Uint8Array.from(rows, (r) => y[r]!), n: rows.length };
  };
  const tr = sub(pick(0));
  const va = sub(pick(1));
  let best = { c: 0.01, auc: -1 };
  for (const c of [0.01, 0.03, 0.1, 0.3, 1]) {
    const fit = fitLogistic(tr.x, tr.y, tr.n, d, { c, maxIterations: 30, penaltyScale: scale });
    const a = rankingMetrics(logisticScores(fit, va.x, va.n, d), va.y).auc;
    if (a > best.auc) best = { c, auc: a };
  }
  // As the engine does: a quarter of the seed and 15% of the others held out of the final fit
  // for calibration.
  const kept = opt.holdCalibration
    ? sub(fitIds.flatMap((_, i) => (rng.float() < (y[i] ? 0.25 : 0.15) ? [] : [i])))
    : { x, y, n };
  const fit = fitLogistic(kept.x, kept.y, kept.n, d, { c: best.c, maxIterations: 30, penaltyScale: scale });
  const all = logisticScores(fit, x, n, d);
  return Float64Array.from(ctx.ids, (id) => all[rowOf.get(id)!] ?? 0);
}

/** The products a purchase seed is defined by (no columns and no similarity are built on them). */
/**
 * A discrete-time hazard model of adopting the seed's products: for every month start t from
 * HAZARD_START to the cut-off, the customers with a purchase before t who had not bought the
 * products before t, their features as of t (log RFM standardised within the month, 0/1
 * indicators of the top-300 products as of the cut-off), labelled by a first purchase in the
 * month; the months stacked, one L2 logistic (C = 1) fitted, the universe scored as of the cut-off.
 * Unlike seed-against-everyone it learns what precedes adoption, not what follows it.
 */
async function hazard(ctx: ArmContext): Promise<Float64Array> {
  const own = seedProducts(ctx);
  const inList = own.map((p) => `'${p.replaceAll("'", "''")}'`).join(', ');
  const firsts = await ctx.db.rows<{ m: string; d: string }>(
    `SELECT member_id AS m, strftime(min(ts), '%Y-%m-%d') AS d FROM transactions
     WHERE product_id IN (${inList}) AND quantity > 0 AND coalesce(member_id, '') <> '' GROUP BY member_id`,
  );
  const first = new Map(firsts.map((r) => [r.m, r.d]));
  const vocab = await productVocabulary(ctx.db, { asOf: ctx.cutoff }, 300);
  const starts: string[] = [];
  for (let t = HAZARD_START; t < ctx.cutoff; t = addMonths(t, 1)) starts.push(t);
  const xs: Float64Array[] = [];
  const ys: number[] = [];
  let d = 0;
  for (const [k, t] of starts.entries()) {
    const end = k + 1 < starts.length ? starts[k + 1]! : ctx.cutoff;
    const table = await addItemColumns(ctx.db, await memberTable(ctx.db, { asOf: t }), vocab.productIds);
    const fcol = table.names.indexOf('frequency');
    const w = table.names.length;
    const rows: number[] = [];
    for (const [i, id] of table.ids.entries()) {
      if (!(table.values[i * w + fcol]! > 0)) continue;
      const f = first.get(id);
      if (f !== undefined && f < t) continue;
      rows.push(i);
      ys.push(f !== undefined && f < end ? 1 : 0);
    }
    const m = plainMatrix(table, rows, 300);
    d = m.d;
    xs.push(m.x);
  }
  const n = ys.length;
  const x = new Float64Array(n * d);
  let off = 0;
  for (const part of xs) {
    x.set(part, off);
    off += part.length;
  }
  const fit = fitLogistic(x, Uint8Array.from(ys), n, d, { c: 1 });
  const now = await addItemColumns(ctx.db, await memberTable(ctx.db, { asOf: ctx.cutoff }), vocab.productIds);
  const uRows = ctx.ids.map((id) => now.index.get(id)!);
  const u = plainMatrix(now, uRows, 300);
  hazardNote = `${starts.length} months, ${n} rows, ${ys.reduce((s, v) => s + v, 0)} adoptions`;
  return logisticScores(fit, u.x, uRows.length, u.d);
}
let hazardNote = '';
const HAZARD_START = '2011-01-01';
const addMonths = (day: string, k: number) => {
  const t = new Date(`${day}T00:00:00Z`);
  t.setUTCMonth(t.getUTCMonth() + k);
  return t.toISOString().slice(0, 10);
};

function seedProducts(ctx: ArmContext): readonly string[] {
  return ctx.seed.kind === 'purchase' ? (ctx.seed.productIds ?? []) : [];
}


async function tokenPairs(ctx: ArmContext, count: number, own: readonly string[]) {
  return ctx.db.rows<{ m: string; tok: string }>(
    `WITH toks AS (
       SELECT DISTINCT t.member_id AS m, u.tok FROM transactions t JOIN products p USING (product_id),
         unnest(regexp_split_to_array(upper(p.name), '[^A-Z]+')) AS u(tok)
       WHERE t.ts < $c::TIMESTAMP AND t.quantity > 0 AND coalesce(t.member_id, '') <> ''
         AND length(u.tok) >= 3 AND u.tok NOT IN (${STOP_TOKENS.map((t) => `'${t}'`).join(', ')})
         ${own.length ? `AND t.product_id NOT IN (${own.map((p) => `'${p.replaceAll("'", "''")}'`).join(', ')})` : ''}),
     top AS (SELECT tok FROM toks GROUP BY tok ORDER BY count(*) DESC, tok LIMIT $n)
     SELECT m, tok FROM toks SEMI JOIN top USING (tok)`,
    { c: ctx.cutoff, n: count },
  );
}

/** The experiment arms, or the ones `--arm-names a,b` names (in the order they are defined). */
function chosenArms(): Record<string, BacktestArm> {
  const all = experimentArms();
  if (!args['arm-names']) return all;
  const names = new Set(args['arm-names'].split(','));
  return Object.fromEntries(Object.entries(all).filter(([name]) => names.has(name)));
}

const armRatios: Record<string, number[]> = {};
const armAuc: Record<string, number[]> = {};
const rows: Record<string, string | number>[] = [];
const reports: BacktestReport[] = [];
for (const c of cases) {
  const started = performance.now();
  const r = await runBacktest(ws, {
    seed: { kind: 'purchase', productIds: [c.product] },
    cutoff: c.cutoff,
    outcomeDays: Number(args.days),
    randomSeed: Number(args.seed),
    itemSignals,
    backend: 'wasm',
    bootstrap: Number(args.bootstrap),
    ...(args.arms ? { arms: chosenArms() } : {}),
    statedPrecision: frontierPrecision,
  });
  reports.push(r);
  const name = (await ws.db.rows<{ name: string }>('SELECT name FROM products WHERE product_id = $p', { p: c.product }))[0]?.name;
  const at10 = (x: BacktestReport['rankers']['model']) => x.top[2]!.lift;
  rows.push(caseRow(r, `${c.product} ${name ?? ''}`, c.cutoff, (performance.now() - started) / 1000));
  console.log(JSON.stringify(rows.at(-1)));
  for (const [name, a] of Object.entries(r.arms)) {
    const ratio = a.metrics.top[2]!.lift / at10(r.rankers.logistic);
    (armRatios[name] ??= []).push(ratio);
    (armAuc[name] ??= []).push(a.metrics.auc);
    console.log(
      `  arm ${name}: lift@10% ${a.metrics.top[2]!.lift.toFixed(2)} ratio ${ratio.toFixed(3)} (${a.versusLogistic[2]!.ci.map((v) => v.toFixed(2)).join('-')}) AUC ${a.metrics.auc.toFixed(3)} ${a.note ?? ''}`,
    );
  }
}
const armVersus: Record<string, { ratio: number; ci: [number, number] }[]> = {};
for (const r of reports) for (const [name, a] of Object.entries(r.arms)) (armVersus[name] ??= []).push(a.versusLogistic[2]!);
for (const [name, rs] of Object.entries(armRatios)) {
  const pooledArm = poolLiftRatios(armVersus[name] ?? []);
  if (pooledArm) console.log(`arm ${name}: pooled ${pooledArm.ratio.toFixed(3)} (${pooledArm.ci.map((v) => v.toFixed(3)).join('-')}) over ${pooledArm.pooled}`);
  const m = rs.reduce((s, x) => s + x, 0) / rs.length;
  const auc = armAuc[name]!.reduce((s, x) => s + x, 0) / rs.length;
  console.log(
    `arm ${name}: ratio mean ${m.toFixed(3)}, min ${Math.min(...rs).toFixed(3)}, ahead ${rs.filter((x) => x > 1.0005).length}, equal ${rs.filter((x) => Math.abs(x - 1) <= 0.0005).length}, behind ${rs.filter((x) => x < 0.9995).length} of ${rs.length}; AUC mean ${auc.toFixed(3)}`,
  );
}
printSummary(rows, reports, args.md);
console.log(
  `items=${args.items} size=${args.size} half-life=${args['half-life'] ?? '-'} associated=${args.associated ?? 'default'}`,
);
close();

