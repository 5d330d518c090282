/**
 * Experimental rankers for backtests (`BacktestOptions.arms`): candidates measured beside the
 * engine's model before any of them is built into training. Each sees only data before the
 * cut-off. The gradient-boosted arm chooses its number of trees on a split of the pre-cut-off
 * seed by time: the seed's most recent adopters (first purchase in the last `recentDays`) are
 * the positives closest to the future buyers a backtest scores, so they validate a model fitted
 * on the older adopters against the same non-seed customers; the kept count is then refitted on
 * every row.
 */
import { addDays } from '../features/dates.ts';
import { productVocabulary } from '../features/product-signals.ts';
import { quoteLiteral, type SqlRunner } from '../store/index.ts';
import { type ArmContext, type PlainColumns, plainMatrix } from './backtest.ts';
import { fitLogistic, logisticScores } from './baseline.ts';
import { fitGbdt, type GbdtOptions, gbdtScores } from './gbdt.ts';
import { Rng } from './rng.ts';
import { addItemColumns, memberTable } from './universe.ts';

/** Customers before the cut-off, with each seed member's first purchase of the seed products. */
async function fitPopulation(db: SqlRunner, ctx: ArmContext) {
  const c = quoteLiteral(ctx.cutoff);
  const customers = await db.columns(
    `SELECT DISTINCT member_id FROM transactions
     WHERE member_id IS NOT NULL AND quantity > 0 AND ts < DATE ${c} ORDER BY member_id`,
  );
  const products = ctx.seed.kind === 'purchase' ? (ctx.seed.productIds ?? []) : [];
  const first = new Map<string, string>();
  if (products.length) {
    const rows = await db.rows<{ m: string; d: string }>(
      `SELECT member_id AS m, min(ts)::DATE::VARCHAR AS d FROM transactions
       WHERE member_id IS NOT NULL AND quantity > 0 AND ts < DATE ${c}
         AND product_id IN (${products.map(quoteLiteral).join(', ')}) GROUP BY member_id`,
    );
    for (const r of rows) first.set(r.m, r.d);
  }
  return { ids: (customers.columns[0] ?? []) as string[], first, products };
}

/**
 * Dense row-major features as of the cut-off for `ids`: the member features and 0/1 indicators
 * of the `size` products bought by the most customers, the seed's own products left out.
 */
export async function armMatrix(
  db: SqlRunner,
  ctx: ArmContext,
  ids: readonly string[],
  exclude: readonly string[],
  size = 300,
) {
  const vocab = await productVocabulary(db, { asOf: ctx.cutoff }, size + exclude.length);
  const items = vocab.productIds.filter((p) => !exclude.includes(p)).slice(0, size);
  const table = await addItemColumns(db, await memberTable(db, { asOf: ctx.cutoff }), items);
  const w = table.names.length;
  const x = new Float64Array(ids.length * w);
  ids.forEach((id, i) => {
    const r = table.index.get(id);
    if (r === undefined) return;
    for (let c = 0; c < w; c++) {
      const v = table.values[r * w + c]!;
      x[i * w + c] = table.kinds[c] === 'item' ? (v > 0 ? 1 : 0) : v;
    }
  });
  return { x, d: w, names: table.names, kinds: table.kinds };
}

/**
 * A gradient-boosted arm: seed members against every other customer before the cut-off, trees
 * counted on the time split, refitted on all rows, scored on the universe.
 */
export function gbdtArm(
  options: GbdtOptions & { recentDays?: number; negativeShare?: number; split?: 'time' | 'random' } = {},
) {
  return async (ctx: ArmContext) => {
    const pop = await fitPopulation(ctx.db, ctx);
    const { x, d, names, kinds } = await armMatrix(ctx.db, ctx, pop.ids, pop.products);
    const n = pop.ids.length;
    const y = Uint8Array.from(pop.ids, (id) => (ctx.seedIds.has(id) ? 1 : 0));
    const recentFrom = addDays(ctx.cutoff, -(options.recentDays ?? 91));
    const rng = new Rng(ctx.randomSeed, 43);
    const fit: number[] = [];
    const validation: number[] = [];
    // A product launched within the window has too few older adopters: its seed is split at random.
    const older = [...ctx.seedIds].filter((id) => (pop.first.get(id) ?? recentFrom) < recentFrom).length;
    const byTime = options.split !== 'random' && older >= 50;
    pop.ids.forEach((id, r) => {
      const held = byTime ? (pop.first.get(id) ?? '') >= recentFrom : rng.float() < 0.25;
      const recent = y[r] ? held : rng.float() < (options.negativeShare ?? 0.2);
      (recent ? validation : fit).push(r);
    });
    const opts = { randomSeed: ctx.randomSeed, ...options };
    // Trees are counted on half the held-out rows; the other half judges the arms, so the count
    // chosen on them does not flatter the trees in that comparison.
    const stop = validation.filter(() => rng.float() < 0.5);
    const stopSet = new Set(stop);
    const check = validation.filter((r) => !stopSet.has(r));
    const chosen = fitGbdt(x, y, n, d, { fit, validation: stop }, opts);
    const all = Array.from({ length: n }, (_, r) => r);
    const model = fitGbdt(x, y, n, d, { fit: all }, { ...opts, trees: Math.max(1, chosen.trees.length) });
    const margins = gbdtScores(model, x, n, d);
    const at = new Map(pop.ids.map((id, i) => [id, i]));
    const scores = Float64Array.from(ctx.ids, (id) => margins[at.get(id)!]!);
    const internal = gbdtScores(chosen, x, n, d);
    return {
      scores,
      /** The time split's validation rows with the model fitted without them, for choosing between arms. */
      validation: {
        ids: check.map((r) => pop.ids[r]!),
        labels: Uint8Array.from(check, (r) => y[r]!),
        scores: Float64Array.from(check, (r) => internal[r]!),
        plain: plainForm({ names, kinds, values: x }, y, fit, check),
      },
      note: `trees ${chosen.trees.length}, time-split AUC ${chosen.validationAuc.toFixed(3)}, ${stop.filter((r) => y[r]).length} ${byTime ? 'recent adopters' : 'seed members at random'}`,
    };
  };
}

/**
 * The baseline's form (`plainMatrix`: log RFM standardised over the fitted rows, 0/1 product
 * indicators; L2 logistic at C = 1) fitted on `fit` and scored on `score`: the plain candidate.
 */
function plainForm(
  table: PlainColumns,
  y: Uint8Array,
  fit: readonly number[],
  score: readonly number[],
): Float64Array {
  const fx = plainMatrix(table, fit, Number.POSITIVE_INFINITY);
  const sx = plainMatrix(table, score, Number.POSITIVE_INFINITY, fx.scale);
  const model = fitLogistic(
    fx.x,
    Uint8Array.from(fit, (r) => y[r]!),
    fit.length,
    fx.d,
    { c: 1 },
  );
  return logisticScores(model, sx.x, score.length, sx.d);
}

/** Ranks scaled to [0, 1] (ties share their mean rank). */
export function rankScale(scores: ArrayLike<number>): Float64Array {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  const out = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && scores[order[j]!] === scores[order[i]!]) j++;
    for (let k = i; k < j; k++) out[order[k]!] = (i + j - 1) / 2 / Math.max(1, n - 1);
    i = j;
  }
  return out;
}
