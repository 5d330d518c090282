import { resolve } from 'node:path';
import type { Command } from 'commander';
import { initTf } from '../../features/tf-backend.ts';
import {
  classifyTexts,
  DEFAULT_MODELS_DIR,
  DEFAULT_TRAIN_PARAMS,
  evaluateDecisions,
  LIVEDOOR_DEFAULTS,
  listThemes,
  loadCorpus,
  loadNeedClassifier,
  loadTheme,
  NeedClassifier,
  type NeedMetrics,
  type NeedModelManifest,
  prepareTexts,
  readLivedoor,
  resolveTokenizer,
  TOKENIZER_BACKENDS,
  type TokenizerBackendName,
  TokenizerPool,
  trainLivedoor,
  trainNeedClassifier,
  trainTheme,
} from '../../needs/index.ts';
import { InvalidInputError } from '../../schema/index.ts';
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
    `after-adversative focus found ${pct(m.focusRecall)}% of ${m.focusPairs}  met/unmet right ${pct(m.polarityAccuracy)}% of ${m.polarityPairs}`,
  ].join('\n');
}

function themesFrom(theme: string | undefined, all: boolean | undefined): string[] {
  if (all) return listThemes();
  return [theme ?? 'convection_oven'];
}

/**
 * `lookalike needs ...`: train, evaluate and try the need classifiers, and run the livedoor
 * check of the same pipeline.
 *
 * @param program the root command
 * @param globals the global options (--json, --home)
 * @example
 * registerNeedsCommands(program, () => program.opts());
 */
export function registerNeedsCommands(program: Command, globals: () => GlobalOptions): void {
  const needs = program.command('needs').description('need classification of Japanese consumer text');

  needs
    .command('themes')
    .description('themes with their needs and the model that serves each')
    .action(async () => {
      const g = globals();
      const rows: { theme: string; name: string; needs: string; model: string }[] = [];
      for (const id of listThemes()) {
        const theme = loadTheme(id);
        const clf = await loadNeedClassifier(id);
        rows.push({
          theme: id,
          name: theme.name_ja,
          needs: theme.needs.map((n) => n.id).join(', '),
          model: clf.model ? clf.version : 'dictionary only',
        });
      }
      print(rows, g, () => textTable(rows));
    });

  needs
    .command('train')
    .description(`train a theme's classifier from data/needs/corpus and write models/needs/<theme>`)
    .option('--theme <id>', 'theme to train', 'convection_oven')
    .option('--all', 'train every theme that has a corpus')
    .option('--seed <n>', 'random seed', String(DEFAULT_TRAIN_PARAMS.seed))
    .option('--backend <name>', `tokenizer: ${TOKENIZER_BACKENDS.join(', ')}`, 'kuromoji')
    .option('--models <dir>', 'models directory', DEFAULT_MODELS_DIR)
    .action(async (o: { theme: string; all?: boolean; seed: string; backend: string; models: string }) => {
      const g = globals();
      const tokenizer = await resolveTokenizer(backendOf(o.backend));
      const results: { theme: string; dir: string; manifest: NeedModelManifest; seconds: number }[] = [];
      for (const theme of themesFrom(o.theme, o.all)) {
        const bar = progressBar(`training ${theme}`);
        const { result, manifest, dir } = await trainTheme(theme, {
          params: { seed: positiveInt(o.seed, 'seed') },
          tokenizer,
          modelsDir: resolve(o.models),
          onProgress: (p) => bar.update(p.total ? p.done / p.total : 0, p.stage),
        }).finally(() => bar.stop());
        results.push({ theme, dir, manifest, seconds: result.seconds });
      }
      print(results, g, () =>
        results
          .map((r) =>
            [
              `${r.theme}: wrote ${r.dir} (version ${r.manifest.version}, ${r.manifest.layout.features} features, ${r.seconds.toFixed(1)} s)`,
              metricsReport('test split', r.manifest.metrics!.test),
              `dictionary alone on the test split: micro-F1 ${pct(r.manifest.metrics!.dictionaryOnlyTest.microF1)}%, macro-F1 ${pct(r.manifest.metrics!.dictionaryOnlyTest.macroF1)}%`,
              `cross-validation on the train split: micro-F1 ${pct(r.manifest.metrics!.crossValidation.microF1)}%`,
            ].join('\n'),
          )
          .join('\n\n'),
      );
    });

  needs
    .command('eval')
    .description("score the shipped classifiers on their corpus's test split")
    .option('--theme <id>', 'theme to evaluate', 'convection_oven')
    .option('--all', 'every theme that has a corpus')
    .option(
      '--ablation',
      'also retrain without intent-carrying function words (ない, たい, ほしい, ...) and compare',
    )
    .action(async (o: { theme: string; all?: boolean; ablation?: boolean }) => {
      const g = globals();
      const reports: Record<string, unknown>[] = [];
      for (const id of themesFrom(o.theme, o.all)) {
        const theme = loadTheme(id);
        const corpus = loadCorpus(theme);
        const test = corpus.rows.filter((r) => r.split === 'test');
        const prepared = await prepareTexts(
          test.map((r) => r.text),
          await resolveTokenizer('kuromoji'),
        );
        const evaluate = (clf: NeedClassifier) => {
          const scores = clf.score(prepared);
          return evaluateDecisions(
            clf.needIds,
            test,
            prepared.map((p, i) => clf.decide(p, scores[i]!)),
          );
        };
        const clf = await loadNeedClassifier(id);
        const report: Record<string, unknown> = {
          theme: id,
          version: clf.version,
          test: evaluate(clf),
          dictionaryOnly: evaluate(NeedClassifier.fromDictionary(theme)),
        };
        if (o.ablation) {
          await initTf();
          const without = await trainNeedClassifier(theme, corpus, {
            params: { features: { ...DEFAULT_TRAIN_PARAMS.features, functionWords: false } },
          });
          const withWords = await trainNeedClassifier(theme, corpus);
          report.ablation = {
            withFunctionWords: { test: withWords.test, crossValidation: withWords.crossValidation },
            withoutFunctionWords: { test: without.test, crossValidation: without.crossValidation },
          };
        }
        reports.push(report);
      }
      print(reports, g, () =>
        reports
          .map((r) => {
            const lines = [
              `${r.theme} (${r.version})`,
              metricsReport('test split', r.test as NeedMetrics),
              metricsReport('dictionary alone', r.dictionaryOnly as NeedMetrics),
            ];
            const ab = r.ablation as
              | Record<string, { test: NeedMetrics; crossValidation: NeedMetrics }>
              | undefined;
            if (ab) {
              lines.push(
                textTable(
                  Object.entries(ab).map(([variant, m]) => ({
                    variant,
                    'cv micro-F1': pct(m.crossValidation.microF1),
                    'cv met/unmet': pct(m.crossValidation.polarityAccuracy),
                    'test micro-F1': pct(m.test.microF1),
                    'test macro-F1': pct(m.test.macroF1),
                    'test met/unmet': pct(m.test.polarityAccuracy),
                  })),
                ),
              );
            }
            return lines.join('\n');
          })
          .join('\n\n'),
      );
    });

  needs
    .command('classify')
    .description('classify texts into needs (per text and per clause)')
    .argument('<texts...>', 'one or more texts')
    .option('--theme <id>', 'theme', 'convection_oven')
    .action(async (texts: string[], o: { theme: string }) => {
      const g = globals();
      const results = await classifyTexts(texts, { theme: o.theme });
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
      const pool = new TokenizerPool({ size: Math.max(1, positiveInt(o.pool, 'pool')) });
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
        await pool.close();
      }
    });
}
