import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderUploads } from '../../src/adapters/index.ts';
import { JobQueue, MemoryJobStore, opJobs } from '../../src/jobs/index.ts';
import { OPERATIONS } from '../../src/ops/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { fixture, tempWorkspace } from '../helpers/workspace.ts';
import { json, type TestApi, testApi } from './helpers.ts';

let api: TestApi;
let ws: Workspace;
let cleanup: () => void;

beforeAll(async () => {
  ({ ws, cleanup } = await tempWorkspace());
  const uploads = folderUploads(ws.tmpDir);
  const jobs = new JobQueue(new MemoryJobStore(), opJobs(OPERATIONS, { ws, uploads, needModelsDir: '' }));
  api = await testApi({
    uploads,
    jobs,
    workspace: ws,
    uploadLimitBytes: 128 * 1024,
    asyncImportBytes: 96 * 1024,
  });
});
afterAll(() => cleanup());

const problemOf = async (res: Response) => {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as { type: string; status: number; detail: string; field?: string };
};

describe('health and documents', () => {
  it('answers /healthz without a key', async () => {
    const res = await api.app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', version: 'test' });
  });

  it('describes every route it serves in /openapi.json', async () => {
    const doc = (await (await api.app.request('/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const served = api.app.routes
      .filter((r) => r.method !== 'ALL' && !['/openapi.json', '/docs', '/docs/:file'].includes(r.path))
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m} ${path}`),
    );
    expect(served.length).toBeGreaterThan(5);
    expect(new Set(served)).toEqual(new Set(documented));
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await api.call('/v1/nope');
    expect(res.status).toBe(404);
    expect((await problemOf(res)).detail).toBe('no route for GET /v1/nope');
  });
});

describe('authentication and roles', () => {
  it('401 without a key, with a malformed header, with an unknown key', async () => {
    for (const [key, detail] of [
      [null, 'missing Authorization header; send "Authorization: Bearer <API key>"'],
      ['lk_nope', 'the API key is not valid or has been revoked'],
    ] as const) {
      const res = await api.call('/v1/tables', { key });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
      expect((await problemOf(res)).detail).toBe(detail);
    }
    const basic = await api.app.request('/v1/tables', { headers: { authorization: 'Basic abc' } });
    expect((await problemOf(basic)).detail).toBe('the Authorization header must be "Bearer <API key>"');
  });

  it('403 when the role does not fit', async () => {
    const res = await api.call('/v1/keys', { key: 'marketer' });
    expect(res.status).toBe(403);
    expect((await problemOf(res)).detail).toBe('a marketer key cannot do this; it needs the role admin');
    expect((await api.call('/v1/tables', { key: 'ad_platform' })).status).toBe(403);
  });

  it('creates, lists and revokes keys; a revoked key fails at once', async () => {
    const created = await api.call('/v1/keys', json({ name: 'analyst', role: 'data_scientist' }));
    expect(created.status).toBe(201);
    const { key, keyId } = (await created.json()) as { key: string; keyId: string };
    expect((await api.call('/v1/tables', { key })).status).toBe(200);
    const listed = (await (await api.call('/v1/keys')).json()) as {
      keys: { keyId: string; hash?: string }[];
    };
    expect(listed.keys.some((k) => k.keyId === keyId && k.hash === undefined)).toBe(true);
    expect((await api.call(`/v1/keys/${keyId}`, { method: 'DELETE' })).status).toBe(200);
    expect((await api.call('/v1/tables', { key })).status).toBe(401);
    expect((await api.call('/v1/keys/nope', { method: 'DELETE' })).status).toBe(404);
  });

  it('validates key creation: 422 with the field, 400 for broken JSON, 415 for another media type', async () => {
    const noDest = await api.call('/v1/keys', json({ name: 'dsp', role: 'ad_platform' }));
    expect(noDest.status).toBe(422);
    expect(await problemOf(noDest)).toMatchObject({ field: 'destination' });
    const badRole = await api.call('/v1/keys', json({ name: 'x', role: 'root' }));
    expect(badRole.status).toBe(422);
    expect((await problemOf(badRole)).field).toBe('role');
    const broken = await api.call('/v1/keys', {
      method: 'POST',
      body: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    await problemOf(broken);
    const text = await api.call('/v1/keys', {
      method: 'POST',
      body: 'name=x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
  });

  it('keeps an audit trail of who did what', async () => {
    await api.call('/v1/tables', { key: 'data_scientist' });
    const res = await api.call('/v1/audit?limit=5');
    const { entries } = (await res.json()) as { entries: { role: string; action: string; status: number }[] };
    expect(
      entries.some((e) => e.role === 'data_scientist' && e.action === 'GET /v1/tables' && e.status === 200),
    ).toBe(true);
  });
});

describe('imports over HTTP', () => {
  const upload = (name: string, query = '', type = 'text/csv') =>
    api.call(`/v1/imports/members?filename=${name}${query}`, {
      key: 'data_scientist',
      method: 'POST',
      body: readFileSync(fixture(name)),
      headers: { 'content-type': type },
    });

  it('imports a file and returns the report', async () => {
    const res = await upload('members.csv', '&mode=replace');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ table: 'members', rowsRead: 5, accepted: 5, rejected: 0 });
  });

  it('reports a wholly wrong file as 422 and changes nothing', async () => {
    const before = await ws.rowCounts();
    const res = await api.call('/v1/imports/transactions?filename=members.csv', {
      key: 'data_scientist',
      method: 'POST',
      body: readFileSync(fixture('members.csv')),
      headers: { 'content-type': 'text/csv' },
    });
    expect(res.status).toBe(422);
    expect((await problemOf(res)).detail).toMatch(
      /required columns receipt_id, ts, product_id, quantity, unit_price are missing/,
    );
    expect(await ws.rowCounts()).toEqual(before);
  });

  it('415 for an unknown media type, 413 over the size limit, 422 for an unknown table', async () => {
    expect((await upload('members.csv', '', 'image/png')).status).toBe(415);
    const big = await api.call('/v1/imports/members', {
      key: 'data_scientist',
      method: 'POST',
      body: new Uint8Array(130 * 1024),
      headers: { 'content-type': 'text/csv' },
    });
    expect(big.status).toBe(413);
    const table = await api.call('/v1/imports/people', {
      key: 'data_scientist',
      method: 'POST',
      body: 'a',
      headers: { 'content-type': 'text/csv' },
    });
    expect(table.status).toBe(422);
    expect((await problemOf(table)).field).toBe('table');
  });

  it('runs large uploads as a job: 202, Location, then the report as the job result', async () => {
    const res = await upload('members_mixed_encoding.csv', '&mode=replace&encoding=utf-8&async=true');
    expect(res.status).toBe(202);
    const job = (await res.json()) as { id: string };
    expect(res.headers.get('location')).toBe(`/v1/jobs/${job.id}`);
    await api.deps.jobs!.idle();
    const done = (await (await api.call(`/v1/jobs/${job.id}`, { key: 'data_scientist' })).json()) as {
      state: string;
      error?: { detail: string };
    };
    expect(done.state).toBe('failed');
    expect(done.error?.detail).toMatch(/is not valid UTF-8 at line 1502/);
  });

  it('names the upload of an import job by id, never by a server path, and removes it once imported', async () => {
    const res = await upload('members.csv', '&mode=replace&async=true');
    expect(res.status).toBe(202);
    const job = (await res.json()) as { id: string; params: Record<string, unknown> };
    expect(job.params.uploadId).toMatch(/^up_[0-9a-f]{32}$/);
    expect(job.params.label).toBe('members.csv');
    expect(JSON.stringify(job.params)).not.toContain(ws.tmpDir);
    await api.deps.jobs!.idle();
    const done = (await (await api.call(`/v1/jobs/${job.id}`, { key: 'data_scientist' })).json()) as {
      state: string;
      result: { accepted: number; source: string };
    };
    expect(done.state).toBe('completed');
    expect(done.result).toMatchObject({ accepted: 5, source: 'members.csv' });
    expect(readdirSync(ws.tmpDir).filter((f) => f.startsWith(String(job.params.uploadId)))).toEqual([]);
  });

  it('streams job progress as server-sent events', async () => {
    const res = await upload('members.csv', '&mode=replace&async=true');
    const job = (await res.json()) as { id: string };
    const events = await api.call(`/v1/jobs/${job.id}/events`, { key: 'data_scientist' });
    expect(events.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await events.text();
    const states = [...text.matchAll(/"state":"(\w+)"/g)].map((m) => m[1]);
    expect(states.at(-1)).toBe('completed');
  });

  it("hides other callers' jobs from an ad platform", async () => {
    const res = await upload('members.csv', '&mode=replace&async=true');
    const job = (await res.json()) as { id: string };
    await api.deps.jobs!.idle();
    expect((await api.call(`/v1/jobs/${job.id}`, { key: 'ad_platform' })).status).toBe(404);
  });
});

describe('rate limits', () => {
  it('429 with Retry-After once a key spends its allowance', async () => {
    const limited = await testApi({
      rateLimits: { admin: 3, data_scientist: 3, marketer: 3, ad_platform: 3 },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await limited.call('/v1/keys')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const res = await limited.call('/v1/keys');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
