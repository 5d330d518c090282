import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiDeps } from '../api/index.ts';

const TYPES: Record<string, string> = {
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.png': 'image/png',
  '.html': 'text/html; charset=utf-8',
};

/** Serves the studio page from `studio/` and its chart libraries from node_modules (no CDN). */
export function studioAssets(): NonNullable<ApiDeps['studioAsset']> {
  const require = createRequire(import.meta.url);
  const page = fileURLToPath(new URL('../../studio/', import.meta.url));
  const vendor: Record<string, string> = {
    // Neither package exports its package.json: locate them by their entry files.
    'd3.min.js': join(dirname(require.resolve('d3')), 'd3.min.js'),
    'plot.umd.min.js': join(dirname(require.resolve('@observablehq/plot')), '..', 'dist', 'plot.umd.min.js'),
  };
  return async (file, isVendor) => {
    const path = isVendor ? vendor[file] : join(page, file);
    if (!path) return null;
    try {
      const type = TYPES[extname(file)] ?? 'application/octet-stream';
      return {
        body: new Uint8Array(await readFile(path)),
        type: type === 'text/javascript' || type === 'text/css' ? `${type}; charset=utf-8` : type,
      };
    } catch {
      return null;
    }
  };
}

/** Serves swagger-ui's files from node_modules. */
export function swaggerAssets(): NonNullable<ApiDeps['docsAsset']> {
  const dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  return async (file) => {
    try {
      return {
        body: new Uint8Array(await readFile(join(dir, file))),
        type: TYPES[extname(file)] ?? 'application/octet-stream',
      };
    } catch {
      return null;
    }
  };
}
