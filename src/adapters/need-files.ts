/**
 * Node's implementation of the needs layer's file port (`NeedFiles`): reads with `node:fs`,
 * hashes with `node:crypto`, and publishes a folder by writing it beside the target and renaming
 * it into place, so a reader never sees half an artifact.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type NeedFiles, setDefaultNeedFiles } from '../needs/index.ts';

async function writeDurable(path: string, data: Uint8Array | string): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * The needs file port over the local file system.
 *
 * @example
 * const clf = await loadNeedClassifier(nodeNeedFiles, 'convection_oven');
 */
export const nodeNeedFiles: NeedFiles = {
  list(dir) {
    try {
      return readdirSync(dir).sort();
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
  },
  read(path) {
    try {
      return new Uint8Array(readFileSync(path));
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  },
  async publish(dir, files) {
    const parent = dirname(dir);
    await mkdir(parent, { recursive: true });
    const staging = join(parent, `.staging-${randomUUID()}`);
    const old = join(parent, `.old-${randomUUID()}`);
    await mkdir(staging);
    try {
      for (const [name, data] of Object.entries(files)) await writeDurable(join(staging, name), data);
      if (existsSync(dir)) await rename(dir, old);
      await rename(staging, dir);
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      if (!existsSync(dir) && existsSync(old)) await rename(old, dir);
      throw err;
    }
    await rm(old, { recursive: true, force: true });
  },
  sha256: (data) => createHash('sha256').update(data).digest('hex'),
};

setDefaultNeedFiles(nodeNeedFiles);
