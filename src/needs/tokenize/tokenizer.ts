import { normalizeText } from '../text/normalize.ts';
import { splitSentences } from '../text/sentences.ts';
import type { Token } from '../types.ts';
import { tokenizeKuromoji } from './kuromoji.ts';
import type { TokenizerPool } from './pool.ts';

export const TOKENIZER_BACKENDS = ['kuromoji', 'mecab', 'auto'] as const;
export type TokenizerBackendName = (typeof TOKENIZER_BACKENDS)[number];

/**
 * The tokenizer port: something that turns sentences into IPADIC tokens. kuromoji in-thread
 * (the API's tokenizer), a worker pool of kuromoji, or MeCab (`src/adapters/mecab.ts`).
 */
export interface Tokenizer {
  readonly name: string;
  tokenize(sentences: readonly string[]): Promise<Token[][]>;
}

/** The shared in-thread kuromoji tokenizer (built once per process). */
export const kuromojiTokenizer: Tokenizer = { name: 'kuromoji', tokenize: tokenizeKuromoji };

/**
 * Wraps a worker pool as a tokenizer.
 *
 * @param pool an open `TokenizerPool`
 * @example
 * const tk = poolTokenizer(new TokenizerPool(new WorkerPool({ size: 2 })));
 */
export function poolTokenizer(pool: TokenizerPool): Tokenizer {
  return { name: `kuromoji-pool(${pool.size})`, tokenize: (s) => pool.tokenize(s) };
}

/**
 * Normalises and tokenizes one text with the shared kuromoji tokenizer: a convenience for
 * exploration; batch work should go through `classifyTexts` or a `TokenizerPool`.
 *
 * @param text any text
 * @returns the tokens of all its sentences, in order
 * @example
 * (await tokenize('パンが焼ける')).map((t) => t.base); // ['パン', 'が', '焼ける']
 */
export async function tokenize(text: string, tokenizer: Tokenizer = kuromojiTokenizer): Promise<Token[]> {
  const sentences = splitSentences(normalizeText(text).text);
  return (await tokenizer.tokenize(sentences)).flat();
}
