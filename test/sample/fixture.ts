import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import {
  type GenerateOptions,
  type GenerateResult,
  generateSampleWorkspace,
} from '../../src/sample/index.ts';

/** Small enough for seconds, large enough for every planted signal to show. */
export const SMALL = { members: 2000, universe: 20_000, months: 6 } as const;

export interface Workspace {
  dir: string;
  result: GenerateResult;
  cleanup: () => void;
}

export async function makeWorkspace(
  options: Partial<Omit<GenerateOptions, 'outDir'>> = {},
): Promise<Workspace> {
  const dir = mkdtempSync(join(tmpdir(), 'sample-'));
  const result = await generateSampleWorkspace({ outDir: dir, ...SMALL, ...options });
  return { dir, result, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Csv {
  header: string[];
  rows: string[][];
  col: (name: string) => number;
}

export function readCsv(path: string): Csv {
  const records = parse(readFileSync(path), { relaxColumnCount: false }) as string[][];
  const header = records[0]!;
  return {
    header,
    rows: records.slice(1),
    col: (name: string) => {
      const i = header.indexOf(name);
      if (i < 0) throw new Error(`no column "${name}" in ${path}`);
      return i;
    },
  };
}

/** Loop-based extremes: `Math.min(...xs)` overflows the stack on large arrays. */
export function minOf(xs: Iterable<number>): number {
  let m = Number.POSITIVE_INFINITY;
  for (const x of xs) if (x < m) m = x;
  return m;
}

export function maxOf(xs: Iterable<number>): number {
  let m = Number.NEGATIVE_INFINITY;
  for (const x of xs) if (x > m) m = x;
  return m;
}
