import { env, SELF } from 'cloudflare:test';
import * as arrow from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { audienceRevisionPrefix, encodeMembers } from '../../src/audience/members-file.ts';
import {
  buildRelease,
  destinationSecret,
  type MemberDirectory,
  putDestination,
  putShare,
} from '../../src/export/index.ts';
import { R2ArtifactStore, type R2BucketLike } from '../../src/store/r2.ts';

interface TestEnv {
  ARTIFACTS: R2BucketLike & {
    put(k: string, v: string | Uint8Array): Promise<unknown>;
    get(k: string): Promise<{ text(): Promise<string>; arrayBuffer(): Promise<ArrayBuffer> } | null>;
  };
  TEST_KEYS: string;
}
const testEnv = env as unknown as TestEnv;
const keys = JSON.parse(testEnv.TEST_KEYS) as Record<'dspA' | 'dspB' | 'marketer' | 'scientist', string>;
const store = new R2ArtifactStore(testEnv.ARTIFACTS);

const tpIds = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `tp_${String(from + i).padStart(6, '0')}`);
const members = (n: number) => Array.from({ length: n }, (_, i) => `M${i}`);

async function putAudience(
  id: string,
  ids: readonly string[],
  revision = 1,
  idKind: 'third_party' | 'member' = 'third_party',
  modelId = 'lm_w',
) {
  const n = ids.length;
  await store.publish(audienceRevisionPrefix(id, revision), {
    'manifest.json': JSON.stringify({
      kind: 'audience',
      version: 1,
      id,
      revision,
      modelId,
      idKind,
      universe: idKind === 'member' ? 'members' : 'third_party',
      size: n,
      minSize: 100,
      snapshot: `w${revision}`.padEnd(16, '0'),
      createdAt: '2026-04-01T00:00:00.000Z',
    }),
    'members.arrow': encodeMembers({
      ids,
      scores: Float32Array.from({ length: n }, (_, i) => 1 - i / (2 * n)),
      ranks: Int32Array.from({ length: n }, (_, i) => i + 1),
    }),
  });
}

/** Everyone consented; no contacts (the destinations here take keyed IDs or third-party IDs). */
const everyone: MemberDirectory = {
  consented: async (ids) => new Uint8Array(ids.length).fill(1),
  contacts: async (ids) => ids.map(() => null),
};

/** Releases a revision to a destination and shares it, as the Node side does before a sync. */
async function release(destination: string, audienceId: string, revision?: number) {
  const { destination: d } = await putDestination(
    store,
    destination,
    destination === 'dsp-a'
      ? { idForm: 'hmac_sha256', purposes: ['ad_targeting'] }
      : { idForm: 'tp_id', purposes: ['ad_targeting'] },
    null,
  );
  await buildRelease(store, everyone, { destination: d, audienceId, revision, minSize: 100, by: null });
  await putShare(store, {
    destination,
    audienceId,
    idForm: d.idForm,
    sharedBy: null,
    sharedAt: '2026-04-01T00:00:00.000Z',
  });
}

/** HMAC-SHA-256 by WebCrypto: an implementation independent of the one under test. */
async function hmacHex(key: Uint8Array, text: string): Promise<string> {
  const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', k, new TextEncoder().encode(text)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A logistic model over a tiny third-party spec, stored as `lookalike/artifact.ts` lays models out. */
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

const get = (path: string, key: string | null, headers: Record<string, string> = {}) =>
  SELF.fetch(`https://worker.test${path}`, {
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
  });
const post = (path: string, key: string, body: unknown, type = 'application/json') =>
  SELF.fetch(`https://worker.test${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': type },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

let secretA: Uint8Array;

beforeAll(async () => {
  await putAudience('au_tp', tpIds(1000));
  await release('dsp-a', 'au_tp', 1);
  await putAudience('au_tp', tpIds(1000, 50), 2);
  await release('dsp-a', 'au_tp', 2);
  await putAudience('au_members', members(120), 1, 'member');
  await release('dsp-a', 'au_members');
  await putAudience('au_b', tpIds(200, 9000), 1, 'third_party', 'lm_b');
  await release('dsp-b', 'au_b');
  secretA = await destinationSecret(store, 'dsp-a', 1);
  await store.publish('lookalike-models/lm_w', {
    'spec.json': JSON.stringify(spec),
    'weights.bin': new Uint8Array(weights.buffer),
    'manifest.json': JSON.stringify({
      kind: 'lookalike',
      id: 'lm_w',
      architecture: 'logistic',
      layers: [{ inputs: 9, units: 1, activation: 'linear', weightsOffset: 0, biasOffset: 9 }],
    }),
  });
});

describe('Worker entry in workerd', () => {
  it('answers /healthz', async () => {
    const res = await SELF.fetch('https://worker.test/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', version: '0.1.0' });
  });

  it('has its R2 bucket bound', async () => {
    await testEnv.ARTIFACTS.put('probe.txt', 'ok');
    expect(await (await testEnv.ARTIFACTS.get('probe.txt'))!.text()).toBe('ok');
  });

  it('rejects /v1 calls without a key with a problem', async () => {
    const res = await get('/v1/audiences', null);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('pulls from R2', () => {
  const hmacs = (ids: string[]) => Promise.all(ids.map((id) => hmacHex(secretA, id)));

  it('lists only the audiences shared with the key’s destination', async () => {
    const a = (await (await get('/v1/audiences', keys.dspA)).json()) as {
      audiences: { id: string; revision: number }[];
    };
    expect(a.audiences.map((x) => [x.id, x.revision]).sort()).toEqual([
      ['au_members', 1],
      ['au_tp', 2],
    ]);
    const b = (await (await get('/v1/shares', keys.dspB)).json()) as {
      audiences: { id: string; idForm: string }[];
    };
    expect(b.audiences.map((x) => [x.id, x.idForm])).toEqual([['au_b', 'tp_id']]);
    expect((await get('/v1/audiences/au_b/export', keys.dspA)).status).toBe(404);
    expect((await get('/v1/audiences/au_tp/export', keys.dspB)).status).toBe(404);
    expect((await get('/v1/audiences/au_nope/export', keys.dspA)).status).toBe(404);
  });

  it('streams pages of keyed IDs whose cursors round-trip to the newest release', async () => {
    const seen: string[] = [];
    let next: string | null = '/v1/audiences/au_tp/export?format=csv&limit=300';
    let etag = '';
    while (next) {
      const res: Response = await get(next, keys.dspA);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('x-id-form')).toBe('hmac_sha256');
      etag = res.headers.get('etag')!;
      seen.push(
        ...(await res.text())
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => l.split(',')[0]!),
      );
      const link = res.headers.get('link');
      next = link ? /^<([^>]+)>/.exec(link)![1]! : null;
    }
    expect(seen).toEqual((await hmacs(tpIds(1000, 50))).sort());
    expect(etag).toMatch(/^W\/"2-[0-9a-f]{16}"$/);
    expect((await get('/v1/audiences/au_tp/export', keys.dspA, { 'if-none-match': etag })).status).toBe(304);
  });

  it('sends the delta since a revision (Arrow, op column) with its own ETag, for an ad_platform key', async () => {
    const res = await get('/v1/audiences/au_tp/export?format=arrow&since=1', keys.dspA);
    expect(res.status).toBe(200);
    const tag = res.headers.get('etag')!;
    expect(tag).toMatch(/^W\/"delta-1-2-[0-9a-f]{16}"$/);
    const table = arrow.tableFromIPC(new Uint8Array(await res.arrayBuffer()));
    const rows = table.toArray().map((r) => r.toJSON() as { id: string; op: string; rank: number | null });
    const before = new Set(await hmacs(tpIds(1000)));
    const after = new Set(await hmacs(tpIds(1000, 50)));
    expect(
      rows
        .filter((r) => r.op === 'add')
        .map((r) => r.id)
        .sort(),
    ).toEqual([...after].filter((x) => !before.has(x)).sort());
    expect(
      rows
        .filter((r) => r.op === 'remove')
        .map((r) => r.id)
        .sort(),
    ).toEqual([...before].filter((x) => !after.has(x)).sort());
    expect(rows.length).toBe(100);
    expect(rows.filter((r) => r.op === 'remove').every((r) => r.rank === null)).toBe(true);
    expect(
      (await get('/v1/audiences/au_tp/export?format=arrow&since=1', keys.dspA, { 'if-none-match': tag }))
        .status,
    ).toBe(304);
    const info = (await (await get('/v1/audiences/au_tp/export/info?since=1', keys.dspA)).json()) as {
      delta: { add: number; remove: number };
    };
    expect(info.delta).toMatchObject({ add: 50, remove: 50 });
    const shared = (await (await get('/v1/audiences/au_tp', keys.dspA)).json()) as {
      lastPulled: { revision: number; since: number };
    };
    expect(shared.lastPulled).toMatchObject({ revision: 2, since: 1 });
  });

  it('never sends member IDs as they are', async () => {
    const text = await (await get('/v1/audiences/au_members/export?format=ndjson', keys.dspA)).text();
    const ids = text
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids).toEqual((await hmacs(members(120))).sort());
    expect(text).not.toMatch(/"M\d+"/);
  });

  it('is read-only: shares and destinations are managed on the Node side', async () => {
    expect((await post('/v1/audiences/au_tp/shares', keys.marketer, { destination: 'x' })).status).toBe(404);
    expect((await post('/v1/audiences/au_tp/shares', keys.dspA, {})).status).toBe(403);
  });
});

describe('POST /v1/lookalike-models/{id}/score', () => {
  it('scores posted profiles with the portable kernel', async () => {
    const res = await post('/v1/lookalike-models/lm_w/score', keys.scientist, {
      profiles: [
        { gender: 'female', age_band: '30s', interests: { baking: 9 }, searches: ['パン 作り方'] },
        { gender: 'male', interests: { cars: 3 } },
        {},
      ],
      explain: 2,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      scores: number[];
      architecture: string;
      explanations: { feature: string }[][];
    };
    const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
    const ln = (v: number) => Math.fround(Math.log1p(v));
    expect(body.architecture).toBe('logistic');
    expect(body.scores[0]).toBeCloseTo(sigmoid(-2 + 0.5 + 0.75 + 0.4 * ln(9) + 0.9), 6);
    expect(body.scores[1]).toBeCloseTo(sigmoid(-2 - 0.25 + 0 - 1 * ln(3)), 6);
    // Missing gender and age count as "unknown"; region absent.
    expect(body.scores[2]).toBeCloseTo(sigmoid(-2), 6);
    expect(body.explanations[0]!.map((e) => e.feature)).toEqual(['interest:baking', 'search:パン']);
  });

  it('answers 404, 415, 422 and 403 clearly', async () => {
    expect((await post('/v1/lookalike-models/lm_nope/score', keys.marketer, { profiles: [{}] })).status).toBe(
      404,
    );
    expect((await post('/v1/lookalike-models/lm_w/score', keys.marketer, 'x', 'text/plain')).status).toBe(
      415,
    );
    expect((await post('/v1/lookalike-models/lm_w/score', keys.marketer, '{"profiles":')).status).toBe(400);
    const bad = await post('/v1/lookalike-models/lm_w/score', keys.marketer, { profiles: [{ shoe: 1 }] });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { field: string }).field).toBe('profiles.0.shoe');
    expect((await post('/v1/lookalike-models/lm_w/score', keys.marketer, { profiles: [] })).status).toBe(422);
  });

  it('scores with an ad_platform key the models of the audiences shared with it, and no other', async () => {
    const res = await post('/v1/lookalike-models/lm_w/score', keys.dspA, { profiles: [{}] });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { scores: number[] }).scores[0]).toBeCloseTo(1 / (1 + Math.exp(2)), 6);
    expect((await post('/v1/lookalike-models/lm_w/score', keys.dspB, { profiles: [{}] })).status).toBe(404);
  });
});
