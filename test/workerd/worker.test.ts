import { env, SELF } from 'cloudflare:test';
import * as arrow from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { audienceRevisionPrefix, encodeMembers } from '../../src/audience/members-file.ts';
import { hashMemberId } from '../../src/export/hash-id.ts';
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

async function putAudience(
  id: string,
  ids: readonly string[],
  revision = 1,
  idKind: 'third_party' | 'member' = 'third_party',
) {
  const n = ids.length;
  await store.publish(audienceRevisionPrefix(id, revision), {
    'manifest.json': JSON.stringify({
      kind: 'audience',
      version: 1,
      id,
      revision,
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

const putShare = (destination: string, audienceId: string, idType: 'tp_id' | 'sha256') =>
  store.put(
    `shares/${destination}/${audienceId}.json`,
    JSON.stringify({ destination, audienceId, idType, sharedBy: null, sharedAt: '2026-04-01T00:00:00.000Z' }),
  );

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

beforeAll(async () => {
  await putAudience('au_tp', tpIds(1000));
  await putAudience('au_tp', tpIds(1000, 50), 2);
  await putAudience(
    'au_members',
    Array.from({ length: 120 }, (_, i) => `M${i}`),
    1,
    'member',
  );
  await putAudience('au_b', tpIds(200, 9000));
  await putShare('dsp-a', 'au_tp', 'tp_id');
  await putShare('dsp-a', 'au_members', 'sha256');
  await putShare('dsp-b', 'au_b', 'tp_id');
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

describe('exports from R2', () => {
  it('lists only the audiences shared with the key’s destination', async () => {
    const a = (await (await get('/v1/audiences', keys.dspA)).json()) as { audiences: { id: string }[] };
    expect(a.audiences.map((x) => x.id).sort()).toEqual(['au_members', 'au_tp']);
    const b = (await (await get('/v1/shares', keys.dspB)).json()) as { audiences: { id: string }[] };
    expect(b.audiences.map((x) => x.id)).toEqual(['au_b']);
    expect((await get('/v1/audiences/au_b/export', keys.dspA)).status).toBe(404);
    expect((await get('/v1/audiences/au_tp/export', keys.dspB)).status).toBe(404);
    expect((await get('/v1/audiences/au_nope/export', keys.dspA)).status).toBe(404);
  });

  it('streams pages whose cursors round-trip to the full latest revision', async () => {
    const seen: string[] = [];
    let next: string | null = '/v1/audiences/au_tp/export?format=csv&limit=300';
    let etag = '';
    while (next) {
      const res: Response = await get(next, keys.dspA);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
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
    expect(seen).toEqual(tpIds(1000, 50));
    expect(etag).toMatch(/^W\/"2-[0-9a-f]{12}"$/);
    const cached = await get('/v1/audiences/au_tp/export', keys.dspA, { 'if-none-match': etag });
    expect(cached.status).toBe(304);
  });

  it('sends deltas since a revision and Arrow that apache-arrow reads', async () => {
    const res = await get('/v1/audiences/au_tp/export?format=arrow&since=1', keys.dspA);
    const table = arrow.tableFromIPC(new Uint8Array(await res.arrayBuffer()));
    const ids = [...table.getChild('id')!] as string[];
    const change = [...table.getChild('change')!] as string[];
    expect(ids).toEqual([...tpIds(50, 1000), ...tpIds(50)]);
    expect(change.filter((c) => c === 'added').length).toBe(50);
    expect(change.slice(50).every((c) => c === 'removed')).toBe(true);
  });

  it('sends member IDs only as SHA-256', async () => {
    const text = await (await get('/v1/audiences/au_members/export?format=ndjson', keys.dspA)).text();
    const ids = text
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids[0]).toBe(hashMemberId('M0'));
    expect(ids.length).toBe(120);
    expect(text).not.toMatch(/"M\d+"/);
  });

  it('is read-only: shares are managed on the Node side', async () => {
    const res = await post('/v1/audiences/au_tp/shares', keys.marketer, {
      destination: 'x',
      idType: 'tp_id',
    });
    expect(res.status).toBe(404);
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
    expect((await post('/v1/lookalike-models/lm_w/score', keys.dspA, { profiles: [{}] })).status).toBe(403);
  });
});
