import type { Command } from 'commander';
import { type BacktestResult, backtestOp } from '../../ops/index.ts';
import { InvalidInputError } from '../../schema/index.ts';
import { flagNumber, runCliOp } from '../cli-op.ts';
import { fmtNumber, fmtPercent, type GlobalOptions, print, textTable } from '../cli-support.ts';
import { type SeedFlags, seedFromFlags } from './cli-inputs.ts';

type BacktestFlags = SeedFlags & Record<string, string | boolean | undefined>;

/** `--items` as the operation's `itemSignals` (`none` switches them off). */
function itemsFlag(o: BacktestFlags): unknown {
  if (
    o.items === undefined &&
    o.itemSize === undefined &&
    o.halfLife === undefined &&
    o.seedAssociated === undefined
  )
    return undefined;
  if (o.items === 'none') return false;
  return {
    weighting: o.items,
    size: flagNumber(o.itemSize as string | undefined),
    halfLifeDays: flagNumber(o.halfLife as string | undefined),
    seedAssociated: flagNumber(o.seedAssociated as string | undefined),
  };
}

function report(r: BacktestResult): string {
  const rankers = [
    ['ours', r.rankers.model],
    ['logistic (same run)', r.rankers.logistic],
    ['frequency', r.rankers.frequency],
    ['random', r.rankers.random],
  ] as const;
  const rows = rankers.map(([name, m]) => ({
    ranking: name,
    auc: m.auc.toFixed(3),
    ...Object.fromEntries(m.top.flatMap((t) => [[`lift@${t.share * 100}%`, t.lift.toFixed(2)]])),
    ...Object.fromEntries(m.top.flatMap((t) => [[`precision@${t.share * 100}%`, fmtPercent(t.precision)]])),
  }));
  const lines = [
    `backtest at ${r.cutoff}: seed ${r.seed.description} (${fmtNumber(r.seed.members)} members)`,
    `outcome ${r.outcomeWindow.from} .. ${r.outcomeWindow.until} (exclusive): ${fmtNumber(r.outcome.inUniverse)} of ${fmtNumber(r.universe)} customers in the universe`,
    textTable(rows),
    `ours / logistic lift (95% bootstrap interval): ${r.versusLogistic.map((v) => `${v.share * 100}% ${v.ratio.toFixed(2)}x (${v.ci[0].toFixed(2)}-${v.ci[1].toFixed(2)})`).join(', ')}`,
  ];
  if (r.calibration)
    lines.push(
      `frontier intervals held the realised precision at ${r.calibration.hits} of ${r.calibration.of} sizes (mean interval width ${fmtPercent(r.calibration.meanWidth)}): ` +
        r.calibration.points
          .map(
            (p) =>
              `${p.share * 100}% ${fmtPercent(p.realised)} in [${fmtPercent(p.ci[0])}, ${fmtPercent(p.ci[1])}]${p.held ? '' : ' (missed)'}`,
          )
          .join('; '),
    );
  lines.push(`model ${r.modelId} (${r.architecture}) is kept: lookalike model show ${r.modelId}`);
  return lines.join('\n');
}

/** `lookalike backtest`: flags as the `lookalike.backtest` operation's raw input. */
export function registerBacktestCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('backtest')
    .description(backtestOp.summary)
    .requiredOption('--cutoff <day>', 'seed, universe and features from data strictly before this day')
    .option('--purchase <text>', 'seed: members who bought products whose name contains this')
    .option('--products <ids>', 'seed: members who bought these product IDs (comma-separated)')
    .option('--category <codes>', 'seed: members who bought in these category codes (comma-separated)')
    .option('--top <n>', 'seed: top members by net sales, a count or a share (< 1)')
    .option('--since <day>', 'seed window start (YYYY-MM-DD)')
    .option('--until <day>', 'seed window end, exclusive (at most the cut-off)')
    .option('--min-spend <n>', 'purchase seed: smallest spend on matching lines')
    .option('--outcome-days <n>', 'days after the cut-off in which the outcome counts (default 91)')
    .option('--items <weighting>', "our model's item signals: binary, tfidf, indicator, standardised or none")
    .option('--item-size <n>', 'products kept as item columns (default 300)')
    .option('--half-life <days>', 'item receipts decay with this half-life')
    .option(
      '--seed-associated <n>',
      "products most over-represented among the seed's members, added as item columns (default 0)",
    )
    .option('--baseline-products <n>', 'product indicators of the logistic baseline (default 300)')
    .option('--random-seed <n>', 'random seed (default 42)')
    .option('--id <id>', 'id of the model trained for the backtest')
    .action(async (o: BacktestFlags) => {
      const g = globals();
      const seed = seedFromFlags(o);
      if (!seed)
        throw new InvalidInputError('give a seed: --purchase, --products, --category or --top', 'seed');
      const result = await runCliOp(
        g,
        backtestOp,
        {
          seed,
          cutoff: o.cutoff,
          outcomeDays: flagNumber(o.outcomeDays as string | undefined),
          modelId: o.id,
          randomSeed: flagNumber(o.randomSeed as string | undefined),
          baselineProducts: flagNumber(o.baselineProducts as string | undefined),
          itemSignals: itemsFlag(o),
        },
        { label: 'backtest' },
      );
      print(result, g, () => report(result));
    });
}
