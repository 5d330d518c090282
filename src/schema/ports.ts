/**
 * Ports: what domain code needs from its runtime, as plain interfaces. Node implements them in
 * `src/adapters` (worker threads, uploads, local files) and, for the importer's and the sample
 * generator's file I/O, in `store/node-files.ts`; tests and the Worker bring their own. Domain
 * modules depend on these, never on `node:` modules.
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

/** A stream being written: each `write` resolves once the bytes are accepted (backpressure). */
export interface ByteSink {
  write(bytes: Uint8Array): Promise<void>;
  /** Flushes and closes; resolves once everything is on disk. */
  end(): Promise<void>;
  /** Stops at once, dropping what was not written (for a failed run). */
  destroy(): void;
}

/**
 * The local file system, as the importer and the sample generator use it: big files streamed
 * in chunks, small ones read whole. Errors keep the runtime's `code` (`ENOENT`, `Z_BUF_ERROR`, ...)
 * so the importer can say what went wrong. The Node implementation is `store/node-files.ts`.
 */
export interface ByteFiles {
  /** Size of the entry at `path`, and whether it is a regular file. */
  stat(path: string): Promise<{ size: number; isFile: boolean }>;
  /** The whole file. */
  read(path: string): Promise<Uint8Array>;
  /** The whole file as UTF-8 text, synchronously (small configuration files; a URL names a shipped file). */
  readTextSync(path: string | URL): string;
  /** At most `length` bytes from the start of the file. */
  head(path: string, length: number): Promise<Uint8Array>;
  /** The file in chunks of about `chunkBytes`, gunzipped when asked; `onRead` counts bytes read from disk. */
  chunks(
    path: string,
    options: { chunkBytes: number; gunzip?: boolean; onRead?: (bytes: number) => void },
  ): AsyncGenerator<Uint8Array>;
  /** A new file (replacing any), written through a buffer of `bufferBytes`. */
  sink(path: string, bufferBytes?: number): ByteSink;
  /** Whether an entry exists and is readable. */
  exists(path: string): Promise<boolean>;
  /** Names in a folder. */
  list(dir: string): Promise<string[]>;
  mkdir(dir: string): Promise<void>;
  mkdirSync(dir: string): void;
  /** Removes a file or folder tree; nothing happens when it is gone. */
  remove(path: string): Promise<void>;
  removeSync(path: string): void;
  renameSync(from: string, to: string): void;
  writeTextSync(path: string, text: string): void;
  join(...parts: string[]): string;
  /** The absolute form of `path`. */
  resolve(path: string): string;
  /** Whether `bytes` are valid UTF-8 (native speed: the importer checks every chunk). */
  isUtf8(bytes: Uint8Array): boolean;
  /** An incremental SHA-256 for streamed content, as hex. */
  sha256(): { update(bytes: Uint8Array): void; hex(): string };
}
