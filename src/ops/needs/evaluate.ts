import { z } from 'zod';
import {
  type ClassifierSource,
  type EvaluationReport,
  type EvaluationRow,
  evaluateClassifier,
  hasEvalSet,
  kuromojiTokenizer,
  listThemes,
  loadCorpus,
  loadEvalSet,
  loadTheme,
  NeedClassifier,
  servingClassifier,
} from '../../needs/index.ts';
import { defineOp } from '../operation.ts';
import { needFilesOf, requireTheme } from './context.ts';

export const EvaluateInput = z
  .object({
    theme: z.string().min(1).max(100).optional().meta({ description: 'one theme (default: every theme)' }),
    evalSet: z
      .boolean()
      .default(true)
      .meta({ description: 'also score the held-out evaluation set where the theme has one' }),
  })
  .strict();

export interface ThemeEvaluation {
  theme: string;
  version: string;
  source: ClassifierSource;
  /** The corpus's held-out test split. */
  test: EvaluationReport;
  /** The same split scored by the theme's dictionary alone (what a new theme gets). */
  dictionaryOnly: EvaluationReport;
  /** The evaluation set written apart from the corpus, when the theme has one. */
  evalSet: EvaluationReport | null;
}

export const evaluateNeedsOp = defineOp({
  name: 'needs.evaluate',
  summary:
    "Score the serving need classifiers on their corpus's test split and on the held-out evaluation set",
  input: EvaluateInput,
  roles: ['data_scientist'],
  long: false,
  run: async (ctx, input): Promise<{ themes: ThemeEvaluation[] }> => {
    const files = needFilesOf(ctx);
    if (input.theme) requireTheme(files, input.theme);
    const out: ThemeEvaluation[] = [];
    // Scoring is kuromoji, the tokenizer the API classifies with.
    const tokenizer = kuromojiTokenizer;
    for (const id of input.theme ? [input.theme] : listThemes(files)) {
      const theme = loadTheme(files, id);
      const test = loadCorpus(files, theme).rows.filter((r) => r.split === 'test');
      const { classifier, source } = await servingClassifier(files, id, {
        workspaceModelsDir: ctx.needModelsDir,
      });
      const evalRows: EvaluationRow[] | null =
        input.evalSet && hasEvalSet(files, id) ? loadEvalSet(files, theme).rows : null;
      out.push({
        theme: id,
        version: classifier.version,
        source,
        test: await evaluateClassifier(classifier, test, tokenizer),
        dictionaryOnly: await evaluateClassifier(NeedClassifier.fromDictionary(theme), test, tokenizer),
        evalSet: evalRows ? await evaluateClassifier(classifier, evalRows, tokenizer) : null,
      });
    }
    return { themes: out };
  },
});
