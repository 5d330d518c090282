import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/** Modules that must never reach the Worker bundle: they need Node, native code or `new Function`. */
const FORBIDDEN = [
  /@duckdb\//,
  /kuromoji/,
  /arquero/,
  /@tensorflow\//,
  /node_modules\/ml-kmeans/,
  /src\/store\/(duckdb|workspace|fs-artifacts)\.ts/,
];

describe('Worker bundle', () => {
  it('bundles src/entry/worker.ts for workerd without any Node-only module', async () => {
    const result = await build({
      entryPoints: ['src/entry/worker.ts'],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      conditions: ['workerd', 'worker', 'browser'],
      mainFields: ['module', 'main'],
      minify: true,
      metafile: true,
      logLevel: 'silent',
      // wrangler bundles .wasm imports as compiled modules (the scoring kernel): not JavaScript.
      external: ['*.wasm'],
    });
    const inputs = Object.keys(result.metafile!.inputs);
    expect(inputs.filter((path) => FORBIDDEN.some((re) => re.test(path)))).toEqual([]);
    expect(inputs.filter((path) => path.startsWith('node:'))).toEqual([]);
    const bytes = result.outputFiles![0]!.contents.length;
    console.log(`worker bundle: ${(bytes / 1024).toFixed(0)} KiB minified, ${inputs.length} modules`);
    // 512 KiB before exports and scoring (hono, zod ~440 KiB); apache-arrow (~205 KiB) and the
    // export, share and scoring code brought it to ~760 KiB. Budget: 1 MiB (Workers allow 3 MiB free).
    expect(bytes).toBeLessThan(1024 * 1024);
  });
});
