/**
 * The CLI and the API are adapters over the same operations: these tests send the same request
 * both ways and expect the same defaults and the same rejections, word for word. Each case is a
 * drift the two used to have.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../src/jobs/index.ts';
import { parseInput, runSegmentationOp, trainModelOp } from '../../src/ops/index.ts';
import { type DomainApi, domainApi, problemOf } from '../api/domain-fixture.ts';
import { json } from '../api/helpers.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'lookalike.js');
const home = mkdtempSync(join(tmpdir(), 'lookalike-drift-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** The CLI's one-line error for a command (it fails before touching the workspace). */
function cliError(...args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args, '--home', home], { encoding: 'utf8' });
  expect(r.status).toBe(2);
  return r.stderr.trim().replace(/^lookalike: /, '');
}

let api: DomainApi;
beforeAll(async () => {
  api = await domainApi({ members: 400, universe: 2000, months: 2 });
});
afterAll(() => api?.cleanup());

/**
 * What the CLI sends for a command when a server holds its workspace: a stand-in server beside a
 * home of its own records the request (the input after the operation's schema) and refuses it.
 */
async function cliRequest(...args: string[]): Promise<{ path: string; body: Record<string, unknown> }> {
  const requests: { path: string; body: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      requests.push({ path: req.url ?? '', body: JSON.parse(text) as Record<string, unknown> });
      res.writeHead(422, { 'content-type': 'application/problem+json' });
      res.end(
        JSON.stringify({ type: 'about:blank/stand-in', title: 'stand-in', status: 422, detail: 'stand-in' }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cliHome = mkdtempSync(join(tmpdir(), 'lookalike-drift-cli-'));
  try {
    const { port } = server.address() as AddressInfo;
    const info = {
      url: `http://127.0.0.1:${port}`,
      pid: process.pid,
      startedAt: '',
      key: 'stand-in',
      keyId: '',
    };
    writeFileSync(join(cliHome, 'server.json'), JSON.stringify(info));
    // Asynchronous: the stand-in server answers on this process's event loop.
    const child = spawn(process.execPath, [BIN, ...args, '--home', cliHome], { stdio: 'ignore' });
    await new Promise((resolve) => child.on('exit', resolve));
  } finally {
    server.close();
    rmSync(cliHome, { recursive: true, force: true });
  }
  expect(requests).toHaveLength(1);
  return requests[0]!;
}

async function apiDetail(path: string, body: unknown, key = 'data_scientist'): Promise<string> {
  const res = await api.call(path, { key, ...json(body) });
  expect(res.status).toBe(422);
  return (await problemOf(res)).detail;
}

describe('CLI and API agree', () => {
  it('on the unlabelled sample: one default (30,000) and one cap (500,000)', async () => {
    const seed = { kind: 'top_value', share: 0.3 };
    expect(parseInput(trainModelOp, { seed, universe: 'members' }).unlabelledSample).toBe(30_000);
    const tooMany = await apiDetail('/v1/lookalike-models', {
      seed,
      universe: 'members',
      unlabelledSample: 600_000,
    });
    expect(tooMany).toBe('unlabelledSample: Too big: expected number to be <=500000');
    expect(
      cliError('model', 'train', '--universe', 'members', '--top', '0.3', '--unlabelled', '600000'),
    ).toBe(tooMany);
  });

  it('on the unlabelled sample default: the CLI sends what the API queues for the same request', async () => {
    const cli = await cliRequest('model', 'train', '--universe', 'members', '--top', '0.3');
    expect(cli.path).toBe(`/v1/ops/${trainModelOp.name}`);
    expect(cli.body.unlabelledSample).toBe(30_000);
    const { seed, universe, exclusions } = cli.body;
    const res = await api.call('/v1/lookalike-models', {
      key: 'data_scientist',
      ...json({ seed, universe, exclusions }),
    });
    expect(res.status).toBe(202);
    const job = (await res.json()) as Job;
    await api.call(`/v1/jobs/${job.id}/cancel`, { key: 'data_scientist', method: 'POST' });
    expect(job.params).toEqual(cli.body);
  });

  it('on impossible calendar days in seeds and as-of dates', async () => {
    const body = { seed: { kind: 'top_value', share: 0.3, since: '2025-02-30' }, universe: 'members' };
    const detail = await apiDetail('/v1/lookalike-models', body);
    expect(detail).toBe('seed.since: expected a calendar day as YYYY-MM-DD (e.g. 2026-02-28)');
    expect(cliError('model', 'train', '--universe', 'members', '--top', '0.3', '--since', '2025-02-30')).toBe(
      detail,
    );
    const asOf = await apiDetail('/v1/segmentations', { asOf: '2026-02-31' });
    expect(cliError('segment', '--as-of', '2026-02-31')).toBe(asOf);
  });

  it('on segmentation defaults: the job the API queues runs what the CLI runs', async () => {
    const res = await api.call('/v1/segmentations', { key: 'data_scientist', ...json({}) });
    expect(res.status).toBe(202);
    const job = (await res.json()) as Job;
    await api.call(`/v1/jobs/${job.id}/cancel`, { key: 'data_scientist', method: 'POST' });
    expect(job.params).toEqual(parseInput(runSegmentationOp, {}));
    expect(job.params).toMatchObject({ kRange: [3, 15], seed: 1, sampleSize: 10_000 });
    expect(await apiDetail('/v1/segmentations', { k: 1 })).toBe(cliError('segment', '--k', '1'));
  });
});
