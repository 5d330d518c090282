/**
 * `lookalike model compare|tag|delete|retrain|scores`: adapters over the lifecycle operations
 * (`ops/lookalike/compare.ts`, `lifecycle.ts`, `scores.ts`), with their defaults and messages.
 */
import { createWriteStream } from 'node:fs';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import {
  compareModelsOp,
  deleteModelOp,
  modelScoresOp,
  parseInput,
  retrainModelOp,
  tagModelOp,
} from '../../ops/index.ts';
import { AppError, type ProblemDetails } from '../../schema/index.ts';
import { flagNumber, runCliOp } from '../cli-op.ts';
import { fmtPercent, type GlobalOptions, homeFrom, print, textTable, withWorkspace } from '../cli-support.ts';
import { readServerInfo } from '../server-info.ts';

export function registerModelLifecycleCommands(model: Command, globals: () => GlobalOptions): void {
  compareCommand(model, globals);
  tagCommand(model, globals);
  deleteCommand(model, globals);
  retrainCommand(model, globals);
  scoresCommand(model, globals);
}

const list = (v: string | undefined) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
const auc = (v: number | null) => (v === null ? '' : v.toFixed(4));

function compareCommand(model: Command, globals: () => GlobalOptions): void {
  model
    .command('compare')
    .description(compareModelsOp.summary)
    .argument('<modelIds...>', 'two or more model ids')
    .action(async (ids: string[]) => {
      const g = globals();
      const c = await runCliOp(g, compareModelsOp, { ids });
      print(c, g, () =>
        [
          textTable(
            c.models.map((m) => ({
              id: m.id,
              model: m.architecture,
              universe: m.universe,
              seed: m.seed.description,
              matched: m.seed.matched,
              data: m.dataFingerprint.slice(0, 12),
              asOf: m.window.asOf ?? '',
              'val auc': auc(m.validation.auc),
              'positive share': fmtPercent(m.calibration.positiveShare),
              backtests: m.backtests.length,
              tags: m.tags.join(' '),
              from: m.retrainedFrom ?? '',
            })),
          ),
          ...c.models.map((m) => `${m.id}: ${m.selection.reasonJa} / ${m.selection.reason}`),
          ...c.backtestsPooled.map(
            (b) =>
              `バックテスト統合 ${Math.round(b.share * 100)}%: リフト比 ${b.ratio.toFixed(3)} (95% ${b.ci.map((x) => x.toFixed(3)).join('-')}, ${b.cases}件中${b.pooled}件) / ` +
              `backtests pooled at ${Math.round(b.share * 100)}%: our lift / baseline's ${b.ratio.toFixed(3)} over ${b.pooled} of ${b.cases}; ` +
              `between backtests p ${b.p.toFixed(3)}, tau ${b.tau.toFixed(3)}`,
          ),
          `differences: ${c.differences.join(', ') || 'none'}${c.comparable ? '' : ' (different seeds, universes or windows: validation AUCs are not comparable)'}`,
        ].join('\n'),
      );
    });
}

function tagCommand(model: Command, globals: () => GlobalOptions): void {
  model
    .command('tag')
    .description(tagModelOp.summary)
    .argument('<modelId>')
    .option('--add <tags>', 'tags to add (comma-separated)')
    .option('--remove <tags>', 'tags to remove (comma-separated)')
    .action(async (id: string, o: { add?: string; remove?: string }) => {
      const g = globals();
      const r = await runCliOp(g, tagModelOp, { id, add: list(o.add), remove: list(o.remove) });
      print(r, g, () => `${r.id}: ${r.tags.join(', ') || '(no tags)'}`);
    });
}

function deleteCommand(model: Command, globals: () => GlobalOptions): void {
  model
    .command('delete')
    .description(deleteModelOp.summary)
    .argument('<modelId>')
    .action(async (id: string) => {
      const g = globals();
      const r = await runCliOp(g, deleteModelOp, { id });
      print(r, g, () => `deleted ${r.id} (${r.files} files)`);
    });
}

function retrainCommand(model: Command, globals: () => GlobalOptions): void {
  model
    .command('retrain')
    .description(retrainModelOp.summary)
    .argument('<modelId>', 'the model whose spec is retrained')
    .option('--id <id>', 'id of the new model')
    .option('--as-of <day>', 'members universe: features from data strictly before this day')
    .option('--since <day>', 'members universe: feature window start')
    .option('--random-seed <n>', 'random seed (default: the source model’s)')
    .action(async (id: string, o: { id?: string; asOf?: string; since?: string; randomSeed?: string }) => {
      const g = globals();
      const r = await runCliOp(
        g,
        retrainModelOp,
        { id, newId: o.id, asOf: o.asOf, since: o.since, randomSeed: flagNumber(o.randomSeed) },
        { label: 'retraining' },
      );
      print(r, g, () => `model ${r.modelId}: ${r.architecture}, retrained from ${r.retrainedFrom}`);
    });
}

/** Copies a web stream to a file or stdout, waiting until every byte is written. */
async function writeOut(body: ReadableStream<Uint8Array>, out: string | undefined): Promise<void> {
  const sink = out ? createWriteStream(out) : process.stdout;
  await body.pipeTo(Writable.toWeb(sink) as WritableStream<Uint8Array>, { preventClose: !out });
}

function scoresCommand(model: Command, globals: () => GlobalOptions): void {
  model
    .command('scores')
    .description(modelScoresOp.summary)
    .argument('<modelId>')
    .option('--format <format>', 'csv, ndjson or arrow (default csv)')
    .option('--limit <n>', 'only the top n of the ranking')
    .option('--out <file>', 'write to this file (default: standard output)')
    .action(async (id: string, o: { format?: string; limit?: string; out?: string }) => {
      const g = globals();
      const input = parseInput(modelScoresOp, { id, format: o.format, limit: flagNumber(o.limit) });
      const server = readServerInfo(homeFrom(g));
      if (server) {
        // The scores stream bytes, so the CLI reads them from the server's route, not /v1/ops.
        const query = new URLSearchParams({ format: input.format });
        if (input.limit) query.set('limit', String(input.limit));
        const res = await fetch(
          `${server.url}/v1/lookalike-models/${encodeURIComponent(id)}/scores?${query}`,
          {
            headers: { authorization: `Bearer ${server.key}` },
          },
        );
        if (!res.ok || !res.body) {
          const p = (await res.json().catch(() => ({ detail: res.statusText }))) as Partial<ProblemDetails>;
          throw new AppError(
            'server-error',
            p.detail ?? `the server answered ${res.status}`,
            res.status,
            p.field,
          );
        }
        await writeOut(res.body, o.out);
        return;
      }
      await withWorkspace(g, async (ws) => {
        const r = await modelScoresOp.run({ ws, needModelsDir: '', progress: () => undefined }, input);
        await writeOut(r.body, o.out);
        if (o.out) process.stderr.write(`${r.rows} rows of ${r.universeSize} written to ${o.out}\n`);
      });
    });
}
