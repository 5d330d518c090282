import { createHash } from 'node:crypto';
import * as arrow from 'apache-arrow';
import { beforeEach, describe, expect, it } from 'vitest';
import type { DataService } from '../../src/api/index.ts';
import { createApiKey } from '../../src/api/index.ts';
import { audienceRevisionPrefix, encodeMembers } from '../../src/audience/members-file.ts';
import type { JobQueue } from '../../src/jobs/index.ts';
import { MemoryArtifactStore } from '../../src/store/artifacts.ts';
import type { Workspace } from '../../src/store/index.ts';
import { json, type TestApi, testApi } from './helpers.ts';

const sha = (id: string) => createHash('sha256').update(id.trim().toLowerCase()).digest('hex');
const tpIds = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `tp_${String(from + i).padStart(6, '0')}`);

/** Publishes an audience revision the way `createAudience` lays it out. */
async function putAudience(
  store: MemoryArtifactStore,
  id: string,
  ids: readonly string[],
  options: { revision?: number; idKind?: 'third_party' | 'member' } = {},
): Promise<void> {
  const revision = options.revision ?? 1;
  const idKind = options.idKind ?? 'third_party';
  const n = ids.length;
  const manifest = {
    kind: 'audience',
    version: 1,
    id,
    revision,
    modelId: 'lm_test',
    universe: idKind === 'member' ? 'members' : 'third_party',
    idKind,
    size: n,
    minSize: 100,
    snapshot: `snap${revision}`.padEnd(16, '0'),
    createdAt: `2026-04-0${revision}T00:00:00.000Z`,
  };
  await store.publish(audienceRevisionPrefix(id, revision), {
    'manifest.json': JSON.stringify(manifest),
    'members.arrow': encodeMembers({
      ids,
      scores: Float32Array.from({ length: n }, (_, i) => 1 - i / (2 * n)),
      ranks: Int32Array.from({ length: n }, (_, i) => i + 1),
    }),
  });
}

let api: TestApi;
let store: MemoryArtifactStore;

const problemOf = async (res: Response) => {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as { type: string; status: number; detail: string; field?: string };
};
const share = (id: string, destination: string, idType: 'tp_id' | 'sha256', key = 'marketer') =>
  api.call(`/v1/audiences/${id}/shares`, { ...json({ destination, idType }), key });
const ndjsonIds = async (res: Response) =>
  (await res.text())
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id: string; score: number; rank: number; change?: string });

beforeEach(async () => {
  store = new MemoryArtifactStore();
  const data = {} as DataService; // only so the import routes mount and their role check can be seen
  api = await testApi({ artifacts: store, data });
  await putAudience(store, 'au_tp', tpIds(1234));
  await putAudience(store, 'au_other', tpIds(300, 5000));
  await putAudience(
    store,
    'au_members',
    Array.from({ length: 150 }, (_, i) => `M${String(i).padStart(5, '0')}`),
    { idKind: 'member' },
  );
  await putAudience(store, 'au_small', tpIds(50));
});

describe('shares', () => {
  it('marketers share, list and unshare; an ad_platform key sees only its destination', async () => {
    expect((await share('au_tp', 'dsp-a', 'tp_id')).status).toBe(201);
    const again = await share('au_tp', 'dsp-a', 'sha256');
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ destination: 'dsp-a', audienceId: 'au_tp', idType: 'sha256' });
    expect((await share('au_other', 'dsp-b', 'tp_id')).status).toBe(201);
    expect(await store.list('shares/')).toEqual(['shares/dsp-a/au_tp.json', 'shares/dsp-b/au_other.json']);

    const listed = (await (await api.call('/v1/audiences/au_tp/shares', { key: 'marketer' })).json()) as {
      shares: { destination: string }[];
    };
    expect(listed.shares.map((s) => s.destination)).toEqual(['dsp-a']);

    for (const path of ['/v1/shares', '/v1/audiences']) {
      const res = await api.call(path, { key: 'ad_platform' });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { audiences: { id: string; size: number; idType: string }[] };
      expect(body.audiences.map((a) => [a.id, a.size, a.idType])).toEqual([['au_tp', 1234, 'sha256']]);
    }
    const all = (await (await api.call('/v1/shares', { key: 'marketer' })).json()) as {
      audiences: { id: string }[];
    };
    expect(all.audiences.map((a) => a.id)).toEqual(['au_tp', 'au_other']);

    const one = await api.call('/v1/audiences/au_tp', { key: 'ad_platform' });
    expect(await one.json()).toMatchObject({ id: 'au_tp', revision: 1, destination: 'dsp-a' });

    expect(
      (await api.call('/v1/audiences/au_tp/shares/dsp-a', { method: 'DELETE', key: 'marketer' })).status,
    ).toBe(204);
    expect((await api.call('/v1/audiences/au_tp/export', { key: 'ad_platform' })).status).toBe(404);
    expect(
      (await api.call('/v1/audiences/au_tp/shares/dsp-a', { method: 'DELETE', key: 'marketer' })).status,
    ).toBe(404);
  });

  it('answers 404 alike for an audience shared elsewhere, unshared, or missing', async () => {
    await share('au_other', 'dsp-b', 'tp_id');
    const bodies: string[] = [];
    for (const id of ['au_other', 'au_tp', 'au_nope']) {
      for (const path of [
        `/v1/audiences/${id}`,
        `/v1/audiences/${id}/export`,
        `/v1/audiences/${id}/shares`,
      ]) {
        const res = await api.call(path, { key: 'ad_platform' });
        expect(res.status).toBe(404);
        bodies.push(JSON.stringify({ ...(await problemOf(res)), detail: '', id: '' }));
      }
    }
    expect(new Set(bodies).size).toBe(1);
  });

  it('an ad_platform key cannot share, train, import or change a shared audience', async () => {
    await share('au_tp', 'dsp-a', 'tp_id');
    expect((await share('au_tp', 'dsp-a', 'tp_id', 'ad_platform')).status).toBe(403);
    expect((await api.call('/v1/audiences/au_tp', { method: 'DELETE', key: 'ad_platform' })).status).toBe(
      403,
    );
    expect(
      (await api.call('/v1/audiences', { ...json({ modelId: 'lm_1' }), key: 'ad_platform' })).status,
    ).toBe(403);
    const upload = { method: 'POST', body: 'member_id\nM1\n', headers: { 'content-type': 'text/csv' } };
    expect((await api.call('/v1/imports/members', { ...upload, key: 'ad_platform' })).status).toBe(403);
    // The full Node app: a workspace and a job queue mount the training routes (the role check
    // answers before either is touched).
    const full = await testApi({
      artifacts: store,
      workspace: { artifacts: store } as unknown as Workspace,
      jobs: {} as JobQueue,
    });
    const train = await full.call('/v1/lookalike-models', { ...json({ seed: {} }), key: 'ad_platform' });
    expect(train.status).toBe(403);
    expect((await problemOf(train)).detail).toMatch(/^a ad_platform key cannot do this; it needs the role/);
    expect((await full.call('/v1/audiences/au_tp/export', { key: 'ad_platform' })).status).toBe(200);
    expect((await api.call('/v1/audiences/au_tp/export', { key: 'data_scientist' })).status).toBe(403);
  });

  it('validates share requests: 400, 401, 404, 415, 422', async () => {
    const bad = await api.call('/v1/audiences/au_tp/shares', {
      method: 'POST',
      body: '{"destination":',
      headers: { 'content-type': 'application/json' },
      key: 'marketer',
    });
    expect(bad.status).toBe(400);
    await problemOf(bad);
    expect((await api.call('/v1/audiences/au_tp/shares', { ...json({}), key: null })).status).toBe(401);
    expect((await share('au_nope', 'dsp-a', 'tp_id')).status).toBe(404);
    const text = await api.call('/v1/audiences/au_tp/shares', {
      method: 'POST',
      body: 'destination=dsp-a',
      headers: { 'content-type': 'text/plain' },
      key: 'marketer',
    });
    expect(text.status).toBe(415);
    expect((await problemOf(text)).detail).toBe('send the body as application/json, not "text/plain"');
    const raw = await share('au_members', 'dsp-a', 'tp_id');
    expect(raw.status).toBe(422);
    expect(await problemOf(raw)).toMatchObject({
      field: 'idType',
      detail:
        'audience "au_members" holds member IDs, which leave only as SHA-256; share it with idType "sha256"',
    });
    const dest = await share('au_tp', '../etc', 'tp_id');
    expect(dest.status).toBe(422);
    expect((await problemOf(dest)).field).toBe('destination');
    const small = await share('au_small', 'dsp-a', 'tp_id');
    expect(small.status).toBe(422);
    expect((await problemOf(small)).detail).toBe(
      'audience "au_small" has 50 people, below the minimum export size of 100',
    );
  });
});

describe('GET /v1/audiences/{id}/export', () => {
  it('never lets a raw member ID out, in any format', async () => {
    await share('au_members', 'dsp-a', 'sha256');
    const raw = Array.from({ length: 150 }, (_, i) => `M${String(i).padStart(5, '0')}`);
    for (const key of ['ad_platform', 'marketer', 'admin']) {
      for (const format of ['csv', 'ndjson', 'arrow']) {
        const res = await api.call(`/v1/audiences/au_members/export?format=${format}`, { key });
        expect(res.status).toBe(200);
        expect(res.headers.get('x-id-type')).toBe('sha256');
        const bytes = new Uint8Array(await res.arrayBuffer());
        const text = new TextDecoder().decode(bytes);
        expect(text).not.toMatch(/M\d{5}/i);
        if (format === 'arrow') {
          const ids = [...arrow.tableFromIPC(bytes).getChild('id')!] as string[];
          expect(ids).toEqual(raw.map(sha));
        }
      }
    }
  });

  it('sends third-party IDs as they are, or hashed when the share says sha256', async () => {
    await share('au_tp', 'dsp-a', 'tp_id');
    const plain = await ndjsonIds(
      await api.call('/v1/audiences/au_tp/export?limit=3', { key: 'ad_platform' }),
    );
    expect(plain).toEqual([
      { id: 'tp_000000', score: 1, rank: 1 },
      { id: 'tp_000001', score: Number((1 - 1 / 2468).toFixed(6)), rank: 2 },
      { id: 'tp_000002', score: Number(Math.fround(1 - 2 / 2468).toFixed(6)), rank: 3 },
    ]);
    await share('au_tp', 'dsp-a', 'sha256');
    const hashed = await api.call('/v1/audiences/au_tp/export?format=csv&limit=2', { key: 'ad_platform' });
    expect((await hashed.text()).split('\n').slice(1, 3)).toEqual([
      `${sha('tp_000000')},1.000000,1`,
      `${sha('tp_000001')},${(1 - 1 / 2468).toFixed(6)},2`,
    ]);
  });

  it('paginates with cursors to exactly the full ID list, in every format', async () => {
    await share('au_tp', 'dsp-a', 'tp_id');
    for (const format of ['csv', 'ndjson', 'arrow'] as const) {
      const seen: string[] = [];
      let next: string | null = `/v1/audiences/au_tp/export?format=${format}&limit=500`;
      let pages = 0;
      while (next) {
        const res: Response = await api.call(next, { key: 'ad_platform' });
        expect(res.status).toBe(200);
        expect(res.headers.get('x-total-count')).toBe('1234');
        const bytes = new Uint8Array(await res.arrayBuffer());
        if (format === 'arrow') seen.push(...([...arrow.tableFromIPC(bytes).getChild('id')!] as string[]));
        else if (format === 'csv')
          seen.push(
            ...new TextDecoder()
              .decode(bytes)
              .trim()
              .split('\n')
              .slice(1)
              .map((l) => l.split(',')[0]!),
          );
        else
          seen.push(
            ...new TextDecoder()
              .decode(bytes)
              .trim()
              .split('\n')
              .map((l) => JSON.parse(l).id),
          );
        const link = res.headers.get('link');
        next = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1]! : null;
        if (next) expect(next).toContain(`cursor=${res.headers.get('x-next-cursor')}`);
        pages++;
      }
      expect(pages).toBe(3);
      expect(seen).toEqual(tpIds(1234));
    }
  });

  it('answers 304 to its ETag, and a new revision gets a new ETag and refuses old cursors', async () => {
    await share('au_tp', 'dsp-a', 'tp_id');
    const first = await api.call('/v1/audiences/au_tp/export?limit=10', { key: 'ad_platform' });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"1-[0-9a-f]{12}"$/);
    const cursor = first.headers.get('x-next-cursor')!;
    await first.body?.cancel();
    for (const header of [etag, etag.slice(2), `"x", ${etag}`, '*']) {
      const again = await api.call('/v1/audiences/au_tp/export', {
        key: 'ad_platform',
        headers: { 'if-none-match': header },
      });
      expect(again.status).toBe(304);
      expect(again.headers.get('etag')).toBe(etag);
      expect(await again.text()).toBe('');
    }
    await putAudience(store, 'au_tp', tpIds(1300, 100), { revision: 2 });
    const fresh = await api.call('/v1/audiences/au_tp/export?limit=10', {
      key: 'ad_platform',
      headers: { 'if-none-match': etag },
    });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('etag')).toMatch(/^W\/"2-[0-9a-f]{12}"$/);
    expect(fresh.headers.get('x-audience-revision')).toBe('2');
    expect((await ndjsonIds(fresh))[0]!.id).toBe('tp_000100');
    const stale = await api.call(`/v1/audiences/au_tp/export?limit=10&cursor=${cursor}`, {
      key: 'ad_platform',
    });
    expect(stale.status).toBe(422);
    const p = await problemOf(stale);
    expect(p.field).toBe('cursor');
    expect(p.detail).toContain('restart the pull without a cursor');
  });

  it('lists the delta since a revision: added, then removed', async () => {
    await share('au_tp', 'dsp-a', 'tp_id');
    // Revision 2 drops tp_000000..99 and adds tp_001234..1333.
    await putAudience(store, 'au_tp', tpIds(1234, 100), { revision: 2 });
    const rows = await ndjsonIds(
      await api.call('/v1/audiences/au_tp/export?since=1', { key: 'ad_platform' }),
    );
    const added = rows.filter((r) => r.change === 'added').map((r) => r.id);
    const removed = rows.filter((r) => r.change === 'removed').map((r) => r.id);
    expect(added).toEqual(tpIds(100, 1234));
    expect(removed).toEqual(tpIds(100));
    expect(rows.slice(0, 100).every((r) => r.change === 'added')).toBe(true);
    // Paged delta pulls round-trip too.
    const seen: string[] = [];
    let cursor = '';
    do {
      const res = await api.call(`/v1/audiences/au_tp/export?since=1&format=csv&limit=64${cursor}`, {
        key: 'ad_platform',
      });
      expect(res.headers.get('x-total-count')).toBe('200');
      seen.push(
        ...(await res.text())
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => `${l.split(',')[0]}:${l.split(',')[3]}`),
      );
      const next = res.headers.get('x-next-cursor');
      cursor = next ? `&cursor=${next}` : '';
    } while (cursor);
    expect(seen).toEqual([...added.map((id) => `${id}:added`), ...removed.map((id) => `${id}:removed`)]);
    expect(
      await ndjsonIds(await api.call('/v1/audiences/au_tp/export?since=2', { key: 'ad_platform' })),
    ).toEqual([]);
    const future = await api.call('/v1/audiences/au_tp/export?since=3', { key: 'ad_platform' });
    expect(future.status).toBe(422);
    expect(await problemOf(future)).toMatchObject({ field: 'since' });
  });

  it('hashes the delta with the share: removed member IDs never leave raw either', async () => {
    const members = (n: number, from = 0) =>
      Array.from({ length: n }, (_, i) => `M${String(from + i).padStart(5, '0')}`);
    await share('au_members', 'dsp-a', 'sha256');
    await putAudience(store, 'au_members', members(150, 10), { revision: 2, idKind: 'member' });
    const text = await (
      await api.call('/v1/audiences/au_members/export?since=1', { key: 'ad_platform' })
    ).text();
    expect(text).not.toMatch(/M\d{5}/i);
    const rows = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; change: string });
    expect(rows.filter((r) => r.change === 'removed').map((r) => r.id)).toEqual(members(10).map(sha).sort());
  });

  it('enforces the minimum release size on export too', async () => {
    await store.put(
      'shares/dsp-a/au_small.json',
      JSON.stringify({
        destination: 'dsp-a',
        audienceId: 'au_small',
        idType: 'tp_id',
        sharedBy: null,
        sharedAt: '',
      }),
    );
    const res = await api.call('/v1/audiences/au_small/export', { key: 'ad_platform' });
    expect(res.status).toBe(422);
    expect(await problemOf(res)).toMatchObject({ type: 'https://lookalike.dev/problems/insufficient-data' });
    const lenient = await testApi({ artifacts: store, exportMinSize: 10 });
    expect((await lenient.call('/v1/audiences/au_small/export', { key: 'ad_platform' })).status).toBe(200);
  });

  it('rejects bad queries with 422 and a field, and missing keys with 401', async () => {
    await share('au_tp', 'dsp-a', 'tp_id');
    for (const [query, field] of [
      ['format=xml', 'format'],
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
      ['cursor=garbage', 'cursor'],
      ['since=0', 'since'],
    ] as const) {
      const res = await api.call(`/v1/audiences/au_tp/export?${query}`, { key: 'ad_platform' });
      expect(res.status).toBe(422);
      expect((await problemOf(res)).field).toBe(field);
    }
    expect((await api.call('/v1/audiences/au_tp/export', { key: null })).status).toBe(401);
  });

  it('a revoked key fails at once', async () => {
    await share('au_tp', 'dsp-a', 'tp_id');
    const { key, record } = await createApiKey(api.deps.keys, {
      name: 'dsp a pull',
      role: 'ad_platform',
      destination: 'dsp-a',
    });
    expect((await api.call('/v1/audiences/au_tp/export?limit=1', { key })).status).toBe(200);
    expect((await api.call(`/v1/keys/${record.keyId}`, { method: 'DELETE' })).status).toBe(200);
    const res = await api.call('/v1/audiences/au_tp/export?limit=1', { key });
    expect(res.status).toBe(401);
    expect((await problemOf(res)).detail).toBe('the API key is not valid or has been revoked');
  });

  it('audits every pull, 304s included, with what left and for whom', async () => {
    await share('au_tp', 'dsp-a', 'tp_id');
    const res = await api.call('/v1/audiences/au_tp/export?format=csv&limit=100', { key: 'ad_platform' });
    await res.text();
    await api.call('/v1/audiences/au_tp/export', {
      key: 'ad_platform',
      headers: { 'if-none-match': res.headers.get('etag')! },
    });
    const exports = api.audit.entries.filter((e) => e.action === 'export');
    expect(exports.map((e) => [e.role, e.resource, e.status])).toEqual([
      ['ad_platform', 'audiences/au_tp@1', 200],
      ['ad_platform', 'audiences/au_tp@1', 304],
    ]);
    expect(JSON.parse(exports[0]!.detail!)).toMatchObject({
      destination: 'dsp-a',
      idType: 'tp_id',
      format: 'csv',
      offset: 0,
      rows: 100,
      total: 1234,
    });
  });

  it('documents its routes in /openapi.json', async () => {
    const doc = (await (await api.app.request('/openapi.json')).json()) as { paths: Record<string, object> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/audiences/{id}/export',
        '/v1/audiences/{id}/shares',
        '/v1/audiences/{id}/shares/{destination}',
        '/v1/shares',
      ]),
    );
  });
});
