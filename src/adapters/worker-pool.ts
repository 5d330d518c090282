import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { CancelledError, type TaskRunner, type TaskRunOptions, toError } from '../schema/index.ts';
import type { PoolTask } from './pool-task.ts';

const WORKER = new URL('./pool-worker.mjs', import.meta.url);

export interface WorkerPoolOptions {
  /** Threads (default: one less than the cores, 1 to 2). */
  size?: number;
  /** An idle thread ends after this long, freeing what its tasks loaded (kuromoji, TF.js). */
  idleTimeoutMs?: number;
  /**
   * Keep every thread alive once started (a server: the first request after a quiet minute
   * should not pay a thread's 1-2 s start). Default false.
   */
  keepAlive?: boolean;
}

/**
 * The one pool of worker threads (piscina) that runs the CPU-heavy tasks of `tasks.ts` by name,
 * so the event loop that serves requests stays free. Progress comes back on a port per task; a
 * progress callback that throws, or an aborted signal, stops the task by ending its thread, and
 * the caller gets the error: never an exception thrown into a message handler.
 *
 * @example
 * const pool = new WorkerPool({ size: 2 });
 * const sum = await pool.run<number>('sum-array', { values }, { transfer: [values.buffer] });
 * await pool.close();
 */
export class WorkerPool implements TaskRunner {
  readonly size: number;
  private readonly piscina: Piscina;
  private closed = false;

  constructor(options: WorkerPoolOptions = {}) {
    this.size = options.size ?? Math.max(1, Math.min(2, availableParallelism() - 1));
    this.piscina = new Piscina({
      filename: WORKER.href,
      minThreads: options.keepAlive ? this.size : 0,
      maxThreads: this.size,
      idleTimeout: options.idleTimeoutMs ?? 60_000,
      // A thread runs one task at a time: the tasks are CPU-bound.
      concurrentTasksPerWorker: 1,
    });
  }

  async run<T>(name: string, payload: unknown, options: TaskRunOptions = {}): Promise<T> {
    if (this.closed) throw new CancelledError('the worker pool is closed');
    if (options.signal?.aborted) throw new CancelledError(`task "${name}" was cancelled`);
    const stop = new AbortController();
    let stopReason: Error | null = null;
    const onAbort = () => {
      stopReason ??= new CancelledError(`task "${name}" was cancelled`);
      stop.abort();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (p: { fraction: number; message: string }) => {
      if (stopReason) return;
      try {
        options.onProgress?.(p.fraction, p.message);
      } catch (thrown) {
        stopReason = toError(thrown);
        stop.abort();
      }
    });
    try {
      const task: PoolTask = { name, payload, progress: port2 };
      return (await this.piscina.run(task, {
        transferList: [port2, ...(options.transfer ?? [])] as never,
        signal: stop.signal,
      })) as T;
    } catch (thrown) {
      throw stopReason ?? toError(thrown);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      port1.close();
    }
  }

  /**
   * Starts every thread and loads the named tasks' modules on each, so the next tasks pay
   * neither. A cold thread registers the TypeScript loader and imports its task's module graph:
   * measured at 1.0 s for the first scale shard step on one cold thread and 1.6-1.8 s on two at
   * once (2 shared cores), against 0.09 s for the same step warm, so a timed or latency-bound run
   * warms first. Threads still end after the idle timeout. Returns the IDs of the threads warmed.
   *
   * @throws Error naming the known tasks when a name is unknown.
   */
  async warm(names: readonly string[], timeoutMs = 30_000): Promise<number[]> {
    const arrived = new Int32Array(new SharedArrayBuffer(4));
    const payload = { names: [...names], arrived, threads: this.size, timeoutMs };
    const ids = await Promise.all(Array.from({ length: this.size }, () => this.run<number>('warm', payload)));
    return [...new Set(ids)].sort((a, b) => a - b);
  }

  /** Ends every thread; running tasks fail. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.piscina.destroy();
  }
}
