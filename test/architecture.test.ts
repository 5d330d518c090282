/**
 * The layering rules of DESIGN §2, checked on the source: a layer imports only from layers to its
 * left, and Node's built-in modules appear only where runtime code belongs (entry points, store
 * adapters, the adapters folder), so every domain module also runs in a Worker.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

/** Left to right; a layer may import from itself and from any layer before it. */
const LAYERS = [
  'schema',
  'store',
  'ingest',
  'sample',
  'features',
  'enrich',
  'segment',
  'ladders',
  'needs',
  'lookalike',
  'audience',
  'scale',
  'export',
  'ops',
  'jobs',
  'api',
  'adapters',
  'entry',
];
/** Layers on one level that must not import each other. */
const SIBLINGS = [
  ['needs', 'segment'],
  ['needs', 'enrich'],
];

/** Files allowed to use `node:` modules: runtime adapters. */
const NODE_ALLOWED = [
  /^entry\//,
  /^adapters\//,
  /^store\/(duckdb|fs-artifacts|workspace|arrow|node-files)\.ts$/,
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|mjs)$/.test(name) ? [relative(SRC, path)] : [];
  });
}

const files = sourceFiles(SRC);
const importsOf = (file: string) =>
  [...readFileSync(join(SRC, file), 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);

describe('architecture', () => {
  it('every source folder is a known layer', () => {
    const folders = new Set(files.map((f) => f.split('/')[0]!).filter((f) => !f.includes('.')));
    expect([...folders].filter((f) => !LAYERS.includes(f))).toEqual([]);
  });

  it('layers import only leftward', () => {
    const wrong: string[] = [];
    for (const file of files) {
      const layer = file.split('/')[0]!;
      const at = LAYERS.indexOf(layer);
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) continue;
        const target = relative(SRC, join(SRC, file, '..', spec)).split('/')[0]!;
        if (target === layer || !LAYERS.includes(target)) continue;
        const sibling = SIBLINGS.some((g) => g.includes(layer) && g.includes(target));
        if (LAYERS.indexOf(target) > at || sibling) wrong.push(`${file} imports ${spec}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('node: modules only in entry points and adapters', () => {
    const offenders = files.filter(
      (f) => importsOf(f).some((s) => s.startsWith('node:')) && !NODE_ALLOWED.some((re) => re.test(f)),
    );
    expect(offenders).toEqual([]);
  });

  it('the store barrel does not re-export its Node file adapter (the Worker imports the barrel)', () => {
    expect(importsOf('store/index.ts').filter((s) => s.includes('node-files'))).toEqual([]);
  });
});
