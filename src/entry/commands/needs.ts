import { resolve } from 'node:path';
import type { Command } from 'commander';
import { nodeNeedFiles, readLivedoor, resolveTokenizer, WorkerPool } from '../../adapters/index.ts';
import {
  DEFAULT_MODELS_DIR,
  type EvaluationReport,
  LIVEDOOR_DEFAULTS,
  listThemes,
  type NeedMetrics,
  TOKENIZER_BACKENDS,
  type TokenizerBackendName,
  TokenizerPool,
  trainLivedoor,
  trainTheme,
} from '../../needs/index.ts';
import {
  classifyNeedsOp,
  evaluateNeedsOp,
  needThemesOp,
  parseInput,
  type RetrainResult,
  retrainNeedsOp,
} from '../../ops/index.ts';
import { InvalidInputError } from '../../schema/index.ts';
import { flagNumber, runCliOp } from '../cli-op.ts';
import { type GlobalOptions, print, progressBar, textTable } from '../cli-support.ts';

const pct = (x: number) => Math.round(x * 1000) / 10;

function backendOf(value: string): TokenizerBackendName {
  if (!(TOKENIZER_BACKENDS as readonly string[]).includes(value)) {
    throw new InvalidInputError(
      `--backend "${value}" is not valid; use one of ${TOKENIZER_BACKENDS.join(', ')}`,
      'backend',
    );
  }
  return value as TokenizerBackendName;
}

function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidInputError(`--${name} must be a whole number, got "${value}"`, name);
  }
  return n;
}

/** `needs classify` flags as the `needs.classify` operation's raw input (no defaults of its own). */
export function classifyFlags(texts: string[], o: { theme?: string }): unknown {
  return { texts, theme: o.theme };
}

/** `needs train` flags as the `needs.retrain` operation's raw input (no defaults of its own). */
export function retrainFlags(theme: string, o: { seed?: string }): unknown {
  return { theme, seed: flagNumber(o.seed) };
}

/** Per-need table and summary lines of one evaluation. */
function metricsReport(title: string, m: NeedMetrics): string {
  const rows = m.perNeed.map((n) => ({
    need: n.id,
    precision: pct(n.precision),
    recall: pct(n.recall),
    f1: pct(n.f1),
    support: n.support,
  }));
  return [
    `${title}: ${m.texts} texts`,
    textTable(rows),
    `micro-F1 ${pct(m.microF1)}% (P ${pct(m.microPrecision)}%, R ${pct(m.microRecall)}%)  macro-F1 ${pct(m.macroF1)}%  exact match ${pct(m.exactMatch)}%`,
    `after-adversative focus found ${pct(m.focusRecall)}% of ${m.focusPairs} (placed right ${pct(m.focusPrecision ?? 0)}%)  met/unmet right ${pct(m.polarityAccuracy)}% of ${m.polarityPairs}  unmet recall ${pct(m.unmetRecall ?? 0)}% of ${m.unmetPairs ?? 0}`,
  ].join('\n');
}

function evaluationReport(title: string, r: EvaluationReport): string {
  const lines = [metricsReport(title, r.metrics)];
  if (r.byForm.length)
    lines.push(
      textTable(
        r.byForm.map((f) => ({
          form: f.name,
          texts: f.texts,
          'focus pairs': f.focusPairs,
          'focus found %': pct(f.focusRecall),
        })),
      ),
    );
  lines.push(
    `confidence vs exact match (ECE ${r.calibration.ece.toFixed(3)}): ${r.calibration.bins
      .map((b) => `[${b.low.toFixed(1)},${b.high.toFixed(1)}) ${b.texts} texts ${pct(b.exactShare)}%`)
      .join('  ')}`,
  );
  return lines.join('\n');
}

/**
 * `lookalike needs ...`: each command turns its flags into its operation's input (`ops/needs`):
 * the defaults, limits and messages are the operation's, as over the API. `train --ship` is the
 * developer's way to re-ship the repository's models; the livedoor check has no operation.
 *
 * @param program the root command
 * @param globals the global options (--json, --home)
 * @example
 * registerNeedsCommands(program, () => program.opts());
 */
export function registerNeedsCommands(program: Command, globals: () => GlobalOptions): void {
  const needs = program.command('needs').description('need classification of Japanese consumer text');
  registerThemes(needs, globals);
  registerTrain(needs, globals);
  registerEval(needs, globals);
  registerClassify(needs, globals);
  registerLivedoor(needs, globals);
}

/** `needs themes`: the themes, their needs and the model each uses. */
function registerThemes(needs: Command, globals: () => GlobalOptions): void {
  needs
    .command('themes')
    .description(needThemesOp.summary)
    .action(async () => {
      const g = globals();
      const { themes } = await runCliOp(g, needThemesOp, {});
      const rows = themes.map((t) => ({
        theme: t.theme,
        name: t.name_ja,
        needs: t.needs.map((n) => `${n.id}(${n.name_ja})`).join(', '),
        model: `${t.model.version} (${t.model.source})`,
      }));
      print(themes, g, () => textTable(rows));
    });
}

/** `needs train`: retrains themes in the workspace, or with --ship the repository's models. */
function registerTrain(needs: Command, globals: () => GlobalOptions): void {
  needs
    .command('train')
    .description(retrainNeedsOp.summary)
    .option('--theme <id>', 'theme to train')
    .option('--all', 'train every theme that has a corpus')
    .option('--seed <n>', "random seed (default: the shipped models' seed)")
    .option(
      '--ship',
      `write the repository's shipped models (${DEFAULT_MODELS_DIR}) instead of the workspace's`,
    )
    .option('--backend <name>', `tokenizer with --ship: ${TOKENIZER_BACKENDS.join(', ')}`, 'kuromoji')
    .action(async (o: { theme?: string; all?: boolean; seed?: string; ship?: boolean; backend: string }) => {
      const g = globals();
      const themes = o.all ? listThemes(nodeNeedFiles) : [o.theme ?? ''];
      const results: RetrainResult[] = [];
      for (const theme of themes) {
        if (!o.ship) {
          results.push(
            await runCliOp(g, retrainNeedsOp, retrainFlags(theme, o), { label: `training ${theme}` }),
          );
          continue;
        }
        const input = parseInput(retrainNeedsOp, retrainFlags(theme, o));
        const bar = progressBar(`training ${theme}`);
        const { result, manifest } = await trainTheme(nodeNeedFiles, input.theme, {
          params: { seed: input.seed },
          tokenizer: await resolveTokenizer(backendOf(o.backend)),
          modelsDir: DEFAULT_MODELS_DIR,
          onProgress: (p) => bar.update(p.total ? p.done / p.total : 0, p.stage),
        }).finally(() => bar.stop());
        results.push({
          theme: input.theme,
          version: manifest.version,
          seconds: result.seconds,
          metrics: manifest.metrics,
          location: DEFAULT_MODELS_DIR,
        });
      }
      print(results, g, () =>
        results
          .map((r) =>
            [
              `${r.theme}: version ${r.version} (${r.seconds.toFixed(1)} s)`,
              r.metrics ? metricsReport('test split', r.metrics.test) : '',
              r.metrics
                ? `dictionary alone on the test split: micro-F1 ${pct(r.metrics.dictionaryOnlyTest.microF1)}%; cross-validation on the train split: micro-F1 ${pct(r.metrics.crossValidation.microF1)}%`
                : '',
            ].join('\n'),
          )
          .join('\n\n'),
      );
    });
}

/** `needs eval`: scores each theme's model on its test split and evaluation set. */
function registerEval(needs: Command, globals: () => GlobalOptions): void {
  needs
    .command('eval')
    .description(evaluateNeedsOp.summary)
    .option('--theme <id>', 'one theme (default: every theme)')
    .option('--no-eval-set', 'only the corpus test split')
    .action(async (o: { theme?: string; evalSet: boolean }) => {
      const g = globals();
      const { themes } = await runCliOp(g, evaluateNeedsOp, { theme: o.theme, evalSet: o.evalSet });
      print(themes, g, () =>
        themes
          .map((t) =>
            [
              `${t.theme} (${t.version}, ${t.source})`,
              evaluationReport('test split', t.test),
              metricsReport('dictionary alone, test split', t.dictionaryOnly.metrics),
              t.evalSet ? evaluationReport('evaluation set (written apart from the corpus)', t.evalSet) : '',
            ].join('\n'),
          )
          .join('\n\n'),
      );
    });
}

/** `needs classify`: the needs in each text, clause by clause. */
function registerClassify(needs: Command, globals: () => GlobalOptions): void {
  needs
    .command('classify')
    .description(classifyNeedsOp.summary)
    .argument('<texts...>', 'one or more texts')
    .option('--theme <id>', 'theme, e.g. convection_oven')
    .action(async (texts: string[], o: { theme?: string }) => {
      const g = globals();
      const { results } = await runCliOp(g, classifyNeedsOp, classifyFlags(texts, o));
      print(results, g, () =>
        results
          .map((r, i) => {
            const needs =
              r.needs.map((n) => `${n.id}(${n.name_ja}) ${n.score} ${n.polarity}`).join(', ') || '(none)';
            const clauses = r.clauses.map(
              (c, ci) =>
                `  ${ci === r.focusClause ? '*' : ' '}${c.adversativeBefore ? '>' : ' '} ${c.text}${c.negated ? ' [negated]' : ''}  ${c.needs
                  .map((n) => `${n.id}:${n.polarity} [${n.evidence.join(' ')}]`)
                  .join(', ')}`,
            );
            return [
              `${texts[i]}\n  needs: ${needs}  confidence ${r.confidence}`,
              ...clauses,
              ...r.warnings.map((w) => `  note: ${w}`),
            ].join('\n');
          })
          .join('\n'),
      );
    });
}

/** `needs livedoor`: the pipeline checked on the livedoor news corpus (no operation behind it). */
function registerLivedoor(needs: Command, globals: () => GlobalOptions): void {
  needs
    .command('livedoor')
    .description('train and test the pipeline on the livedoor news corpus (9 classes, fixed 20% held out)')
    .argument('<archive>', 'ldcc_text.tar.gz')
    .option('--backend <name>', `tokenizer: ${TOKENIZER_BACKENDS.join(', ')}`, 'auto')
    .option('--pool <n>', 'worker threads for kuromoji (when MeCab is not used)', '2')
    .option('--max-chars <n>', 'characters of each article used', String(LIVEDOOR_DEFAULTS.maxChars))
    .option('--seed <n>', 'random seed', String(LIVEDOOR_DEFAULTS.train.seed))
    .action(async (archive: string, o: { backend: string; pool: string; maxChars: string; seed: string }) => {
      const g = globals();
      const threads = new WorkerPool({ size: Math.max(1, positiveInt(o.pool, 'pool')) });
      const pool = new TokenizerPool(threads);
      try {
        const tokenizer = await resolveTokenizer(backendOf(o.backend), pool);
        const bar = progressBar('livedoor');
        const r = await trainLivedoor(readLivedoor(resolve(archive)), {
          tokenizer,
          maxChars: positiveInt(o.maxChars, 'max-chars'),
          train: { seed: positiveInt(o.seed, 'seed') },
          onProgress: (stage) => bar.update(0, stage),
        }).finally(() => bar.stop());
        print(r, g, () =>
          [
            `livedoor: accuracy ${pct(r.accuracy)}% on ${r.testDocs} held-out articles (trained on ${r.trainDocs}), macro-F1 ${pct(r.macroF1)}%`,
            `tokenizer ${r.tokenizer}: ${r.chars.toLocaleString('en-US')} chars in ${r.seconds.tokenize.toFixed(1)} s; training ${r.seconds.train.toFixed(1)} s; ${r.features} features`,
            textTable(
              r.perClass.map((c) => ({
                category: c.category,
                precision: pct(c.precision),
                recall: pct(c.recall),
                f1: pct(c.f1),
                support: c.support,
              })),
            ),
          ].join('\n'),
        );
      } finally {
        await threads.close();
      }
    });
}
