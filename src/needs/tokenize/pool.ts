import { InvalidInputError, type TaskRunner } from '../../schema/index.ts';
import type { Token } from '../types.ts';

export interface TokenizerPoolOptions {
  /** Characters per task; smaller tasks balance better, larger ones pay less messaging. */
  chunkChars?: number;
}

/**
 * Tokenizes batches on a task runner's threads (the `tokenize` task): sentences are cut into
 * chunks of about `chunkChars` characters so that every thread gets work. Each thread builds its
 * own kuromoji dictionary on its first chunk. Closing is the runner owner's business.
 *
 * @example
 * const tokenizers = new TokenizerPool(new WorkerPool({ size: 2 }));
 * const tokens = await tokenizers.tokenize(['パンが焼ける', '掃除が楽']);
 */
export class TokenizerPool {
  private readonly chunkChars: number;

  constructor(
    private readonly runner: TaskRunner,
    options: TokenizerPoolOptions = {},
  ) {
    const chunkChars = options.chunkChars ?? 20_000;
    if (!Number.isInteger(chunkChars) || chunkChars < 1) {
      throw new InvalidInputError(`chunkChars must be a whole number >= 1, got ${chunkChars}`, 'chunkChars');
    }
    this.chunkChars = chunkChars;
  }

  get size(): number {
    return this.runner.size;
  }

  /**
   * Tokenizes sentences across the runner's threads.
   *
   * @param sentences normalised sentences
   * @returns one token list per sentence, in input order
   * @throws Error when a thread fails or the runner is closed
   * @example
   * await pool.tokenize(['掃除が楽']); // [[{ surface: '掃除', ... }, ...]]
   */
  async tokenize(sentences: readonly string[]): Promise<Token[][]> {
    const chunks: string[][] = [];
    let chunk: string[] = [];
    let chars = 0;
    for (const s of sentences) {
      chunk.push(s);
      chars += s.length;
      if (chars >= this.chunkChars) {
        chunks.push(chunk);
        chunk = [];
        chars = 0;
      }
    }
    if (chunk.length) chunks.push(chunk);
    const parts = await Promise.all(
      chunks.map((c) => this.runner.run<Token[][]>('tokenize', { sentences: c })),
    );
    return parts.flat();
  }
}
