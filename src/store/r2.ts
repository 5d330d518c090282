import { ConflictError } from '../schema/index.ts';
import { type ArtifactStore, checkKey, toBytes } from './artifacts.ts';

/** The part of Cloudflare's R2 bucket binding this store uses (declared here to avoid a types dependency). */
export interface R2BucketLike {
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>;
  head(key: string): Promise<unknown | null>;
  put(key: string, value: ArrayBuffer | Uint8Array | string): Promise<unknown>;
  delete(key: string): Promise<void>;
  list(options: { prefix?: string; cursor?: string }): Promise<{
    objects: { key: string }[];
    truncated: boolean;
    cursor?: string;
  }>;
}

/**
 * Artifacts in an R2 bucket. R2 writes each object atomically but cannot rename, so
 * `publish` writes the files first and `manifest.json` last: readers treat an artifact as
 * present only when its manifest is, which gives the same all-or-nothing view as the file store.
 */
export class R2ArtifactStore implements ArtifactStore {
  constructor(
    private readonly bucket: R2BucketLike,
    private readonly prefix = '',
  ) {}

  private key(key: string): string {
    return `${this.prefix}${checkKey(key)}`;
  }

  async put(key: string, data: Uint8Array | string): Promise<void> {
    await this.bucket.put(this.key(key), toBytes(data));
  }

  async get(key: string): Promise<Uint8Array | null> {
    const object = await this.bucket.get(this.key(key));
    return object ? new Uint8Array(await object.arrayBuffer()) : null;
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.bucket.list({
        prefix: `${this.prefix}${prefix}`,
        ...(cursor ? { cursor } : {}),
      });
      for (const o of page.objects) out.push(o.key.slice(this.prefix.length));
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    return out.sort();
  }

  async delete(key: string): Promise<void> {
    await this.bucket.delete(this.key(key));
  }

  async publish(prefix: string, files: Readonly<Record<string, Uint8Array | string>>): Promise<void> {
    checkKey(prefix);
    if (await this.bucket.head(this.key(`${prefix}/manifest.json`))) {
      throw new ConflictError(`artifact "${prefix}" already exists; artifacts are immutable`, 'id');
    }
    const names = Object.keys(files).sort((a, b) =>
      a === 'manifest.json' ? 1 : b === 'manifest.json' ? -1 : a.localeCompare(b),
    );
    for (const name of names) await this.bucket.put(this.key(`${prefix}/${name}`), toBytes(files[name]!));
  }

  /** Deletes `manifest.json` first: from then on no reader sees the artifact, as in `publish` reversed. */
  async unpublish(prefix: string): Promise<string[]> {
    const keys = await this.list(`${checkKey(prefix)}/`);
    const manifest = `${prefix}/manifest.json`;
    const ordered = [...keys.filter((k) => k === manifest), ...keys.filter((k) => k !== manifest)];
    for (const key of ordered) await this.bucket.delete(this.key(key));
    return ordered;
  }
}
