import { InvalidInputError } from '../schema/index.ts';
import { MAX_BATCH_TEXTS, MAX_TEXT_CHARS } from './limits.ts';
import type { NeedClassifier } from './model/classifier.ts';
import { codePointLength } from './text/normalize.ts';
import { prepareTexts } from './text/prepare.ts';
import type { TokenizerPool } from './tokenize/pool.ts';
import { kuromojiTokenizer, poolTokenizer, type Tokenizer } from './tokenize/tokenizer.ts';
import type { NeedResult } from './types.ts';

export interface ClassifyOptions {
  /** The theme's classifier (see `servingClassifier`). */
  classifier: NeedClassifier;
  /** Tokenize on a worker pool (batch work) instead of the calling thread. */
  pool?: TokenizerPool;
  /** Any other tokenizer, e.g. MeCab from `resolveTokenizer('mecab')`. Overrides `pool`. */
  tokenizer?: Tokenizer;
}

/**
 * Checks a batch against the documented limits: a non-empty array of at most MAX_BATCH_TEXTS
 * strings, each non-blank and at most MAX_TEXT_CHARS characters (code points).
 *
 * @param texts the caller's input
 * @throws InvalidInputError naming the offending text (`texts[i]`), the limit and the actual value
 * @example
 * validateTexts(['パンが焼ける']); // ok
 * validateTexts(['']); // throws: texts[0] is empty
 */
export function validateTexts(texts: unknown): asserts texts is string[] {
  if (!Array.isArray(texts)) throw new InvalidInputError('texts must be an array of strings', 'texts');
  if (texts.length === 0) throw new InvalidInputError('texts is empty: give at least one text', 'texts');
  if (texts.length > MAX_BATCH_TEXTS) {
    throw new InvalidInputError(
      `too many texts: ${texts.length} given, at most ${MAX_BATCH_TEXTS} per call`,
      'texts',
      { limit: MAX_BATCH_TEXTS, actual: texts.length },
    );
  }
  texts.forEach((t, i) => {
    const field = `texts[${i}]`;
    if (typeof t !== 'string')
      throw new InvalidInputError(`${field} is ${t === null ? 'null' : typeof t}, not a string`, field);
    if (t.trim() === '')
      throw new InvalidInputError(`${field} is empty: there is nothing to classify`, field);
    const length = codePointLength(t);
    if (length > MAX_TEXT_CHARS) {
      throw new InvalidInputError(
        `${field} is ${length} characters long; the limit is ${MAX_TEXT_CHARS} characters per text`,
        field,
        { limit: MAX_TEXT_CHARS, actual: length },
      );
    }
  });
}

/**
 * Classifies Japanese consumer texts into a theme's needs. Per text: the needs with scores and
 * met/unmet polarity, a confidence, and per clause the needs with polarity and evidence words.
 * Text that is not Japanese gets no needs, confidence 0 and a warning; control characters are
 * removed and emoji end sentences (both noted in `warnings`).
 *
 * @param texts 1 to MAX_BATCH_TEXTS (1,000) texts of up to MAX_TEXT_CHARS (5,000) characters
 * @param options the classifier and, for batch work, a tokenizer pool
 * @returns one result per text, in order
 * @throws InvalidInputError for an empty, blank, non-string or over-long text or an over-large batch
 * @example
 * const { classifier } = await servingClassifier(files, 'convection_oven');
 * const [r] = await classifyTexts(['唐揚げはイマイチだけど、パンはふっくら焼けて良かった'], { classifier });
 * r.needs.map((n) => `${n.id}:${n.polarity}`); // ['baking:met', 'taste:unmet']
 * r.clauses[1].adversativeBefore; // true
 */
export async function classifyTexts(
  texts: readonly string[],
  options: ClassifyOptions,
): Promise<NeedResult[]> {
  validateTexts(texts);
  const { classifier } = options;
  const tokenizer = options.tokenizer ?? (options.pool ? poolTokenizer(options.pool) : kuromojiTokenizer);
  return classifier.classifyPrepared(await prepareTexts(texts, tokenizer));
}
