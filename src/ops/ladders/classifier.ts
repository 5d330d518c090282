/**
 * The substantive-text classifier of the engagement ladder, built once per process on the
 * context's tokenizer (kuromoji on the worker threads when the runtime has them, else in this
 * thread: the same IPADIC tokens either way), and only when some answer or review text has no
 * cached label.
 */
import { SubstantiveClassifier } from '../../ladders/index.ts';
import { tokenizerOf } from '../needs/context.ts';
import type { OpContext } from '../operation.ts';

let building: Promise<SubstantiveClassifier> | null = null;

/** A lazy factory for the ladder code: nothing is tokenized unless a label is missing. */
export function substantiveClassifier(ctx: OpContext): () => Promise<SubstantiveClassifier> {
  return () => {
    building ??= SubstantiveClassifier.create(tokenizerOf(ctx)).catch((err: unknown) => {
      building = null;
      throw err;
    });
    return building;
  };
}
