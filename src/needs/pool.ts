import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { InvalidInputError } from '../schema/index.ts';
import { spawnTsWorker } from './spawn-worker.ts';
import type { TokenizeReply, TokenizeRequest } from './tokenize-worker.ts';
import type { Token } from './types.ts';

export interface TokenizerPoolOptions {
  /** Worker threads (default: available cores, at most 4: each holds its own 320 MB dictionary). */
  size?: number;
  /** Characters per task; smaller tasks balance better, larger ones pay less messaging. */
  chunkChars?: number;
}

interface Pending {
  resolve: (tokens: Token[][]) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * A pool of worker threads that tokenize with kuromoji, for batch work. Each worker builds its
 * dictionary on its first task. Idle workers are unref'd, so a pool left open does not keep the
 * process alive; `close()` ends them.
 *
 * @example
 * const pool = new TokenizerPool({ size: 2 });
 * const tokens = await pool.tokenize(['パンが焼ける', '掃除が楽']);
 * await pool.close();
 */
export class TokenizerPool {
  readonly size: number;
  private readonly chunkChars: number;
  private readonly slots: (Slot | null)[];
  private nextId = 1;
  private next = 0;
  private closed = false;

  constructor(options: TokenizerPoolOptions = {}) {
    const size = options.size ?? Math.min(4, Math.max(1, availableParallelism()));
    if (!Number.isInteger(size) || size < 1 || size > 64) {
      throw new InvalidInputError(`pool size must be a whole number from 1 to 64, got ${size}`, 'size');
    }
    this.size = size;
    this.chunkChars = options.chunkChars ?? 20_000;
    this.slots = Array.from({ length: size }, () => null);
  }

  private slot(i: number): Slot {
    const existing = this.slots[i];
    if (existing) return existing;
    const worker = spawnTsWorker(new URL('./tokenize-worker.ts', import.meta.url));
    const slot: Slot = { worker, pending: new Map() };
    worker.on('message', (reply: TokenizeReply) => {
      const p = slot.pending.get(reply.id);
      if (!p) return;
      slot.pending.delete(reply.id);
      if (slot.pending.size === 0) worker.unref();
      if (reply.ok) p.resolve(reply.tokens);
      else p.reject(new Error(`tokenizer worker failed: ${reply.message}`));
    });
    const fail = (err: Error) => {
      // A dead worker is replaced on the next task; its pending tasks fail with the cause.
      if (this.slots[i] === slot) this.slots[i] = null;
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
    };
    worker.on('error', (err) => fail(new Error(`tokenizer worker crashed: ${err.message}`)));
    worker.on('exit', (code) => {
      if (!this.closed) fail(new Error(`tokenizer worker exited with code ${code}`));
    });
    this.slots[i] = slot;
    return slot;
  }

  private run(sentences: string[]): Promise<Token[][]> {
    if (this.closed) return Promise.reject(new Error('the tokenizer pool is closed'));
    // Least-loaded worker, ties broken round-robin so that a fresh pool spreads its first tasks.
    let best = this.next % this.size;
    for (let k = 0; k < this.size; k++) {
      const i = (this.next + k) % this.size;
      const load = this.slots[i]?.pending.size ?? 0;
      if (load < (this.slots[best]?.pending.size ?? 0)) best = i;
    }
    this.next = best + 1;
    const slot = this.slot(best);
    const id = this.nextId++;
    return new Promise<Token[][]>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.ref();
      slot.worker.postMessage({ id, sentences } satisfies TokenizeRequest);
    });
  }

  /**
   * Tokenizes sentences across the workers, in chunks of about `chunkChars` characters.
   *
   * @param sentences normalised sentences
   * @returns one token list per sentence, in input order
   * @throws Error when a worker fails or the pool is closed
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
    const parts = await Promise.all(chunks.map((c) => this.run(c)));
    return parts.flat();
  }

  /** Ends every worker; pending tasks fail. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const slots = this.slots.filter((s): s is Slot => s !== null);
    this.slots.fill(null);
    for (const s of slots) {
      for (const p of s.pending.values()) p.reject(new Error('the tokenizer pool was closed'));
      s.pending.clear();
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
