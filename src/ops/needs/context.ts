/** What the need operations share: the file port from the context, and the theme checks. */
import {
  hasCorpus,
  kuromojiTokenizer,
  listThemes,
  type NeedFiles,
  poolTokenizer,
  type Tokenizer,
  TokenizerPool,
} from '../../needs/index.ts';
import { AppError, InvalidInputError, NotFoundError } from '../../schema/index.ts';
import type { OpContext } from '../operation.ts';

/** The needs file port of this runtime; need operations cannot run without one. */
export function needFilesOf(ctx: OpContext): NeedFiles {
  if (!ctx.needFiles)
    throw new AppError('unavailable', 'this runtime has no need data (themes, corpora, models)', 503);
  return ctx.needFiles;
}

/**
 * Checks that a theme exists, as a 422 on the `theme` field that lists the themes (the same words
 * over the API and the CLI).
 */
export function requireTheme(files: NeedFiles, theme: string): void {
  const themes = listThemes(files);
  if (!themes.includes(theme))
    throw new InvalidInputError(`unknown theme "${theme}"; themes are ${themes.join(', ')}`, 'theme', {
      themes,
    });
}

/** Checks that a theme can be trained: it exists and has a labelled corpus. */
export function requireTrainable(files: NeedFiles, theme: string): void {
  requireTheme(files, theme);
  if (!hasCorpus(files, theme))
    throw new NotFoundError('need corpus', theme, 'only themes with a labelled corpus can be trained');
}

/** kuromoji on the context's worker threads when it has them, else on this thread. */
export function tokenizerOf(ctx: OpContext): Tokenizer {
  return ctx.runner ? poolTokenizer(new TokenizerPool(ctx.runner)) : kuromojiTokenizer;
}
