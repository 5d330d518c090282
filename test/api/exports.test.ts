import { createHmac } from 'node:crypto';
import * as arrow from 'apache-arrow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/api/index.ts';
import { audienceRevisionPrefix, encodeMembers } from '../../src/audience/index.ts';
import {
  buildRelease,
  destinationSecret,
  listReleases,
  putShare,
  requireDestination,
  workspaceDirectory,
} from '../../src/export/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { tempWorkspace } from '../helpers/workspace.ts';
import { json, type TestApi, testApi } from './helpers.ts';

const tpIds = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `tp_${String(from + i).padStart(6, '0')}`);
const memberIds = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `M${String(from + i).padStart(5, '0')}`);

/** Publishes an audience revision the way `createAudience` lays it out (without sorted files: the old layout). */
async function putAudience(
  ws: Workspace,
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
  await ws.artifacts.publish(audienceRevisionPrefix(id, revision), {
    'manifest.json': JSON.stringify(manifest),
    'members.arrow': encodeMembers({
      ids,
      scores: Float32Array.from({ length: n }, (_, i) => 1 - i / (2 * n)),
      ranks: Int32Array.from({ length: n }, (_, i) => i + 1),
    }),
  });
}

let api: TestApi;
let ws: Workspace;
let cleanup: () => void;

const problemOf = async (res: Response) => {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as { type: string; status: number; detail: string; field?: string };
};
const declare = (name: string, body: Record<string, unknown>, key = 'marketer') =>
  api.call(`/v1/destinations/${name}`, { ...json(body), method: 'PUT', key });
const share = (id: string, destination: string, key = 'marketer') =>
  api.call(`/v1/audiences/${id}/shares`, { ...json({ destination }), key });
const rowsOf = async (res: Response) =>
  (await res.text())
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id: string; score: number | null; rank: number | null; op?: string });
/** Releases the latest revision again for a destination (what a refresh does for every share). */
const release = async (destination: string, audienceId: string) =>
  buildRelease(ws.artifacts, workspaceDirectory(ws), {
    destination: await requireDestination(ws.artifacts, destination),
    audienceId,
    minSize: 100,
    by: null,
  });

beforeEach(async () => {
  ({ ws, cleanup } = await tempWorkspace());
  api = await testApi({ workspace: ws });
  await putAudience(ws, 'au_tp', tpIds(1234));
  await putAudience(ws, 'au_other', tpIds(300, 5000));
  await putAudience(ws, 'au_members', memberIds(150), { idKind: 'member' });
  await putAudience(ws, 'au_small', tpIds(50));
  // Members 0-149 granted both default purposes, except every tenth, who refused ad targeting.
  const values = memberIds(150).flatMap((m, i) => [
    `('${m}', 'ad_targeting', ${i % 10 !== 0}, '2026-03-01')`,
    `('${m}', 'third_party_sharing', true, '2026-03-01')`,
  ]);
  await ws.db.run(`INSERT INTO consents VALUES ${values.join(', ')}`);
  expect((await declare('dsp-a', { idForm: 'tp_id', purposes: ['ad_targeting'] })).status).toBe(201);
  expect((await declare('dsp-b', { idForm: 'tp_id', purposes: ['ad_targeting'] })).status).toBe(201);
  expect((await declare('dsp-h', { idForm: 'hmac_sha256' })).status).toBe(201);
});
afterEach(() => cleanup());

describe('destinations', () => {
  it('are declared with an ID form, platform and purposes, and listed with the forms on offer', async () => {
    const again = await declare('dsp-a', { idForm: 'tp_id', purposes: ['ad_targeting'] });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ created: false, releases: [] });
    const res = await api.call('/v1/destinations', { key: 'marketer' });
    const body = (await res.json()) as {
      destinations: {
        name: string;
        idForm: string;
        platform: string;
        purposes: string[];
        keyVersion: number;
      }[];
      idForms: { idForm: string }[];
    };
    expect(
      body.destinations.map((d) => [d.name, d.idForm, d.platform, d.purposes.join('+'), d.keyVersion]),
    ).toEqual([
      ['dsp-a', 'tp_id', 'generic', 'ad_targeting', 1],
      ['dsp-b', 'tp_id', 'generic', 'ad_targeting', 1],
      ['dsp-h', 'hmac_sha256', 'generic', 'ad_targeting+third_party_sharing', 1],
    ]);
    expect(body.idForms.map((f) => f.idForm)).toEqual([
      'tp_id',
      'hmac_sha256',
      'sha256_email',
      'sha256_phone',
    ]);
    // The keyed-ID secret never appears in an answer.
    const secret = Buffer.from(await destinationSecret(ws.artifacts, 'dsp-h', 1)).toString('hex');
    expect(
      JSON.stringify(await (await api.call('/v1/destinations', { key: 'marketer' })).json()),
    ).not.toContain(secret);
  });

  it('validate their input and roles', async () => {
    expect((await problemOf(await declare('dsp-x', { idForm: 'sha256' }))).field).toBe('idForm');
    expect((await problemOf(await declare('dsp-x', { idForm: 'tp_id', purposes: ['Ads!'] }))).field).toMatch(
      /^purposes/,
    );
    expect((await problemOf(await declare('dsp-x', { idForm: 'tp_id', purposes: [] }))).field).toBe(
      'purposes',
    );
    expect((await declare('dsp-x', { idForm: 'tp_id' }, 'ad_platform')).status).toBe(403);
    expect((await declare('dsp-x', { idForm: 'tp_id' }, 'data_scientist')).status).toBe(403);
    expect(
      (
        await api.call('/v1/destinations/..%2Fetc', {
          ...json({ idForm: 'tp_id' }),
          method: 'PUT',
          key: 'marketer',
        })
      ).status,
    ).toBe(422);
  });
});

describe('shares', () => {
  it('marketers share, list and unshare; an ad_platform key sees only its destination', async () => {
    const first = await share('au_tp', 'dsp-a');
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({
      id: 'au_tp',
      destination: 'dsp-a',
      revision: 1,
      size: 1234,
      idForm: 'tp_id',
    });
    expect((await share('au_tp', 'dsp-a')).status).toBe(200);
    expect((await share('au_other', 'dsp-b')).status).toBe(201);
    expect(await ws.artifacts.list('shares/')).toEqual([
      'shares/dsp-a/au_tp.json',
      'shares/dsp-b/au_other.json',
    ]);

    const listed = (await (await api.call('/v1/audiences/au_tp/shares', { key: 'marketer' })).json()) as {
      shares: { destination: string }[];
    };
    expect(listed.shares.map((s) => s.destination)).toEqual(['dsp-a']);
    for (const path of ['/v1/shares', '/v1/audiences']) {
      const res = await api.call(path, { key: 'ad_platform' });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { audiences: { id: string; size: number; idForm: string }[] };
      expect(body.audiences.map((a) => [a.id, a.size, a.idForm])).toEqual([['au_tp', 1234, 'tp_id']]);
    }
    const all = (await (await api.call('/v1/shares', { key: 'marketer' })).json()) as {
      audiences: { id: string }[];
    };
    expect(all.audiences.map((a) => a.id)).toEqual(['au_tp', 'au_other']);
    expect(await (await api.call('/v1/audiences/au_tp', { key: 'ad_platform' })).json()).toMatchObject({
      id: 'au_tp',
      revision: 1,
      destination: 'dsp-a',
    });

    expect(
      (await api.call('/v1/audiences/au_tp/shares/dsp-a', { method: 'DELETE', key: 'marketer' })).status,
    ).toBe(204);
    expect(await listReleases(ws.artifacts, 'dsp-a', 'au_tp')).toEqual([]);
    expect((await api.call('/v1/audiences/au_tp/export', { key: 'ad_platform' })).status).toBe(404);
    expect(
      (await api.call('/v1/audiences/au_tp/shares/dsp-a', { method: 'DELETE', key: 'marketer' })).status,
    ).toBe(404);
  });

  it('answers 404 alike for an audience shared elsewhere, unshared, or missing, on every path', async () => {
    await share('au_other', 'dsp-b');
    const bodies: string[] = [];
    for (const id of ['au_other', 'au_tp', 'au_nope']) {
      for (const path of ['', '/export', '/export/info', '/shares', '/revisions', '/consent']) {
        const res = await api.call(`/v1/audiences/${id}${path}`, { key: 'ad_platform' });
        expect(res.status).toBe(404);
        bodies.push(JSON.stringify({ ...(await problemOf(res)), detail: '', id: '' }));
      }
    }
    expect(new Set(bodies).size).toBe(1);
  });

  it('an ad_platform key cannot share, train, import, analyse or change a shared audience', async () => {
    await share('au_tp', 'dsp-a');
    expect((await share('au_tp', 'dsp-a', 'ad_platform')).status).toBe(403);
    for (const [path, init] of [
      ['/v1/audiences/au_tp', { method: 'DELETE' }],
      ['/v1/audiences/au_tp', { ...json({ minSize: 200 }), method: 'PATCH' }],
      ['/v1/audiences/au_tp/refresh', { method: 'POST' }],
      ['/v1/audiences/au_tp/revisions', {}],
      ['/v1/audiences/au_tp/shares', {}],
    ] as const) {
      expect((await api.call(path, { ...init, key: 'ad_platform' })).status, path).toBe(403);
    }
    expect(
      (await api.call('/v1/audiences', { ...json({ modelId: 'lm_1' }), key: 'ad_platform' })).status,
    ).toBe(403);
    const train = await api.call('/v1/lookalike-models', { ...json({ seed: {} }), key: 'ad_platform' });
    expect([403, 404]).toContain(train.status);
    expect((await api.call('/v1/audiences/au_tp/export', { key: 'data_scientist' })).status).toBe(403);
  });

  it('makes the first release when sharing, or says why it cannot', async () => {
    const bad = await api.call('/v1/audiences/au_tp/shares', {
      method: 'POST',
      body: '{"destination":',
      headers: { 'content-type': 'application/json' },
      key: 'marketer',
    });
    expect(bad.status).toBe(400);
    expect((await api.call('/v1/audiences/au_tp/shares', { ...json({}), key: null })).status).toBe(401);
    expect((await share('au_nope', 'dsp-a')).status).toBe(404);
    const undeclared = await share('au_tp', 'dsp-zz');
    expect(undeclared.status).toBe(404);
    expect((await problemOf(undeclared)).detail).toMatch(
      /destination "dsp-zz" does not exist; declare it first/,
    );
    const text = await api.call('/v1/audiences/au_tp/shares', {
      method: 'POST',
      body: 'destination=dsp-a',
      headers: { 'content-type': 'text/plain' },
      key: 'marketer',
    });
    expect(text.status).toBe(415);
    const raw = await share('au_members', 'dsp-a');
    expect(raw.status).toBe(422);
    const rawProblem = await problemOf(raw);
    expect(rawProblem.field).toBe('idForm');
    expect(rawProblem.detail).toMatch(/holds member IDs, which never leave as they are/);
    const small = await share('au_small', 'dsp-a');
    expect(small.status).toBe(422);
    expect((await problemOf(small)).detail).toMatch(
      /^revision 1 of audience "au_small" leaves 50 people for destination "dsp-a", below the minimum release size of 100/,
    );
    expect(await ws.artifacts.list('shares/')).toEqual([]);
  });
});

describe('GET /v1/audiences/{id}/export', () => {
  it('sends member audiences only as the destination’s keyed IDs, leaving out members without consent', async () => {
    expect((await share('au_members', 'dsp-h')).status).toBe(201);
    const key = await destinationSecret(ws.artifacts, 'dsp-h', 1);
    const consented = memberIds(150).filter((_, i) => i % 10 !== 0);
    const expected = consented.map((m) => createHmac('sha256', key).update(m).digest('hex')).sort();
    const platform = (
      await createApiKey(api.deps.keys, { name: 'h2', role: 'ad_platform', destination: 'dsp-h' })
    ).key;
    for (const who of [platform, 'marketer', 'admin']) {
      for (const format of ['csv', 'ndjson', 'arrow'] as const) {
        const res = await api.call(
          `/v1/audiences/au_members/export?format=${format}${who === platform ? '' : '&destination=dsp-h'}`,
          { key: who },
        );
        expect(res.status).toBe(200);
        expect(res.headers.get('x-id-form')).toBe('hmac_sha256');
        const bytes = new Uint8Array(await res.arrayBuffer());
        const text = new TextDecoder().decode(bytes);
        expect(text).not.toMatch(/M\d{5}/i);
        const ids =
          format === 'arrow'
            ? ([...arrow.tableFromIPC(bytes).getChild('id')!] as string[])
            : format === 'csv'
              ? text
                  .trim()
                  .split('\n')
                  .slice(1)
                  .map((l) => l.split(',')[0]!)
              : text
                  .trim()
                  .split('\n')
                  .map((l) => (JSON.parse(l) as { id: string }).id);
        expect(ids).toEqual(expected);
      }
    }
    const info = (await (
      await api.call('/v1/audiences/au_members/export/info', { key: platform })
    ).json()) as {
      rows: number;
      counts: Record<string, number>;
    };
    expect(info.rows).toBe(135);
    expect(info.counts).toEqual({ audience: 150, consentExcluded: 15, noIdentifier: 0, duplicates: 0 });
    const natural = await api.call('/v1/audiences/au_members/export', { key: 'marketer' });
    expect(natural.status).toBe(422);
    expect(await problemOf(natural)).toMatchObject({ field: 'destination' });
  });

  it('sends third-party IDs as they are to a tp_id destination, and pages with opaque cursors to the full set', async () => {
    await share('au_tp', 'dsp-a');
    const first = await rowsOf(await api.call('/v1/audiences/au_tp/export?limit=3', { key: 'ad_platform' }));
    expect(first).toEqual([
      { id: 'tp_000000', score: 1, rank: 1 },
      { id: 'tp_000001', score: Number((1 - 1 / 2468).toFixed(6)), rank: 2 },
      { id: 'tp_000002', score: Number(Math.fround(1 - 2 / 2468).toFixed(6)), rank: 3 },
    ]);
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
        const cursor = res.headers.get('x-next-cursor');
        if (cursor) {
          // Opaque: not readable JSON, and refused when altered.
          expect(atob(cursor.replaceAll('-', '+').replaceAll('_', '/'))).not.toMatch(/[{"]/);
          const altered = `${cursor.slice(0, 10)}${cursor[10] === 'A' ? 'B' : 'A'}${cursor.slice(11)}`;
          const tampered = await api.call(`/v1/audiences/au_tp/export?limit=500&cursor=${altered}`, {
            key: 'ad_platform',
          });
          expect((await problemOf(tampered)).detail).toBe(
            'the cursor is not valid; use the cursor from the previous page unchanged',
          );
        }
        const link = res.headers.get('link');
        next = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1]! : null;
        if (next) expect(next).toContain(`cursor=${cursor}`);
        pages++;
      }
      expect(pages).toBe(3);
      expect(seen).toEqual(tpIds(1234));
    }
  });

  it('answers 304 to its ETag; a new revision gets a new ETag and refuses old cursors', async () => {
    await share('au_tp', 'dsp-a');
    const first = await api.call('/v1/audiences/au_tp/export?limit=10', { key: 'ad_platform' });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"1-[0-9a-f]{16}"$/);
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
    await putAudience(ws, 'au_tp', tpIds(1300, 100), { revision: 2 });
    await release('dsp-a', 'au_tp');
    const fresh = await api.call('/v1/audiences/au_tp/export?limit=10', {
      key: 'ad_platform',
      headers: { 'if-none-match': etag },
    });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('etag')).toMatch(/^W\/"2-[0-9a-f]{16}"$/);
    expect(fresh.headers.get('x-audience-revision')).toBe('2');
    expect((await rowsOf(fresh))[0]!.id).toBe('tp_000100');
    const stale = await api.call(`/v1/audiences/au_tp/export?limit=10&cursor=${cursor}`, {
      key: 'ad_platform',
    });
    expect(stale.status).toBe(422);
    const p = await problemOf(stale);
    expect(p.field).toBe('cursor');
    expect(p.detail).toContain('restart the pull without a cursor');
  });

  it('sends the delta since a revision: exactly the set differences, with its own ETag, paged, and records the pull', async () => {
    await share('au_members', 'dsp-h');
    // Revision 2 drops M00000-M00029 and adds M00150-M00179; M00150+ have no consent rows.
    await putAudience(ws, 'au_members', memberIds(150, 30), { revision: 2, idKind: 'member' });
    await ws.db.run(
      `INSERT INTO consents SELECT 'M00' || (150 + i)::VARCHAR, p, true, '2026-03-02' FROM range(30) t(i), (VALUES ('ad_targeting'), ('third_party_sharing')) v(p)`,
    );
    await release('dsp-h', 'au_members');
    const key = await destinationSecret(ws.artifacts, 'dsp-h', 1);
    const h = (m: string) => createHmac('sha256', key).update(m).digest('hex');
    const consentedIn = (ids: string[]) =>
      ids.filter((m) => Number(m.slice(1)) >= 150 || Number(m.slice(1)) % 10 !== 0);
    const before = new Set(consentedIn(memberIds(150)).map(h));
    const after = new Set(consentedIn(memberIds(150, 30)).map(h));
    const adds = [...after].filter((x) => !before.has(x)).sort();
    const removes = [...before].filter((x) => !after.has(x)).sort();
    expect([adds.length, removes.length]).toEqual([30, 27]);

    const res = await api.call('/v1/audiences/au_members/export?since=1', {
      key: 'ad_platform',
      headers: {},
    });
    expect(res.status).toBe(404); // the shared key is bound to dsp-a
    const platform = (
      await createApiKey(api.deps.keys, { name: 'h', role: 'ad_platform', destination: 'dsp-h' })
    ).key;
    const delta = await api.call('/v1/audiences/au_members/export?since=1', { key: platform });
    expect(delta.headers.get('x-delta-since')).toBe('1');
    const deltaTag = delta.headers.get('etag')!;
    expect(deltaTag).toMatch(/^W\/"delta-1-2-[0-9a-f]{16}"$/);
    const rows = await rowsOf(delta);
    expect(rows.filter((r) => r.op === 'add').map((r) => r.id)).toEqual(adds);
    expect(rows.filter((r) => r.op === 'remove').map((r) => r.id)).toEqual(removes);
    expect(rows.filter((r) => r.op === 'remove').every((r) => r.score === null && r.rank === null)).toBe(
      true,
    );
    expect(
      (
        await api.call('/v1/audiences/au_members/export?since=1', {
          key: platform,
          headers: { 'if-none-match': deltaTag },
        })
      ).status,
    ).toBe(304);

    // Paged delta pulls round-trip, CSV with an op column.
    const seen: string[] = [];
    let cursor = '';
    do {
      const page = await api.call(`/v1/audiences/au_members/export?since=1&format=csv&limit=8${cursor}`, {
        key: platform,
      });
      expect(page.headers.get('x-total-count')).toBe('57');
      const lines = (await page.text()).trim().split('\n');
      expect(lines[0]).toBe('id,score,rank,op');
      seen.push(...lines.slice(1).map((l) => `${l.split(',')[0]}:${l.split(',')[3]}`));
      const next = page.headers.get('x-next-cursor');
      cursor = next ? `&cursor=${next}` : '';
    } while (cursor);
    expect(seen.sort()).toEqual(
      [...adds.map((x) => `${x}:add`), ...removes.map((x) => `${x}:remove`)].sort(),
    );

    const shared = (await (await api.call('/v1/shares', { key: platform })).json()) as {
      audiences: { lastPulled: { revision: number; since: number | null } | null }[];
    };
    expect(shared.audiences[0]!.lastPulled).toMatchObject({ revision: 2, since: 1 });
    expect(
      await rowsOf(await api.call('/v1/audiences/au_members/export?since=2', { key: platform })),
    ).toEqual([]);
    const future = await api.call('/v1/audiences/au_members/export?since=3', { key: platform });
    expect((await problemOf(future)).field).toBe('since');
    const info = (await (
      await api.call('/v1/audiences/au_members/export/info?since=1', { key: platform })
    ).json()) as {
      delta: { add: number; remove: number; etag: string };
      deltaFrom: number[];
    };
    expect(info.delta).toEqual({ since: 1, etag: deltaTag, add: 30, remove: 27 });
    expect(info.deltaFrom).toEqual([1, 2]);

    // A new key starts over: a delta across it would remove IDs the platform never held.
    const rotated = await declare('dsp-h', { idForm: 'hmac_sha256', rotateKey: true });
    expect(
      ((await rotated.json()) as { releases: { revision: number }[] }).releases.map((r) => r.revision),
    ).toEqual([2]);
    const across = await problemOf(
      await api.call('/v1/audiences/au_members/export?since=1', { key: platform }),
    );
    expect(across.field).toBe('since');
    expect(across.detail).toMatch(/no release of revision 1 .* in its current ID form/);
  });

  it('gives a marketer the delta of a third-party audience itself', async () => {
    await putAudience(ws, 'au_tp', tpIds(1234, 100), { revision: 2 });
    const rows = await rowsOf(await api.call('/v1/audiences/au_tp/export?since=1', { key: 'marketer' }));
    expect(rows.filter((r) => r.op === 'add').map((r) => r.id)).toEqual(tpIds(100, 1234));
    expect(rows.filter((r) => r.op === 'remove').map((r) => r.id)).toEqual(tpIds(100));
  });

  it('refuses a share from before releases with what to do, and pulls below the minimum', async () => {
    await putShare(ws.artifacts, {
      destination: 'dsp-a',
      audienceId: 'au_other',
      idType: 'sha256',
      sharedBy: null,
      sharedAt: '',
    });
    const legacy = await api.call('/v1/audiences/au_other/export', { key: 'ad_platform' });
    expect(legacy.status).toBe(409);
    expect((await problemOf(legacy)).detail).toMatch(
      /shared with "dsp-a" before releases existed .* a marketer shares it again/,
    );
    await share('au_tp', 'dsp-a');
    const strict = await testApi({ workspace: ws, exportMinSize: 5000 });
    const res = await strict.call('/v1/audiences/au_tp/export', { key: strict.keys.marketer, headers: {} });
    expect(res.status).toBe(422);
    expect(await problemOf(res)).toMatchObject({ type: 'https://lookalike.dev/problems/insufficient-data' });
  });

  it('rejects bad queries with 422 and a field, missing keys with 401, revoked keys at once', async () => {
    await share('au_tp', 'dsp-a');
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
    const { key, record } = await createApiKey(api.deps.keys, {
      name: 'dsp a pull',
      role: 'ad_platform',
      destination: 'dsp-a',
    });
    expect((await api.call('/v1/audiences/au_tp/export?limit=1', { key })).status).toBe(200);
    expect((await api.call(`/v1/keys/${record.keyId}`, { method: 'DELETE' })).status).toBe(200);
    const res = await api.call('/v1/audiences/au_tp/export?limit=1', { key });
    expect(res.status).toBe(401);
  });

  it('audits every pull, 304s included, with what left and for whom', async () => {
    await share('au_tp', 'dsp-a');
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
      idForm: 'tp_id',
      format: 'csv',
      offset: 0,
      rows: 100,
      total: 1234,
    });
  });

  it('documents its routes, headers and operation IDs in /openapi.json', async () => {
    const doc = (await (await api.app.request('/openapi.json')).json()) as {
      paths: Record<
        string,
        Record<
          string,
          { operationId?: string; responses: Record<string, { headers?: Record<string, unknown> }> }
        >
      >;
    };
    const exportOp = doc.paths['/v1/audiences/{id}/export']!.get!;
    expect(exportOp.operationId).toBe('exportAudience');
    expect(Object.keys(exportOp.responses['200']!.headers!)).toEqual(
      expect.arrayContaining([
        'ETag',
        'X-Total-Count',
        'X-Next-Cursor',
        'Link',
        'X-Audience-Revision',
        'X-Id-Form',
      ]),
    );
    for (const path of [
      '/v1/destinations',
      '/v1/destinations/{name}',
      '/v1/audiences/{id}/shares',
      '/v1/shares',
      '/v1/audiences/{id}/export/info',
    ])
      expect(Object.keys(doc.paths)).toContain(path);
  });
});

describe('POST /v1/lookalike-models/{id}/score on Node', () => {
  // The same tiny logistic model as the workerd test, so both runtimes are held to one answer.
  const spec = {
    kind: 'third_party',
    version: 1,
    genders: ['female', 'male', 'unknown'],
    ageBands: ['30s', 'unknown'],
    regions: ['kanto'],
    interests: ['baking', 'cars'],
    terms: ['パン'],
    visitCap: 50,
    minTermDf: 1,
  };
  const weights = Float32Array.of(0.5, -0.25, 0, 0.75, 0, 0.1, 0.4, -1, 0.9, /* bias */ -2);
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  const ln = (v: number) => Math.fround(Math.log1p(v));
  const profiles = [
    { gender: 'female', age_band: '30s', interests: { baking: 9 }, searches: ['パン 作り方'] },
    { gender: 'male', interests: { cars: 3 } },
    {},
  ];
  const expected = [
    sigmoid(-2 + 0.5 + 0.75 + 0.4 * ln(9) + 0.9),
    sigmoid(-2 - 0.25 - 1 * ln(3)),
    sigmoid(-2),
  ];
  const score = (key: string, body: unknown = { profiles }) =>
    api.call('/v1/lookalike-models/lm_test/score', { ...json(body), key });

  beforeEach(async () => {
    // Every test audience here comes from "lm_test".
    await ws.artifacts.publish('lookalike-models/lm_test', {
      'spec.json': JSON.stringify(spec),
      'weights.bin': new Uint8Array(weights.buffer),
      'manifest.json': JSON.stringify({
        kind: 'lookalike',
        id: 'lm_test',
        architecture: 'logistic',
        layers: [{ inputs: 9, units: 1, activation: 'linear', weightsOffset: 0, biasOffset: 9 }],
      }),
    });
  });

  it('scores posted profiles for marketers and data scientists exactly as the kernel’s formula gives', async () => {
    for (const role of ['marketer', 'data_scientist'] as const) {
      const res = await score(role);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { modelId: string; architecture: string; scores: number[] };
      expect([body.modelId, body.architecture]).toEqual(['lm_test', 'logistic']);
      expect(body.scores).toHaveLength(3);
      for (const [i, s] of body.scores.entries()) expect(s).toBeCloseTo(expected[i]!, 6);
    }
  });

  it('lets an ad_platform key score only with the models of audiences shared with its destination', async () => {
    // Nothing shared with dsp-a yet: the model does not exist for its key.
    const before = await score('ad_platform');
    expect(before.status).toBe(404);
    expect((await problemOf(before)).detail).toContain('lm_test');
    expect((await share('au_tp', 'dsp-a')).status).toBe(201);
    const after = await score('ad_platform');
    expect(after.status).toBe(200);
    expect(((await after.json()) as { scores: number[] }).scores[2]).toBeCloseTo(expected[2]!, 6);
    // A key of another destination still gets 404, as on the Worker.
    const other = (
      await createApiKey(api.deps.keys, { name: 'dsp-h key', role: 'ad_platform', destination: 'dsp-h' })
    ).key;
    expect((await score(other)).status).toBe(404);
    expect((await score('ad_platform', { profiles: [{ shoe: 1 }] })).status).toBe(422);
  });
});
