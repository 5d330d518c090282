import { ConflictError, InvalidInputError } from '../schema/index.ts';

export interface PutOptions {
  /**
   * False for results that can be recomputed (a scoring run's per-shard files): still atomic
   * against a crashed process, but not flushed to disk, so a crash of the machine may leave the
   * key empty or truncated. A flush costs about 6 ms a file here, paid ~3 times per shard of a
   * run. Default true.
   */
  durable?: boolean;
}

/**
 * Where models, segmentations, audiences and exports live. Keys are slash-separated relative
 * paths (`models/lookalike/lm_123/manifest.json`). A reader never sees half an artifact:
 * `put` is atomic per key, and `publish` makes a whole set of files visible at once (or, on
 * object stores that cannot rename, writes `manifest.json` last so that its presence marks the
 * set complete).
 */
export interface ArtifactStore {
  put(key: string, data: Uint8Array | string, options?: PutOptions): Promise<void>;
  get(key: string): Promise<Uint8Array | null>;
  /** Keys under `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  /** Publishes every file under `prefix/` as one unit; fails if `prefix` already holds a manifest. */
  publish(prefix: string, files: Readonly<Record<string, Uint8Array | string>>): Promise<void>;
  /**
   * Removes every file under `prefix/` as one unit: readers see the whole artifact or none of it.
   * Returns the keys removed ([] when there was nothing).
   */
  unpublish(prefix: string): Promise<string[]>;
}

const KEY_PATTERN = /^[A-Za-z0-9_.=-]+(\/[A-Za-z0-9_.=-]+)*$/;

/** Rejects keys that could escape the store root or are not portable across stores. */
export function checkKey(key: string): string {
  if (!KEY_PATTERN.test(key) || key.split('/').some((part) => part === '.' || part === '..')) {
    throw new InvalidInputError(
      `artifact key "${key}" is not valid: use letters, digits, "_", "-", "." and "=" in slash-separated parts`,
      'key',
    );
  }
  return key;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

export async function putJson(store: ArtifactStore, key: string, value: unknown): Promise<void> {
  await store.put(key, `${JSON.stringify(value, null, 2)}\n`);
}

export async function getJson<T>(store: ArtifactStore, key: string): Promise<T | null> {
  const bytes = await store.get(key);
  return bytes === null ? null : (JSON.parse(decoder.decode(bytes)) as T);
}

/** An in-memory store: for tests and for runtimes without a file system. */
export class MemoryArtifactStore implements ArtifactStore {
  private readonly files = new Map<string, Uint8Array>();

  async put(key: string, data: Uint8Array | string): Promise<void> {
    this.files.set(checkKey(key), toBytes(data).slice());
  }

  async get(key: string): Promise<Uint8Array | null> {
    return this.files.get(checkKey(key))?.slice() ?? null;
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.files.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<void> {
    this.files.delete(checkKey(key));
  }

  async publish(prefix: string, files: Readonly<Record<string, Uint8Array | string>>): Promise<void> {
    checkKey(prefix);
    if (this.files.has(`${prefix}/manifest.json`)) {
      throw new ConflictError(`artifact "${prefix}" already exists; artifacts are immutable`, 'id');
    }
    const staged = Object.entries(files).map(
      ([name, data]) => [checkKey(`${prefix}/${name}`), toBytes(data)] as const,
    );
    for (const [key, data] of staged) this.files.set(key, data.slice());
  }

  async unpublish(prefix: string): Promise<string[]> {
    const keys = await this.list(`${checkKey(prefix)}/`);
    for (const key of keys) this.files.delete(key);
    return keys;
  }
}
