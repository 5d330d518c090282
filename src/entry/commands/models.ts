import type { Command } from 'commander';
import {
  explainModelOp,
  getModelOp,
  listModelsOp,
  modelFrontierOp,
  scoreSnapshotOp,
  trainModelOp,
} from '../../ops/index.ts';
import { InvalidInputError } from '../../schema/index.ts';
import { flagNumber, runCliOp } from '../cli-op.ts';
import { fmtNumber, fmtPercent, type GlobalOptions, print, textTable } from '../cli-support.ts';
import { idsFromFile, type SeedFlags, seedFromFlags } from './cli-inputs.ts';
import { registerModelLifecycleCommands } from './model-lifecycle.ts';

type TrainFlags = SeedFlags & Record<string, string | boolean | undefined>;

/**
 * `lookalike model …`: each command turns its flags into its operation's input (`ops/lookalike`):
 * defaults, limits and messages are the operation's, as over the API.
 */
export function registerModelCommands(program: Command, globals: () => GlobalOptions): void {
  const model = program
    .command('model')
    .description(
      'lookalike models: train from a seed, inspect, frontier, explain, compare, tag, delete, retrain, pull scores',
    );
  modelTrainCommand(model, globals);
  modelListCommand(model, globals);
  modelShowCommand(model, globals);
  modelFrontierCommand(model, globals);
  modelExplainCommand(model, globals);
  registerModelLifecycleCommands(model, globals);
  modelScoreSnapshotCommand(model, globals);
}

function modelScoreSnapshotCommand(model: Command, globals: () => GlobalOptions): void {
  model
    .command('score-snapshot')
    .description(scoreSnapshotOp.summary)
    .argument('<modelId>')
    .option('--size <n>', 'audience size of the members pass (default 10000)')
    .option('--shard-rows <n>', 'rows per shard if the snapshot is built (default 250000)')
    .option('--run-id <id>', 'run id (default: a new one)')
    .action(async (id: string, o: { size?: string; shardRows?: string; runId?: string }) => {
      const g = globals();
      const r = await runCliOp(
        g,
        scoreSnapshotOp,
        { modelId: id, size: flagNumber(o.size), shardRows: flagNumber(o.shardRows), runId: o.runId },
        { label: 'scoring shards' },
      );
      print(r, g, () =>
        [
          `run ${r.runId}: snapshot ${r.snapshot.key} (${fmtNumber(r.snapshot.rows)} rows, ${r.snapshot.shards} shards, ${r.snapshot.built ? 'built now' : 'reused'})`,
          `${fmtNumber(r.scored)} scored; top ${fmtNumber(r.size)} at expected precision ${fmtPercent(r.frontier.target.expectedPrecision)} in ${r.members}`,
          `shards: pass 1 ${r.status.pass1Done}/${r.status.shards}, pass 2 ${r.status.pass2Done}/${r.status.shards}, failed attempts ${r.status.failedAttempts}`,
        ].join('\n'),
      );
    });
}

function modelTrainCommand(model: Command, globals: () => GlobalOptions): void {
  model
    .command('train')
    .description(trainModelOp.summary)
    .requiredOption('--universe <universe>', 'third_party (acquisition) or members (cross-sell)')
    .option('--segment <sgm:seg>', 'seed: a segment, as <segmentationId>:<segmentId>')
    .option('--members <file>', 'seed: member IDs, one per line or a JSON array')
    .option('--tp-ids <file>', 'seed: third-party IDs (third_party universe)')
    .option('--purchase <text>', 'seed: members who bought products whose name contains this')
    .option('--category <codes>', 'seed: members who bought in these category codes (comma-separated)')
    .option('--since <day>', 'purchase/top seed window start (YYYY-MM-DD)')
    .option('--until <day>', 'purchase/top seed window end, exclusive')
    .option('--min-spend <n>', 'purchase seed: smallest spend on matching lines')
    .option('--top <n>', 'seed: top members by net sales, a count or a share (< 1)')
    .option('--negative-members <file>', 'negative seed: members to be unlike')
    .option('--negative-segment <sgm:seg>', 'negative seed: a segment to be unlike')
    .option('--as-of <day>', 'members universe: features from data strictly before this day')
    .option('--opted-out <file>', 'IDs that must never be scored')
    .option('--exclude <file>', 'other IDs to leave out')
    .option('--keep-customers', 'third_party universe: do not exclude existing customers')
    .option('--random-seed <n>', 'random seed (default 42)')
    .option('--unlabelled <n>', 'unlabelled sample size (default 30000)')
    .option('--id <id>', 'model id')
    .action(async (o: TrainFlags) => {
      const g = globals();
      const seed = seedFromFlags(o);
      if (!seed)
        throw new InvalidInputError(
          'give a seed: --segment, --members, --tp-ids, --purchase, --category or --top',
          'seed',
        );
      const negativeSeed = seedFromFlags(
        {
          members: o.negativeMembers as string | undefined,
          segment: o.negativeSegment as string | undefined,
        },
        'negative-',
      );
      const result = await runCliOp(
        g,
        trainModelOp,
        {
          id: o.id,
          seed,
          negativeSeed,
          universe: o.universe,
          asOf: o.asOf,
          randomSeed: flagNumber(o.randomSeed as string | undefined),
          unlabelledSample: flagNumber(o.unlabelled as string | undefined),
          exclusions: {
            existingCustomers: !o.keepCustomers,
            optedOut: o.optedOut ? idsFromFile(String(o.optedOut)) : undefined,
            ids: o.exclude ? idsFromFile(String(o.exclude)) : undefined,
          },
        },
        { label: 'training' },
      );
      const m = await runCliOp(g, getModelOp, { id: result.modelId });
      print(m, g, () =>
        [
          `model ${m.id}: ${m.architecture} on ${m.universe} (${fmtNumber(m.training.universeSize)} people after exclusions)`,
          `seed: ${m.seed.description}; ${fmtNumber(m.diagnostics.matched)} matched${m.diagnostics.matchRate === null ? '' : ` (match rate ${fmtPercent(m.diagnostics.matchRate)})`}`,
          textTable(
            m.candidates.map((c) => ({
              model: c.architecture,
              validationAuc: Number(c.validationAuc.toFixed(4)),
              epoch: c.bestEpoch,
              seconds: Number(c.seconds.toFixed(1)),
            })),
          ),
          `estimated positive share ${fmtPercent(m.calibration.positiveShare)} [${fmtPercent(m.calibration.positiveShareInterval[0])}, ${fmtPercent(m.calibration.positiveShareInterval[1])}]`,
          ...m.diagnostics.warnings.map(
            (w) => `warning (${w.code}): ${w.messageJa ? `${w.messageJa} / ` : ''}${w.message}`,
          ),
        ].join('\n'),
      );
    });
}

function modelListCommand(model: Command, globals: () => GlobalOptions): void {
  model
    .command('list')
    .description(listModelsOp.summary)
    .option('--tag <tag>', 'only models carrying this tag')
    .action(async (o: { tag?: string }) => {
      const g = globals();
      const { models } = await runCliOp(g, listModelsOp, { tag: o.tag });
      print(models, g, () =>
        textTable(
          models.map((m) => ({
            id: m.id,
            universe: m.universe,
            model: m.architecture,
            seed: m.seed.description,
            matched: m.seed.matched,
            auc: Number((m.distinctiveness ?? 0).toFixed(3)),
            tags: m.tags.join(' '),
            from: m.retrainedFrom ?? '',
            created: m.createdAt.slice(0, 19),
          })),
        ),
      );
    });
}

function modelShowCommand(model: Command, globals: () => GlobalOptions): void {
  model
    .command('show')
    .description(getModelOp.summary)
    .argument('<modelId>')
    .action(async (id: string) => {
      const g = globals();
      const m = await runCliOp(g, getModelOp, { id });
      print(m, g, () => JSON.stringify(m, null, 2));
    });
}

function modelFrontierCommand(model: Command, globals: () => GlobalOptions): void {
  model
    .command('frontier')
    .description(modelFrontierOp.summary)
    .argument('<modelId>')
    .option('--sizes <n,...>', 'exact sizes only')
    .option('--steps <n>', 'grid points (default 40)')
    .action(async (id: string, o: { sizes?: string; steps?: string }) => {
      const g = globals();
      const f = await runCliOp(g, modelFrontierOp, {
        id,
        steps: flagNumber(o.steps),
        sizes: o.sizes?.split(',').map((s) => flagNumber(s)),
      });
      print(f, g, () =>
        [
          `universe ${fmtNumber(f.summary.universeSize)}, estimated positive share ${fmtPercent(f.summary.positiveShare)} [${fmtPercent(f.summary.positiveShareCi[0])}, ${fmtPercent(f.summary.positiveShareCi[1])}]`,
          textTable(
            f.points.map((p) => ({
              size: p.size,
              share: fmtPercent(p.share),
              threshold: Number(p.threshold.toFixed(4)),
              precision: fmtPercent(p.expectedPrecision),
              ci: `${fmtPercent(p.ci[0])} - ${fmtPercent(p.ci[1])}`,
              positives: Math.round(p.expectedPositives),
              recall: fmtPercent(p.heldOutRecall),
              lift: Number(p.lift.toFixed(2)),
            })),
          ),
        ].join('\n'),
      );
    });
}

function modelExplainCommand(model: Command, globals: () => GlobalOptions): void {
  model
    .command('explain')
    .description(explainModelOp.summary)
    .argument('<modelId>')
    .argument('[ids...]', 'IDs to explain one by one (default: the top of the ranking)')
    .option('--size <n>', 'the top of the ranking to explain (default 1000)')
    .option('--top <n>', 'features per answer (default 15)')
    .action(async (id: string, ids: string[], o: { size?: string; top?: string }) => {
      const g = globals();
      const out = await runCliOp(g, explainModelOp, {
        id,
        ids,
        size: flagNumber(o.size),
        top: flagNumber(o.top),
      });
      print(out, g, () =>
        out.explanations.length
          ? out.explanations
              .map((e) =>
                [
                  `${e.id}  score ${e.score.toFixed(4)}`,
                  ...e.contributions.map(
                    (c) =>
                      `  ${c.contribution >= 0 ? '+' : ''}${c.contribution.toFixed(3)}  ${c.feature} = ${Number(c.value.toFixed(3))}`,
                  ),
                ].join('\n'),
              )
              .join('\n')
          : textTable(
              out.drivers.map((d) => ({
                feature: d.feature,
                contribution: Number(d.meanContribution.toFixed(3)),
                'top %': fmtPercent(d.prevalence),
                'all %': fmtPercent(d.referencePrevalence),
                index: d.index === null ? '' : Math.round(d.index),
              })),
            ),
      );
    });
}
