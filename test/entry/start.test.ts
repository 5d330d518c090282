import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/entry/serve.ts';
import { readServerInfo } from '../../src/entry/server-info.ts';

/** Runs the CLI without blocking this process, which serves the requests the CLI sends. */
function runCli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'lookalike.js');

const home = mkdtempSync(join(tmpdir(), 'lookalike-start-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** Splits a shell command line into words (single and double quotes, no escapes inside single quotes). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /'((?:[^']|'"'"')*)'|"([^"]*)"|(\S+)/g;
  for (const m of line.matchAll(re))
    words.push(m[1] !== undefined ? m[1].replaceAll(`'"'"'`, "'") : (m[2] ?? m[3]!));
  return words;
}

/** Runs a printed `curl -s [-X M] [-H h]... [-d body] URL` with fetch. */
async function runCurl(line: string): Promise<Response> {
  const words = shellWords(line);
  expect(words[0]).toBe('curl');
  let method = 'GET';
  const headers = new Headers();
  let body: string | undefined;
  let url = '';
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-s') continue;
    if (w === '-X') method = words[++i]!;
    else if (w === '-H') {
      const h = words[++i]!;
      const at = h.indexOf(':');
      headers.set(h.slice(0, at).trim(), h.slice(at + 1).trim());
    } else if (w === '-d') body = words[++i]!;
    else url = w;
  }
  return fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
}

describe('npm start over the sample workspace', () => {
  let first: RunningServer;
  const lines: string[] = [];

  it('builds the sample data and the demo segmentation, model and audience, and the printed calls work', async () => {
    first = await startServer({
      home,
      port: 0,
      sample: { members: 2000, universe: 8000, months: 4, seed: 5 },
      log: (l) => lines.push(l),
    });
    try {
      expect(first.demo?.built).toEqual({ segmentation: true, model: true, audience: true });
      expect(first.examples.length).toBe(5);
      for (const ex of first.examples) expect(lines).toContain(`  ${ex}`);
      const [health, audience, classify, frontier, pull] = await Promise.all(first.examples.map(runCurl));
      expect(health!.status).toBe(200);
      expect(audience!.status).toBe(200);
      expect(await audience!.json()).toMatchObject({
        id: first.demo!.audienceId,
        modelId: first.demo!.modelId,
      });
      expect(classify!.status).toBe(200);
      const c = (await classify!.json()) as { results: { needs: { id: string }[] }[] };
      expect(c.results[0]!.needs.length).toBeGreaterThan(0);
      expect(frontier!.status).toBe(200);
      expect(((await frontier!.json()) as { points: unknown[] }).points.length).toBeGreaterThan(2);
      // The demo ad platform pulls the demo audience as keyed IDs (64 hex digits), never as it is.
      expect(pull!.status).toBe(200);
      expect(pull!.headers.get('x-id-form')).toBe('hmac_sha256');
      const rows = (await pull!.text()).trim().split('\n');
      expect(rows[0]).toBe('id,score,rank');
      expect(rows.slice(1).map((r) => /^[0-9a-f]{64},/.test(r))).toEqual([true, true, true, true, true]);
      expect(lines).toContain(
        `  demo: ${first.demo!.audienceId} shared with destination demo-dsp (keyed IDs) for the ad_platform key`,
      );
    } finally {
      await first.close();
    }
  });

  it('reuses everything on the second start', async () => {
    const second = await startServer({ home, port: 0, log: () => undefined });
    try {
      expect(second.demo?.built).toEqual({ segmentation: false, model: false, audience: false });
      expect(second.demo?.modelId).toBe(first.demo?.modelId);
      expect(second.keys).toEqual(first.keys);
      expect(second.startSeconds).toBeLessThan(10);
      const res = await runCurl(second.examples[1]!);
      expect(res.status).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('leaves server.json for a CLI beside it, which then works through the server', async () => {
    const server = await startServer({ home, port: 0, demo: false, log: () => undefined });
    try {
      const info = readServerInfo(home);
      expect(info).toMatchObject({ url: server.url, pid: process.pid });
      expect(statSync(join(home, 'server.json')).mode & 0o777).toBe(0o600);
      // An operation goes through the server; a command that opens the workspace itself cannot.
      const described = await runCli(['describe', 'members', '--home', home, '--json']);
      expect(described.stderr).toBe('');
      expect(JSON.parse(described.stdout)).toMatchObject({ table: 'members' });
      const cli = await runCli(['imports', '--home', home]);
      expect(cli.status).not.toBe(0);
      expect(cli.stderr.trim().split('\n')).toHaveLength(1);
      expect(cli.stderr).toContain(
        `the API server (pid ${process.pid}, ${server.url}) is serving the workspace`,
      );
      expect(cli.stderr).not.toMatch(/Could not set lock/);
    } finally {
      await server.close();
    }
    expect(existsSync(join(home, 'server.json'))).toBe(false);
  });
});
