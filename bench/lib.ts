import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { Bench, type Fn } from 'tinybench';

export type BenchSize = 'smoke' | 'full';

/** One row of the results table: our time against a peer's on the same data, in the same run. */
export interface BenchRow {
  bench: string;
  scenario: string;
  ours: string;
  oursMedianMs: number;
  peer: string | null;
  peerMedianMs: number | null;
  /** Median over rounds of (ours / peer); below 1 means we are faster. */
  ratio: number | null;
  /** Why there is no peer, or what the numbers mean. */
  note?: string;
  /** Throughputs and quality figures (rows/s, inertia gap, …). */
  extra?: Record<string, number | string>;
}

export interface BenchModule {
  name: string;
  run(size: BenchSize): Promise<BenchRow[]>;
}

/**
 * Every task is declared async, so tinybench awaits it. Without the flag, tinybench decides by
 * calling a non-`async` function once when it is added and does not await that call: a task
 * written `() => query()` then ran a second, untimed copy concurrently with the timed one (on
 * one DuckDB connection the timed run queued behind it, inflating `ours` up to 4x). Awaiting a
 * synchronous task's `undefined` costs one microtask, nothing at these durations.
 */
const AWAITED = { async: true } as const;

/** A task to time: plain function, or one that reports its own duration (a peer timing itself). */
export type Timed = () => unknown | Promise<unknown>;

/**
 * tinybench's default warmup runs a task until it has both 16 runs and 250 ms behind it: for a
 * task of seconds (10M lines, 1M-row k-means) that is sixteen extra runs per round. One warmup
 * run is enough to get the JIT and caches going; `false` skips it.
 */
export const warmupOnce = (warmup: boolean) =>
  warmup ? { warmup: true, warmupIterations: 1, warmupTime: 0 } : { warmup: false };

export const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Times `ours` and `peer` alternately over `rounds` tinybench runs and returns median times and
 * the median of the per-round ratios, because this machine is noisy: a ratio taken within one
 * round compares the two under the same load.
 */
export async function comparePair(
  label: string,
  ours: Timed,
  peer: Timed | null,
  options: { rounds?: number; iterations?: number; warmup?: boolean } = {},
): Promise<{ oursMs: number; peerMs: number | null; ratio: number | null }> {
  const rounds = options.rounds ?? 3;
  const oursTimes: number[] = [];
  const peerTimes: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const bench = new Bench({
      name: `${label} #${r + 1}`,
      iterations: options.iterations ?? 3,
      time: 0,
      throws: true,
      ...warmupOnce(options.warmup ?? true),
    } as never);
    bench.add('ours', ours as Fn, AWAITED);
    if (peer) bench.add('peer', peer as Fn, AWAITED);
    await bench.run();
    const [o, p] = bench.tasks.map((t) => {
      const result = t.result as { latency?: { p50: number } };
      return result.latency?.p50 ?? Number.NaN;
    });
    oursTimes.push(o!);
    if (peer) {
      peerTimes.push(p!);
      ratios.push(o! / p!);
    }
  }
  return {
    oursMs: median(oursTimes),
    peerMs: peer ? median(peerTimes) : null,
    ratio: peer ? median(ratios) : null,
  };
}

/** Debian's Python (with scikit-learn and numpy), not a pyenv one, when installed. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

export function hasPythonModule(module: string): boolean {
  if (!existsSync(SYSTEM_PYTHON)) return false;
  try {
    execFileSync(SYSTEM_PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs a Python peer script that prints JSON `{ "ms": <its own timing> , ... }` on its last line. */
export function runPythonPeer<T extends { ms: number }>(script: string, args: string[]): T {
  const out = execFileSync(SYSTEM_PYTHON, [script, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as T;
}

export function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Times `f` with tinybench (`iterations` runs) and returns the median latency in ms. */
export async function timeMedian(
  label: string,
  f: Timed,
  iterations: number,
  warmup = true,
): Promise<number> {
  const bench = new Bench({ name: label, iterations, time: 0, throws: true, ...warmupOnce(warmup) } as never);
  bench.add('ours', f as Fn, AWAITED);
  await bench.run();
  return (bench.tasks[0]!.result as { latency?: { p50: number } }).latency?.p50 ?? Number.NaN;
}

/**
 * Like `comparePair`, for a peer that times itself in another process (a Python server): each
 * round times ours in-process, then asks the peer for its own time of the same work, so both run
 * under the same load; the ratio is the median of the per-round ratios.
 */
export async function compareSelfTimed(
  label: string,
  ours: Timed,
  peer: () => Promise<number>,
  options: { rounds?: number; iterations?: number; warmup?: boolean } = {},
): Promise<{ oursMs: number; peerMs: number; ratio: number; ratios: number[] }> {
  const rounds = options.rounds ?? 3;
  const iterations = options.iterations ?? 3;
  const o: number[] = [];
  const p: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const ms = await timeMedian(`${label} #${r + 1}`, ours, iterations, options.warmup ?? true);
    const peerRuns: number[] = [];
    for (let i = 0; i < iterations; i++) peerRuns.push(await peer());
    const pm = median(peerRuns);
    o.push(ms);
    p.push(pm);
    ratios.push(ms / pm);
  }
  return { oursMs: median(o), peerMs: median(p), ratio: median(ratios), ratios };
}

/**
 * A long-lived Python peer answering one JSON line per command line on stdin, so its data is
 * loaded once and the bench can alternate rounds with it.
 */
export class PythonPeerServer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;
  private stderr = '';

  constructor(script: string, args: string[], env: Record<string, string> = {}) {
    this.child = spawn(SYSTEM_PYTHON, [script, ...args], {
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', ...env },
    });
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  /** The next JSON line the peer prints (its ready line, or the answer to the last command). */
  async read<T>(): Promise<T> {
    const next = await this.lines.next();
    if (next.done) throw new Error(`python peer exited: ${this.stderr}`);
    const out = JSON.parse(next.value) as T & { error?: string };
    if (out.error) throw new Error(`python peer: ${out.error}`);
    return out;
  }

  async ask<T>(command: string): Promise<T> {
    this.child.stdin.write(`${command}\n`);
    return this.read<T>();
  }

  close(): void {
    this.child.stdin.end('quit\n');
  }
}

/**
 * Runs a bench module when its file is the script Node started (`tsx bench/x.bench.ts full`),
 * printing its rows as a table; does nothing when `bench/run.ts` imports it.
 */
export async function runIfMain(bench: BenchModule, moduleUrl: string): Promise<void> {
  const main = process.argv[1];
  if (!main || moduleUrl !== pathToFileURL(main).href) return;
  const rows = await bench.run((process.argv[2] ?? 'smoke') as BenchSize);
  console.table(
    rows.map((r) => ({
      scenario: r.scenario,
      peer: r.peer ?? '—',
      'ours ms': r.oursMedianMs.toFixed(1),
      'peer ms': r.peerMedianMs === null ? '—' : r.peerMedianMs.toFixed(1),
      'ours/peer': r.ratio === null ? '—' : r.ratio.toFixed(2),
      ...r.extra,
    })),
  );
}
