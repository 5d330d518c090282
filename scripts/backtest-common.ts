/**
 * The per-case row and the summary lines the backtest scripts print: one definition of the
 * figures the README's backtest tables report (lift@10% ratio to the logistic baseline, its
 * bootstrap interval, AUC, calibration hits, the pooled ratio and what per-case standings can show),
 * and the helpers the experimental arms share.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { productVocabulary } from '../src/features/product-signals.ts';
import { importDataset } from '../src/ingest/index.ts';
import { plainMatrix } from '../src/lookalike/backtest.ts';
import {
  type ArmContext,
  type BacktestReport,
  fitLogistic,
  logisticScores,
  poolLiftRatios,
  standingsIfUniform,
} from '../src/lookalike/index.ts';
import { addItemColumns, memberTable } from '../src/lookalike/universe.ts';
import { Workspace } from '../src/store/index.ts';

/**
 * A workspace with `../shared/data/<dataset>` imported: `home` is reused (the import only when it is
 * empty) or, without it, a temporary one that `close` removes. Exits with a message when the
 * dataset is absent.
 */
export async function datasetWorkspace(dataset: string, home: string | undefined): Promise<{ ws: Workspace; close: () => void }> {
  const data = join(import.meta.dirname, '..', '..', 'shared', 'data', dataset);
  if (!existsSync(data)) {
    console.error(`skipping: ${data} is not present`);
    process.exit(0);
  }
  const dir = home ?? mkdtempSync(join(tmpdir(), `backtest-${dataset}-`));
  const ws = await Workspace.open(dir);
  const imported = await ws.db.rows<{ n: number }>('SELECT count(*)::INTEGER AS n FROM transactions');
  if (!imported[0]?.n) await importDataset(ws, dataset, data);
  return {
    ws,
    close: () => {
      ws.close();
      if (!home) rmSync(dir, { recursive: true, force: true });
    },
  };
}

const at10 = (x: BacktestReport['rankers']['model']) => x.top[2]!.lift;

/** One case's row of the table. */
export function caseRow(r: BacktestReport, target: string, cutoff: string, seconds: number): Record<string, string | number> {
  return {
    target: target.slice(0, 34),
    cutoff,
    seed: r.seed.members,
    universe: r.universe,
    buyers: r.outcome.inUniverse,
    'ours lift@10%': at10(r.rankers.model).toFixed(2),
    'logistic lift@10%': at10(r.rankers.logistic).toFixed(2),
    'freq lift@10%': at10(r.rankers.frequency).toFixed(2),
    'ours/logistic': (at10(r.rankers.model) / at10(r.rankers.logistic)).toFixed(3),
    'ratio 95% CI': `${r.versusLogistic[2]!.ci.map((v) => v.toFixed(2)).join('-')}`,
    'P(ahead)': r.versusLogistic[2]!.ahead.toFixed(2),
    'ours AUC': r.rankers.model.auc.toFixed(3),
    'logistic AUC': r.rankers.logistic.auc.toFixed(3),
    calib: r.calibration ? `${r.calibration.hits}/${r.calibration.of}` : '-',
    'ci width': r.calibration ? r.calibration.meanWidth.toFixed(2) : '-',
    arch: r.architecture,
    s: seconds.toFixed(0),
  };
}

/** The table and the summary over cases: mean and pooled ratio, standings, AUC, calibration hits. */
export function printSummary(rows: Record<string, string | number>[], reports: BacktestReport[], md: boolean): void {
  console.table(rows);
  const ratios = rows.map((r) => Number(r['ours/logistic']));
  const mean = ratios.reduce((s, x) => s + x, 0) / ratios.length;
  // Across cases, not within one: the spread of the per-case ratios gives the mean's interval.
  const sd = Math.sqrt(ratios.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, ratios.length - 1));
  const half = (1.96 * sd) / Math.sqrt(ratios.length);
  console.log(`mean ratio ${mean.toFixed(3)}, 95% interval over cases ${(mean - half).toFixed(3)}-${(mean + half).toFixed(3)} (n=${ratios.length})`);
  const hits = reports.reduce((s, r) => s + (r.calibration?.hits ?? 0), 0);
  const of = reports.reduce((s, r) => s + (r.calibration?.of ?? 0), 0);
  const cis = reports.map((r) => r.versusLogistic[2]!.ci);
  console.log(
    `lift@10% ratio 95% bootstrap interval above 1 on ${cis.filter((c) => c[0] > 1).length}/${cis.length}, below 1 on ${cis.filter((c) => c[1] < 1).length}/${cis.length}; mean P(ahead) ${(reports.reduce((s, r) => s + r.versusLogistic[2]!.ahead, 0) / reports.length).toFixed(2)}`,
  );
  const mean2 = (f: (r: BacktestReport) => number) => reports.reduce((s, r) => s + f(r), 0) / reports.length;
  console.log(
    `AUC ours ${mean2((r) => r.rankers.model.auc).toFixed(3)}, logistic ${mean2((r) => r.rankers.logistic.auc).toFixed(3)}, frequency ${mean2((r) => r.rankers.frequency.auc).toFixed(3)}; ours ahead by AUC on ${reports.filter((r) => r.rankers.model.auc > r.rankers.logistic.auc).length}/${reports.length}`,
  );
  const atTen = reports.map((r) => r.versusLogistic[2]!);
  const pooled = poolLiftRatios(atTen);
  if (pooled) {
    const uniform = standingsIfUniform(atTen, 1.1);
    console.log(
      `pooled (random effects) ratio ${pooled.ratio.toFixed(3)} (${pooled.ci.map((v) => v.toFixed(3)).join('-')}) over ${pooled.pooled} of ${pooled.cases} cases; ` +
        `between cases Q ${pooled.q.toFixed(1)} on ${pooled.df} df, p ${pooled.p.toFixed(3)}, tau ${pooled.tau.toFixed(3)}; ` +
        `a ranker truly 1.1x the baseline on every case would be not ahead on ${uniform.notAhead.toFixed(1)} of ${uniform.cases} on average and ahead on all with probability ${uniform.allAhead.toPrecision(2)}`,
    );
  }
  console.log(
    `ours/logistic at 10% mean ${mean.toFixed(3)}, min ${Math.min(...ratios).toFixed(3)}, ahead ${ratios.filter((x) => x > 1.0005).length}, equal ${ratios.filter((x) => Math.abs(x - 1) <= 0.0005).length}, behind ${ratios.filter((x) => x < 0.9995).length} of ${ratios.length}; calibration hits ${hits}/${of}`,
  );
  if (md) {
    const keys = Object.keys(rows[0]!).filter((k) => k !== 's');
    console.log(`| ${keys.join(' | ')} |\n|${keys.map(() => '---').join('|')}|`);
    for (const r of rows) console.log(`| ${keys.map((k) => r[k]).join(' | ')} |`);
  }
}

/** Every customer with a purchase before the cut-off, sorted: the rows the arms fit on. */
export async function customersBefore(ctx: ArmContext): Promise<string[]> {
  const rows = await ctx.db.rows<{ m: string }>(
    `SELECT DISTINCT member_id AS m FROM transactions
     WHERE coalesce(member_id, '') <> '' AND quantity > 0 AND ts < $c::TIMESTAMP ORDER BY m`,
    { c: ctx.cutoff },
  );
  return rows.map((r) => r.m);
}

/** `base` (n x `d` row-major) with one 0/1 column per token of `pairs` appended. */
export function withTokenColumns(
  base: Float64Array,
  d0: number,
  rowOf: ReadonlyMap<string, number>,
  pairs: readonly { m: string; tok: string }[],
): { x: Float64Array; d: number } {
  const tokIndex = new Map<string, number>();
  for (const p of pairs) if (!tokIndex.has(p.tok)) tokIndex.set(p.tok, tokIndex.size);
  const n = base.length / d0;
  const d = d0 + tokIndex.size;
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) x.set(base.subarray(i * d0, (i + 1) * d0), i * d);
  for (const p of pairs) {
    const i = rowOf.get(p.m);
    if (i !== undefined) x[i * d + d0 + tokIndex.get(p.tok)!] = 1;
  }
  return { x, d };
}

/**
 * The baseline's plain form (log RFM, 0/1 indicators of the top-300 products, L2 logistic at C = 1,
 * every customer before the cut-off; `withoutItems` drops the products) plus one 0/1 column per
 * distinct `tok` of `pairs` (product-name words, categories): the baseline a data scientist would
 * write with that extra knowledge of the products.
 */
export async function plainWithColumns(
  ctx: ArmContext,
  pairs: readonly { m: string; tok: string }[],
  withoutItems = false,
): Promise<Float64Array> {
  const base = await memberTable(ctx.db, { asOf: ctx.cutoff });
  const vocab = await productVocabulary(ctx.db, { asOf: ctx.cutoff }, 300);
  const table = await addItemColumns(ctx.db, base, vocab.productIds);
  const fitIds = (await customersBefore(ctx)).filter((id) => table.index.has(id));
  const fx = plainMatrix(table, fitIds.map((id) => table.index.get(id)!), withoutItems ? 0 : 300);
  const rowOf = new Map(fitIds.map((id, i) => [id, i]));
  const { x, d } = withTokenColumns(fx.x, fx.d, rowOf, pairs);
  const y = Uint8Array.from(fitIds, (id) => (ctx.seedIds.has(id) ? 1 : 0));
  const fit = fitLogistic(x, y, fitIds.length, d, { c: 1 });
  const all = logisticScores(fit, x, fitIds.length, d);
  return Float64Array.from(ctx.ids, (id) => all[rowOf.get(id)!]!);
}
