import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../src/store/index.ts';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'lookalike.js');
const cli = (...args: string[]) =>
  execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8', stdio: 'pipe' });

/** Starts `lookalike serve` and resolves with its URL once it listens. */
function startServer(home: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, '--home', home, 'serve', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

const counts = async (home: string) => {
  const ws = await Workspace.open(home);
  try {
    return await ws.rowCounts();
  } finally {
    ws.close();
  }
};

describe('kill -9 during a job', () => {
  let home: string;
  let bigFile: string;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'lookalike-crash-'));
    cli('--home', home, 'generate', '--members', '1500', '--universe', '10000', '--months', '3', '--import');
    // A second, larger sample whose transactions file takes seconds to import.
    cli(
      '--home',
      home,
      'generate',
      '--out',
      join(home, 'big'),
      '--members',
      '12000',
      '--universe',
      '12000',
      '--months',
      '6',
    );
    bigFile = join(home, 'big', 'tables', 'transactions.csv');
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('leaves the workspace as it was and reports the job failed after restart', async () => {
    const before = await counts(home);
    const first = await startServer(home);
    const keys = JSON.parse(readFileSync(join(home, 'demo-keys.json'), 'utf8')) as Record<string, string>;
    const res = await fetch(
      `${first.url}/v1/imports/transactions?filename=transactions.csv&mode=replace&async=true`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${keys.data_scientist}`, 'content-type': 'text/csv' },
        body: readFileSync(bigFile),
      },
    );
    expect(res.status).toBe(202);
    const job = (await res.json()) as { id: string };
    // Wait until the job is really running (reading the file), then kill the server outright.
    let sawRunning = false;
    for (let i = 0; i < 100 && !sawRunning; i++) {
      const state = (await (
        await fetch(`${first.url}/v1/jobs/${job.id}`, {
          headers: { authorization: `Bearer ${keys.data_scientist}` },
        })
      ).json()) as {
        state: string;
        progress: { fraction: number };
      };
      sawRunning = state.state === 'running' && state.progress.fraction > 0;
      if (!sawRunning) await new Promise((r) => setTimeout(r, 50));
    }
    expect(sawRunning).toBe(true);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await startServer(home);
    try {
      const after = (await (
        await fetch(`${second.url}/v1/jobs/${job.id}`, {
          headers: { authorization: `Bearer ${keys.data_scientist}` },
        })
      ).json()) as {
        state: string;
        error: { detail: string };
      };
      expect(after.state).toBe('failed');
      expect(after.error.detail).toBe(
        'the server stopped while this job was queued or running; submit it again',
      );
      const tables = (await (
        await fetch(`${second.url}/v1/tables`, {
          headers: { authorization: `Bearer ${keys.data_scientist}` },
        })
      ).json()) as {
        tables: Record<string, number>;
      };
      expect(tables.tables).toEqual(before);
      expect(readdirSync(join(home, 'tmp'))).toEqual([]);
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
    }
    expect(existsSync(join(home, 'workspace.duckdb'))).toBe(true);
  });
});
