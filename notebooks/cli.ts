/**
 * Drives the `lookalike` CLI from a notebook. tslab compiles local .ts files but cannot load this
 * project's ESM modules, so the notebooks run the same commands a data scientist would type, with
 * `--json`, and show what the product does. Nothing here imports from src/.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join, resolve } from 'path';

/** The repository root: the nearest folder above the notebook with bin/lookalike.js. */
export function findRoot(from: string = process.cwd()): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'bin', 'lookalike.js')) && existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no bin/lookalike.js above ${from}: start Jupyter inside the repository`);
    dir = up;
  }
}

export const ROOT = findRoot();
const BIN = join(ROOT, 'bin', 'lookalike.js');

let home = process.env.LOOKALIKE_HOME ?? join(ROOT, '.lookalike');

/** The workspace the commands run on ($LOOKALIKE_HOME, or the one `useHome`/`sampleWorkspace` chose). */
export function getHome(): string {
  return home;
}

/** Points every later command at this workspace folder. */
export function useHome(dir: string): string {
  home = resolve(dir);
  return home;
}

/** A failed command: its arguments, exit status and the CLI's one-line reason. */
export class CliError extends Error {
  constructor(
    readonly args: string[],
    readonly status: number | null,
    readonly stderr: string,
  ) {
    super(`lookalike ${args.join(' ')} failed (exit ${status}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    this.name = 'CliError';
  }
}

/** tslab shows errors thrown from an imported file as a bare `<Error>`: print the reason first. */
function report(e: Error): Error {
  console.error(`${e.name}: ${e.message}`);
  return e;
}

/** Runs the CLI on the current workspace and returns its stdout; throws CliError on a non-zero exit. */
export function run(args: string[], opts: { json?: boolean; timeoutMs?: number } = {}): string {
  const full = ['--home', home, ...(opts.json === false ? [] : ['--json']), ...args];
  const r = spawnSync(process.execPath, [BIN, ...full], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    timeout: opts.timeoutMs ?? 10 * 60_000,
    env: { ...process.env, TZ: process.env.TZ ?? 'Asia/Tokyo', NO_COLOR: '1' },
  });
  if (r.error) throw report(r.error);
  if (r.status !== 0) throw report(new CliError(args, r.status, r.stderr || r.stdout));
  return r.stdout;
}

/** `lookalike --json <args>`, parsed. */
export function lookalike<T = unknown>(...args: string[]): T {
  const out = run(args);
  try {
    return JSON.parse(out) as T;
  } catch {
    throw report(new Error(`lookalike ${args.join(' ')} did not print JSON: ${out.slice(0, 200)}`));
  }
}

/** The human-readable output of a command (tables as the CLI prints them). */
export function lookalikeText(...args: string[]): string {
  return run(args, { json: false });
}

/** Times a call: returns its value and prints how long it took. */
export function timed<T>(label: string, f: () => T): T {
  const t0 = Date.now();
  const v = f();
  console.log(`${label}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return v;
}

export interface SampleOptions {
  members?: number;
  universe?: number;
  months?: number;
  seed?: number;
  /** Folder name under the notebook temp folder (one workspace per notebook). */
  name?: string;
}

export interface SampleWorkspace {
  home: string;
  /** Rows written per table by `generate`. */
  generated: Record<string, number>;
  /** Accepted / rejected rows per table from `import-dir`. */
  imported: { table: string; accepted: number; rejected: number }[];
  /** The generator's ground truth (personas, text needs), for honest checks. */
  truthDir: string;
}

/**
 * A fresh, empty scratch folder: $NOTEBOOK_TMP/<name> when NOTEBOOK_TMP is set (the notebook check
 * sets it and removes it afterwards), otherwise a new folder under the OS temp dir.
 */
export function tempDir(name: string): string {
  const base = process.env.NOTEBOOK_TMP;
  if (!base) return mkdtempSync(join(tmpdir(), `lookalike-nb-${name}-`));
  const dir = join(base, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Generates a small deterministic sample workspace in a temporary folder and imports it:
 * `lookalike --home <dir> generate ...` then `lookalike --home <dir> import-dir <dir>/sample/tables`.
 * The folder is $NOTEBOOK_TMP/<name> when NOTEBOOK_TMP is set (the notebook check sets it and
 * removes it afterwards), otherwise a fresh folder under the OS temp dir; later commands use it.
 */
export function sampleWorkspace(opts: SampleOptions = {}): SampleWorkspace {
  const dir = tempDir(opts.name ?? 'workspace');
  useHome(dir);
  const gen = lookalike<{ tables: Record<string, { rows: number }>; outDir: string }>(
    'generate',
    '--members',
    String(opts.members ?? 2000),
    '--universe',
    String(opts.universe ?? 10000),
    '--months',
    String(opts.months ?? 6),
    '--seed',
    String(opts.seed ?? 42),
  );
  const reports = lookalike<{ table: string; accepted: number; rejected: number }[]>(
    'import-dir',
    join(gen.outDir, 'tables'),
  );
  return {
    home: dir,
    generated: Object.fromEntries(Object.entries(gen.tables).map(([t, v]) => [t, v.rows])),
    imported: reports.map((r) => ({ table: r.table, accepted: r.accepted, rejected: r.rejected })),
    truthDir: join(gen.outDir, 'truth'),
  };
}

/** Deletes a folder made by `tempDir` (refuses anything outside the temp dir or NOTEBOOK_TMP). */
export function removeTemp(dir: string): void {
  const allowed = [tmpdir(), process.env.NOTEBOOK_TMP].filter((d): d is string => !!d).map((d) => resolve(d));
  if (!allowed.some((d) => resolve(dir).startsWith(d + '/'))) throw new Error(`refusing to delete ${dir}`);
  rmSync(dir, { recursive: true, force: true });
}

/** Deletes a workspace made by `sampleWorkspace`. */
export function removeWorkspace(ws: SampleWorkspace): void {
  removeTemp(ws.home);
}

/** Reads a small CSV without quoted commas (the generator's truth files) into objects. */
export function readCsv(path: string): Record<string, string>[] {
  const lines = readFileSync(path, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.length > 0);
  const head = lines[0]!.split(',');
  return lines.slice(1).map((l) => {
    const cells = l.split(',');
    return Object.fromEntries(head.map((h, i) => [h, cells[i] ?? '']));
  });
}

/** Reads a JSON-lines file (e.g. data/needs/corpus/<theme>.jsonl). */
export function readJsonl<T = unknown>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as T);
}

/** A plain HTML table of objects for `tslab.display.html` (numbers rounded to 3 significant digits). */
export function htmlTable(rows: Record<string, unknown>[], columns?: string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const cell = (v: unknown) => {
    if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : String(Number(v.toPrecision(3)));
    if (v === null || v === undefined) return '';
    return esc(typeof v === 'string' ? v : JSON.stringify(v));
  };
  const head = cols.map((c) => `<th>${esc(c)}</th>`).join('');
  const body = rows.map((r) => `<tr>${cols.map((c) => `<td>${cell(r[c])}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}
