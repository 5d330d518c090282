/**
 * Backtests on dunnhumby's The Complete Journey (../shared/data/complete-journey): a second real
 * retailer, a grocer with a product tree, to check that what was measured on UCI Online Retail
 * holds on other data. For each product category and cut-off, seed = households that bought in the
 * category before the cut-off, outcome = other households that buy in it in the following `--days`
 * days; our lookalike against the logistic baseline fitted in the same run.
 *
 *   npx tsx scripts/backtest-complete-journey.ts [--categories 16] [--skip 0]
 *     [--cutoffs 2017-07-01,2017-10-01] [--days 91] [--home /tmp/cj-ws] [--seed 7] [--bootstrap 200] [--md]
 *     [--arms]
 *
 * The categories are chosen by a rule, never by a person: the `--categories` product categories
 * (the tree's second level) bought by the most households before the first cut-off, after the first
 * `--skip`, leaving out coupons and miscellaneous items. The file is a sample of transaction lines,
 * so "bought in the category" means "has a sampled line in it": both rankers face the same noise.
 *
 * The baseline's item columns are the 300 most-bought products; with 92,000 products in a line
 * sample they are sparse, and a data scientist with this product tree would use it. `--arms` adds
 * that stronger peer: the baseline's plain form plus 0/1 columns of the product categories (the
 * tree's second level) a household bought in before the cut-off, the seed's own category left out.
 */
import { parseArgs } from 'node:util';
import { type ArmContext, type BacktestArm, type BacktestReport, poolLiftRatios, runBacktest } from '../src/lookalike/index.ts';
import { frontierPrecision } from '../src/ops/lookalike/backtest.ts';
import { caseRow, datasetWorkspace, plainWithColumns, printSummary } from './backtest-common.ts';


const { values: args } = parseArgs({
  options: {
    categories: { type: 'string', default: '16' },
    skip: { type: 'string', default: '0' },
    cutoffs: { type: 'string', default: '2017-07-01,2017-10-01' },
    days: { type: 'string', default: '91' },
    home: { type: 'string' },
    seed: { type: 'string', default: '7' },
    bootstrap: { type: 'string', default: '200' },
    md: { type: 'boolean', default: false },
    arms: { type: 'boolean', default: false },
  },
});

const { ws, close } = await datasetWorkspace('complete-journey', args.home);

const cutoffs = args.cutoffs.split(',');
const categories = await ws.db.rows<{ c: string; households: number }>(
  `SELECT p.category_l2 AS c, count(DISTINCT t.member_id)::INTEGER AS households
   FROM transactions t JOIN products p USING (product_id)
   WHERE t.ts < $cutoff::TIMESTAMP AND coalesce(p.category_l2, '') <> ''
     AND NOT regexp_matches(p.category_l2, 'COUPON|MISC')
   GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT $n OFFSET $skip`,
  { cutoff: cutoffs[0], n: Number(args.categories), skip: Number(args.skip) },
);

/** The product categories (second level) each household bought in before the cut-off, the seed's own left out. */
async function categoryPairs(ctx: ArmContext, own: string): Promise<{ m: string; tok: string }[]> {
  return ctx.db.rows<{ m: string; tok: string }>(
    `SELECT DISTINCT t.member_id AS m, p.category_l2 AS tok FROM transactions t JOIN products p USING (product_id)
     WHERE t.ts < $c::TIMESTAMP AND coalesce(t.member_id, '') <> '' AND coalesce(p.category_l2, '') NOT IN ('', $own)`,
    { c: ctx.cutoff, own },
  );
}

const arms = (category: string): Record<string, BacktestArm> => ({
  'plain+categories': async (ctx) => ({ scores: await plainWithColumns(ctx, await categoryPairs(ctx, category)) }),
});

const rows: Record<string, string | number>[] = [];
const reports: BacktestReport[] = [];
for (const cutoff of cutoffs) {
  for (const { c } of categories) {
    const started = performance.now();
    const r = await runBacktest(ws, {
      seed: { kind: 'purchase', categories: [c] },
      cutoff,
      outcomeDays: Number(args.days),
      randomSeed: Number(args.seed),
      backend: 'wasm',
      bootstrap: Number(args.bootstrap),
      statedPrecision: frontierPrecision,
      ...(args.arms ? { arms: arms(c) } : {}),
    });
    reports.push(r);
    rows.push(caseRow(r, c, cutoff, (performance.now() - started) / 1000));
    console.log(JSON.stringify(rows.at(-1)));
    for (const [name, a] of Object.entries(r.arms)) {
      const v = a.versusLogistic[2]!;
      console.log(`  arm ${name}: lift@10% ${a.metrics.top[2]!.lift.toFixed(2)} ratio ${v.ratio.toFixed(3)} AUC ${a.metrics.auc.toFixed(3)}`);
    }
  }
}
for (const name of Object.keys(reports[0]?.arms ?? {})) {
  const versus = reports.map((r) => r.arms[name]!.versusLogistic[2]!);
  const pooled = poolLiftRatios(versus);
  const ours = reports.map((r) => r.rankers.model.top[2]!.lift / r.arms[name]!.metrics.top[2]!.lift);
  console.log(
    `arm ${name}: its lift@10% over the baseline's pooled ${pooled ? `${pooled.ratio.toFixed(3)} (${pooled.ci.map((v) => v.toFixed(3)).join('-')})` : '-'}; ` +
      `ours over it: mean ${(ours.reduce((s, x) => s + x, 0) / ours.length).toFixed(3)}, ahead ${ours.filter((x) => x > 1.0005).length}, behind ${ours.filter((x) => x < 0.9995).length} of ${ours.length}; ` +
      `AUC ${(reports.reduce((s, r) => s + r.arms[name]!.metrics.auc, 0) / reports.length).toFixed(3)}`,
  );
}
printSummary(rows, reports, args.md);
close();
