import { z } from 'zod';
import {
  classifyTexts,
  codePointLength,
  MAX_BATCH_TEXTS,
  MAX_TEXT_CHARS,
  type NeedResult,
  servingClassifier,
} from '../../needs/index.ts';
import { defineOp } from '../operation.ts';
import { needFilesOf, requireTheme, tokenizerOf } from './context.ts';

/** A theme id; whether it exists is checked against the theme files when the operation runs. */
export const ThemeId = z
  .string()
  .min(1)
  .max(100)
  .meta({ description: 'need theme', example: 'convection_oven' });

const Text = z.string().superRefine((text, ctx) => {
  if (text.trim() === '')
    ctx.addIssue({ code: 'custom', message: 'the text is empty: there is nothing to classify' });
  const length = codePointLength(text);
  if (length > MAX_TEXT_CHARS)
    ctx.addIssue({
      code: 'custom',
      message: `the text is ${length} characters long; the limit is ${MAX_TEXT_CHARS} characters per text`,
    });
});

export const ClassifyInput = z
  .object({
    texts: z
      .array(Text)
      .min(1, 'texts is empty: give at least one text')
      .max(MAX_BATCH_TEXTS, `at most ${MAX_BATCH_TEXTS} texts per call`)
      .meta({ example: ['唐揚げはイマイチだけど、パンはふっくら焼けて良かった'] }),
    theme: ThemeId,
  })
  .strict()
  .meta({ id: 'ClassifyRequest' });

export interface ClassifyResult {
  theme: string;
  modelVersion: string;
  results: NeedResult[];
}

export const classifyNeedsOp = defineOp({
  name: 'needs.classify',
  summary: 'Classify Japanese consumer texts into the needs of a theme (per text and per clause)',
  input: ClassifyInput,
  roles: ['marketer', 'data_scientist'],
  long: false,
  run: async (ctx, input): Promise<ClassifyResult> => {
    const files = needFilesOf(ctx);
    requireTheme(files, input.theme);
    const { classifier } = await servingClassifier(files, input.theme, {
      workspaceModelsDir: ctx.needModelsDir,
    });
    const results = await classifyTexts(input.texts, { classifier, tokenizer: tokenizerOf(ctx) });
    return { theme: input.theme, modelVersion: classifier.version, results };
  },
});
