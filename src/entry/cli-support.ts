import { SingleBar } from 'cli-progress';
import { useStoredLogits } from '../lookalike/index.ts';
import { snapshotLogits } from '../scale/index.ts';
import { AppError } from '../schema/index.ts';
import { resolveHome, Workspace } from '../store/index.ts';
import { isLockConflict, readServerInfo, workspaceBusyError } from './server-info.ts';

/** Options every command accepts. */
export interface GlobalOptions {
  home?: string;
  json?: boolean;
  debug?: boolean;
}

export function homeFrom(opts: GlobalOptions): string {
  return resolveHome(opts.home, process.env.LOOKALIKE_HOME);
}

/**
 * Opens the workspace for one command and always closes it, so the DuckDB file lock is released.
 * When a server holds the workspace, says so in one sentence (what holds it, what to do).
 */
export async function withWorkspace<T>(opts: GlobalOptions, work: (ws: Workspace) => Promise<T>): Promise<T> {
  const home = homeFrom(opts);
  let ws: Workspace;
  try {
    ws = await Workspace.open(home);
  } catch (err) {
    if (!isLockConflict(err)) throw err;
    throw workspaceBusyError(home, readServerInfo(home), commandLine());
  }
  useStoredLogits(ws, snapshotLogits(ws));
  try {
    return await work(ws);
  } finally {
    ws.close();
  }
}

/** The command as typed, for messages: `lookalike segment --k 5`. */
function commandLine(): string {
  return ['lookalike', ...process.argv.slice(2).filter((a) => !a.startsWith('--home'))].join(' ');
}

/** A progress bar on stderr when it is a terminal; silent otherwise (logs, CI, pipes). */
export function progressBar(label: string): {
  update: (fraction: number, detail?: string) => void;
  stop: () => void;
} {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    format: `${label.padEnd(14)} [{bar}] {percentage}% {detail}`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: false,
  });
  bar.start(1000, 0, { detail: '' });
  return {
    update: (fraction, detail = '') =>
      bar.update(Math.round(Math.min(1, Math.max(0, fraction)) * 1000), { detail }),
    stop: () => bar.stop(),
  };
}

export function print(value: unknown, opts: GlobalOptions, human: () => string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

/** One line on stderr and a non-zero exit: what went wrong, in words a user can act on. */
export function fail(err: unknown, debug: boolean): never {
  if (err instanceof AppError) {
    process.stderr.write(`lookalike: ${err.message}\n`);
  } else if (err instanceof Error) {
    process.stderr.write(`lookalike: ${err.message.split('\n')[0]}\n`);
  } else {
    process.stderr.write(`lookalike: ${String(err)}\n`);
  }
  if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(err instanceof AppError && err.status < 500 ? 2 : 1);
}

/** Renders rows as an aligned text table (CJK characters count double width). */
export function textTable(rows: Record<string, unknown>[]): string {
  if (!rows.length) return '(no rows)';
  const keys = Object.keys(rows[0]!);
  const width = (s: string) => [...s].reduce((w, ch) => w + (/[\u1100-\uffdc]/.test(ch) ? 2 : 1), 0);
  const cell = (v: unknown) =>
    v === null || v === undefined ? '' : typeof v === 'number' ? fmtNumber(v) : String(v);
  const widths = keys.map((k) => Math.max(width(k), ...rows.map((r) => width(cell(r[k])))));
  const pad = (s: string, w: number, right: boolean) =>
    right ? ' '.repeat(w - width(s)) + s : s + ' '.repeat(w - width(s));
  const isNum = keys.map((k) => rows.every((r) => typeof r[k] === 'number' || r[k] === null));
  const line = (vals: string[]) => vals.map((v, i) => pad(v, widths[i]!, isNum[i]!)).join('  ');
  return [
    line(keys),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(keys.map((k) => cell(r[k])))),
  ].join('\n');
}

/** A share as a percentage with one decimal: 0.1234 -> '12.3%'. */
export function fmtPercent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

export function fmtNumber(n: number): string {
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return Math.abs(n) >= 100 ? n.toFixed(1) : n.toPrecision(4);
}
