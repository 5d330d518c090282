/**
 * Ports: what domain code needs from its runtime, as plain interfaces. Node implements them in
 * `src/adapters` (worker threads, files); tests and the Worker bring their own. Domain modules
 * depend on these, never on `node:` modules.
 */

/** Progress of long work: a fraction in [0, 1] and a short message. */
export type ProgressFn = (fraction: number, message: string) => void;

export interface TaskRunOptions {
  /** Buffers moved to the task instead of copied; they are unusable here afterwards. */
  transfer?: readonly ArrayBuffer[];
  /** Progress reports of the running task. If it throws, the task is stopped with that error. */
  onProgress?: ProgressFn;
  /** Aborting stops the task (its thread is ended) and rejects with a `CancelledError`. */
  signal?: AbortSignal;
}

/**
 * Runs CPU-heavy tasks by name off the calling thread (k-means, TF.js training, tokenizing).
 *
 * @example
 * const sum = await runner.run<number>('sum-array', { values }, { transfer: [values.buffer] });
 */
export interface TaskRunner {
  /** Threads that run tasks at once. */
  readonly size: number;
  run<T>(name: string, payload: unknown, options?: TaskRunOptions): Promise<T>;
  close(): Promise<void>;
}

/** Files of the machine the server (or CLI) runs on, for operations that read or write them. */
export interface LocalFiles {
  /** Writes text to `path` (relative paths resolve against the caller's working folder), atomically. */
  writeText(path: string, text: string): Promise<string>;
  /** The absolute form of `path`, so a server can read what a CLI beside it named. */
  resolve(path: string): string;
}

/**
 * Files uploaded over HTTP, kept by the server until an import consumes them. Jobs and operations
 * name an upload by its id, never by where the server keeps it.
 */
export interface UploadStore {
  /** Streams a body into the store, stopping with a 413 past `limitBytes`. */
  save(
    body: ReadableStream<Uint8Array>,
    filename: string,
    limitBytes: number,
  ): Promise<{ id: string; bytes: number }>;
  /** Where the importer reads an upload; a `NotFoundError` once it is gone. */
  pathOf(id: string): string;
  /** Removes an upload (nothing happens when it is already gone). */
  remove(id: string): Promise<void>;
}
