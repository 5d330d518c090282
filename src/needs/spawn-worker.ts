import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

let tsxApi: string | null = null;

// tsx's ESM API, found through its package exports so that no internal path is hard-coded.
function tsxApiUrl(): string {
  if (tsxApi) return tsxApi;
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as {
    exports: Record<string, { import?: { default?: string } }>;
  };
  const rel = pkg.exports['./esm/api']?.import?.default;
  if (!rel) throw new Error('tsx does not export ./esm/api; cannot start TypeScript worker threads');
  tsxApi = pathToFileURL(join(dirname(pkgPath), rel)).href;
  return tsxApi;
}

/**
 * Starts a worker thread running a TypeScript module. Node 20 does not pass a `--import tsx`
 * loader on to workers, so the worker boots from a tiny evaluated script that loads the module
 * through tsx's `tsImport`; this works the same under `npx tsx`, `bin/lookalike.js` and vitest.
 *
 * @param moduleUrl URL of the `.ts` module to run, e.g. `new URL('./tokenize-worker.ts', import.meta.url)`
 * @example
 * const worker = spawnTsWorker(new URL('./tokenize-worker.ts', import.meta.url));
 */
export function spawnTsWorker(moduleUrl: URL): Worker {
  const api = tsxApiUrl();
  const boot = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(moduleUrl.href)}, ${JSON.stringify(moduleUrl.href)}))`;
  return new Worker(boot, { eval: true });
}
