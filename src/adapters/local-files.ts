import { resolve } from 'node:path';
import type { LocalFiles } from '../schema/index.ts';
import { writeFileAtomic } from '../store/index.ts';

/** The machine's own file system, relative to `base` (the CLI's working folder). */
export function localFiles(base = process.cwd()): LocalFiles {
  return {
    resolve: (path) => resolve(base, path),
    writeText: async (path, text) => {
      const full = resolve(base, path);
      await writeFileAtomic(full, text);
      return full;
    },
  };
}
