import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { ConflictError } from '../schema/index.ts';
import { type ArtifactStore, checkKey, type PutOptions, toBytes } from './artifacts.ts';

/**
 * Writes bytes to `path` durably: temp file in the same directory, fsync, rename, fsync directory.
 * With `sync: false`, the same without the two fsyncs (atomic only against a crashed process).
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  options: { mode?: number; sync?: boolean } = {},
): Promise<void> {
  const sync = options.sync ?? true;
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${randomUUID()}`;
  const handle = await open(tmp, 'w', options.mode ?? 0o666);
  try {
    await handle.writeFile(toBytes(data));
    if (sync) await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  if (sync) await syncDir(dirname(path));
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const exists = (path: string) =>
  access(path, constants.F_OK).then(
    () => true,
    () => false,
  );

/**
 * Artifacts as files under a root directory. `publish` stages a whole directory beside its
 * target and renames it into place, so a crash leaves either nothing or the complete artifact;
 * stale staging directories are removed by `sweep()` at startup.
 */
export class FsArtifactStore implements ArtifactStore {
  constructor(readonly root: string) {}

  private path(key: string): string {
    return join(this.root, ...checkKey(key).split('/'));
  }

  async put(key: string, data: Uint8Array | string, options: PutOptions = {}): Promise<void> {
    await writeFileAtomic(this.path(key), data, { sync: options.durable ?? true });
  }

  async get(key: string): Promise<Uint8Array | null> {
    try {
      return new Uint8Array(await readFile(this.path(key)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      for (const entry of entries) {
        if (entry.name.startsWith('.staging-') || entry.name.includes('.tmp-')) continue;
        const full = join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else out.push(relative(this.root, full).split(sep).join('/'));
      }
    };
    // Walk only the folder the prefix names, not the whole store: listing one audience's
    // revisions must not cost a walk over every model and export.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    await walk(folder ? this.path(folder) : this.root);
    return out.filter((k) => k.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async publish(prefix: string, files: Readonly<Record<string, Uint8Array | string>>): Promise<void> {
    const target = this.path(prefix);
    if (await exists(target)) {
      throw new ConflictError(`artifact "${prefix}" already exists; artifacts are immutable`, 'id');
    }
    const staging = join(dirname(target), `.staging-${randomUUID()}`);
    try {
      for (const [name, data] of Object.entries(files)) {
        const path = join(staging, ...checkKey(name).split('/'));
        await mkdir(dirname(path), { recursive: true });
        const handle = await open(path, 'w');
        try {
          await handle.writeFile(toBytes(data));
          await handle.sync();
        } finally {
          await handle.close();
        }
      }
      await rename(staging, target);
      await syncDir(dirname(target));
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      if (
        (err as NodeJS.ErrnoException).code === 'ENOTEMPTY' ||
        (err as NodeJS.ErrnoException).code === 'EEXIST'
      ) {
        throw new ConflictError(`artifact "${prefix}" already exists; artifacts are immutable`, 'id');
      }
      throw err;
    }
  }

  /**
   * Renames the artifact's directory to a staging name (one atomic step: readers and `list` no
   * longer see it), then removes it; a crash in between leaves a staging directory `sweep()` removes.
   */
  async unpublish(prefix: string): Promise<string[]> {
    const keys = await this.list(`${checkKey(prefix)}/`);
    if (!keys.length) return [];
    const target = this.path(prefix);
    const staging = join(dirname(target), `.staging-${randomUUID()}`);
    await rename(target, staging);
    await syncDir(dirname(target));
    await rm(staging, { recursive: true, force: true });
    return keys;
  }

  /** Removes staging directories and temp files left by a crash; returns how many were removed. */
  async sweep(): Promise<number> {
    let removed = 0;
    const walk = async (dir: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const full = join(dir, entry.name);
        if (entry.name.startsWith('.staging-') || entry.name.includes('.tmp-')) {
          await rm(full, { recursive: true, force: true });
          removed++;
        } else if (entry.isDirectory()) {
          await walk(full);
        }
      }
    };
    await walk(this.root);
    return removed;
  }
}
