import { InvalidInputError } from '../schema/index.ts';
import { tokenizeKuromoji } from './kuromoji.ts';
import { findMecab, tokenizeMecab } from './mecab.ts';
import { normalizeText } from './normalize.ts';
import type { TokenizerPool } from './pool.ts';
import { splitSentences } from './sentences.ts';
import type { Token } from './types.ts';

export const TOKENIZER_BACKENDS = ['kuromoji', 'mecab', 'auto'] as const;
export type TokenizerBackendName = (typeof TOKENIZER_BACKENDS)[number];

/** Something that turns sentences into tokens: kuromoji in-thread, a worker pool, or MeCab. */
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
 * const tk = poolTokenizer(new TokenizerPool({ size: 2 }));
 */
export function poolTokenizer(pool: TokenizerPool): Tokenizer {
  return { name: `kuromoji-pool(${pool.size})`, tokenize: (s) => pool.tokenize(s) };
}

/**
 * Picks a tokenizer. `kuromoji` is always available; `mecab` needs the `mecab` command with
 * IPADIC (same dictionary, same tokens, several times faster); `auto` takes MeCab when present,
 * else the pool when given, else in-thread kuromoji.
 *
 * @param backend which backend
 * @param pool optional worker pool used by `kuromoji` and `auto`
 * @throws InvalidInputError when `mecab` is asked for and not installed
 * @example
 * const tk = await resolveTokenizer('auto');
 * await tk.tokenize(['パンが焼ける']);
 */
export async function resolveTokenizer(
  backend: TokenizerBackendName = 'kuromoji',
  pool?: TokenizerPool,
): Promise<Tokenizer> {
  if (backend === 'kuromoji') return pool ? poolTokenizer(pool) : kuromojiTokenizer;
  const mecab = await findMecab();
  if (mecab) return { name: 'mecab', tokenize: (s) => tokenizeMecab(mecab, s) };
  if (backend === 'mecab') {
    throw new InvalidInputError(
      'the mecab backend needs the `mecab` command with the IPADIC dictionary (Debian: apt-get install mecab mecab-ipadic-utf8)',
      'backend',
    );
  }
  return pool ? poolTokenizer(pool) : kuromojiTokenizer;
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
