/**
 * The CLI and the API are adapters over the same operations: these tests send the same request
 * both ways and expect the same defaults and the same rejections, word for word. Each case is a
 * drift the two used to have.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
