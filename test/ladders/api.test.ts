/**
 * The ladder routes over a generated sample (4 months from 2025-10-01, a small community), every
 * JSON response checked against its declared schema, and a lookalike seeded on a ladder class end to
 * end: 優良・現役 as the seed, every 現役 customer's linked third-party IDs excluded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completed, type DomainApi, domainApi, problemOf } from '../api/domain-fixture.ts';
import { json } from '../api/helpers.ts';

let api: DomainApi;
const AS_OF = '2026-02-01';
// Four months of data: tenure bands scaled down so that 優良 exists at all.
const THRESHOLDS = { tenureDays: [30, 60], lapseDays: 45 };

beforeAll(async () => {
  api = await domainApi({ workers: true });
});
afterAll(() => api?.cleanup());

const post = (path: string, body: unknown, key = 'data_scientist') => api.call(path, { key, ...json(body) });

describe('purchase ladders over HTTP', () => {
  it('serves CPM classes with explained thresholds and grid actions', async () => {
    const res = await post('/v1/ladders/cpm', { asOf: AS_OF, thresholds: THRESHOLDS }, 'marketer');
    expect(res.status).toBe(200);
    const r = (await res.json()) as {
      customers: number;
      thresholds: { spend: { source: string }; tenureDays: { value: number[]; source: string } };
      classes: { id: string; ja: string; members: number }[];
      grid: { byClass: { id: string; members: number }[] };
    };
    expect(r.classes.map((c) => c.id)).toHaveLength(10);
    expect(r.classes.reduce((s, c) => s + c.members, 0)).toBe(r.customers);
    expect(r.thresholds.tenureDays).toMatchObject({ value: [30, 60], source: 'user' });
    expect(r.thresholds.spend.source).toBe('data');
    expect(r.classes.find((c) => c.id === 'loyal_active')!.ja).toBe('優良・現役');
    expect(r.grid.byClass.reduce((s, c) => s + c.members, 0)).toBe(r.customers);
  });

  it('answers 422 naming the field for bad thresholds and days', async () => {
    const order = await post('/v1/ladders/cpm', { asOf: AS_OF, thresholds: { tenureDays: [60, 30] } });
    expect(order.status).toBe(422);
    expect((await problemOf(order)).field).toBe('thresholds.tenureDays');
    const day = await post('/v1/ladders/cpm', { asOf: '2026-02-30' });
    expect((await problemOf(day)).field).toBe('asOf');
    const back = await post('/v1/ladders/cpm/movements', { from: AS_OF, to: '2026-01-01' });
    expect((await problemOf(back)).field).toBe('to');
  });

  it('serves the movement matrix, RFM ranks and deciles', async () => {
    const m = (await (
      await post('/v1/ladders/cpm/movements', { from: '2025-12-01', to: AS_OF, thresholds: THRESHOLDS })
    ).json()) as {
      members: number;
      cells: { members: number }[];
      totals: { kind: string; members: number }[];
    };
    expect(m.cells.reduce((s, c) => s + c.members, 0)).toBe(m.members);
    expect(m.totals.find((t) => t.kind === 'new')!.members).toBeGreaterThan(0);
    const rfm = (await (await post('/v1/ladders/rfm', { asOf: AS_OF, limit: 5 })).json()) as {
      customers: number;
      cells: unknown[];
      distribution: { r: number[] };
    };
    expect(rfm.cells).toHaveLength(5);
    expect(rfm.distribution.r.reduce((a, b) => a + b, 0)).toBe(rfm.customers);
    const d = (await (await post('/v1/ladders/deciles', { asOf: AS_OF }, 'marketer')).json()) as {
      deciles: { cumulativeShare: number; salesShare: number }[];
    };
    expect(d.deciles).toHaveLength(10);
    expect(d.deciles[9]!.cumulativeShare).toBeCloseTo(1, 9);
    expect(d.deciles[0]!.salesShare).toBeGreaterThan(d.deciles[9]!.salesShare);
  });

  it('lets only data scientists list the people of a class', async () => {
    const body = { asOf: AS_OF, class: { ladder: 'cpm', classes: ['優良・現役'], thresholds: THRESHOLDS } };
    expect((await post('/v1/ladders/members', body, 'marketer')).status).toBe(403);
    const bad = await post('/v1/ladders/members', {
      asOf: AS_OF,
      class: { ladder: 'cpm', classes: ['VIP'] },
    });
    expect(bad.status).toBe(422);
    expect((await problemOf(bad)).field).toBe('class.classes.0');
    const kind = await post('/v1/ladders/members', { asOf: AS_OF, class: { ladder: 'vip' } });
    expect(kind.status).toBe(422);
  });
});

describe('a lookalike seeded on a ladder class', () => {
  it('trains on 優良・現役 and leaves every 現役 customer out of the universe', async () => {
    const seed = (await (
      await post('/v1/ladders/members', {
        asOf: AS_OF,
        class: { ladder: 'cpm', classes: ['優良・現役'], thresholds: THRESHOLDS },
      })
    ).json()) as { memberIds: string[]; description: { ja: string } };
    const active = (await (
      await post('/v1/ladders/members', {
        asOf: AS_OF,
        class: { ladder: 'cpm', classes: ['現役'], thresholds: THRESHOLDS },
      })
    ).json()) as { memberIds: string[]; thirdPartyIds: string[] };
    expect(seed.description.ja).toContain('優良・現役');
    expect(seed.memberIds.length).toBeGreaterThan(50);
    expect(seed.memberIds.every((id) => active.memberIds.includes(id))).toBe(true);
    expect(active.thirdPartyIds.length).toBeGreaterThan(0);

    const job = await api.finish(
      await post('/v1/lookalike-models', {
        id: 'lm_ladder_seed',
        seed: { kind: 'members', memberIds: seed.memberIds },
        universe: 'third_party',
        exclusions: { existingCustomers: false, ids: active.thirdPartyIds },
        minSeedSize: 20,
        unlabelledSample: 3000,
        randomSeed: 4,
      }),
    );
    expect(completed(job).modelId).toBe('lm_ladder_seed');
    const model = (await (
      await api.call('/v1/lookalike-models/lm_ladder_seed', { key: 'data_scientist' })
    ).json()) as {
      seed: { size: number; spec: { memberCount?: number } };
      exclusions: { existingCustomers: boolean; ids: number };
      training: { universeSize: number };
    };
    expect(model.seed.size).toBe(seed.memberIds.length);
    expect(model.exclusions).toMatchObject({ existingCustomers: false, ids: active.thirdPartyIds.length });
    const [{ n }] = (await api.s.ws.db.rows<{ n: number }>(
      `SELECT count(*) AS n FROM tp_profiles WHERE tp_id NOT IN (SELECT unnest(from_json($ids, '["VARCHAR"]')))`,
      { ids: JSON.stringify(active.thirdPartyIds) },
    )) as [{ n: number }];
    expect(model.training.universeSize).toBeGreaterThan(0);
    expect(model.training.universeSize).toBeLessThanOrEqual(n);

    // An audience from it, leaving out one more class: people linked to 初回 customers.
    const first = (await (
      await post('/v1/ladders/members', {
        asOf: AS_OF,
        class: { ladder: 'cpm', classes: ['初回'], thresholds: THRESHOLDS },
      })
    ).json()) as { thirdPartyIds: string[] };
    expect(first.thirdPartyIds.length).toBeGreaterThan(0);
    const audience = completed(
      await api.finish(
        await post(
          '/v1/audiences',
          {
            modelId: 'lm_ladder_seed',
            id: 'au_ladder_seed',
            target: { kind: 'size', size: 200 },
            exclusions: { ids: first.thirdPartyIds },
          },
          'marketer',
        ),
      ),
    );
    expect(audience.audienceId).toBe('au_ladder_seed');
    const a = (await (await api.call('/v1/audiences/au_ladder_seed', { key: 'marketer' })).json()) as {
      universeSize: number;
      size: number;
    };
    const inUniverse = first.thirdPartyIds.filter((id) => !active.thirdPartyIds.includes(id)).length;
    expect(a.universeSize).toBe(model.training.universeSize - inUniverse);
    expect(a.size).toBe(200);
  });
});

describe('the engagement ladder over HTTP', () => {
  let ladderId: string;
  beforeAll(async () => {
    const job = await api.finish(await post('/v1/ladders/engagement', { asOf: AS_OF, windowDays: 60 }));
    ladderId = completed(job).ladderId as string;
  });

  it('builds as a job and is listed and read back', async () => {
    expect(ladderId).toMatch(/^eng_/);
    const list = (await (await api.call('/v1/ladders/engagement', { key: 'marketer' })).json()) as {
      ladders: { id: string; windowDays: number }[];
    };
    expect(list.ladders.map((l) => l.id)).toEqual([ladderId]);
    const res = await api.call(`/v1/ladders/engagement/${ladderId}`, { key: 'marketer' });
    expect(res.status).toBe(200);
    const m = (await res.json()) as { windowDays: number; status: { population: number }; nudges: unknown[] };
    expect(m.windowDays).toBe(60);
    expect(m.status.population).toBeGreaterThan(40);
    expect(m.nudges).toHaveLength(5);
    expect((await api.call('/v1/ladders/engagement/eng_nope', { key: 'marketer' })).status).toBe(404);
  });

  it('serves statuses on a day, transitions, and the taxonomy', async () => {
    const s = (await (
      await api.call(`/v1/ladders/engagement/${ladderId}/status?asOf=2026-01-01`, { key: 'marketer' })
    ).json()) as { population: number; distribution: { members: number }[] };
    expect(s.distribution.reduce((a, d) => a + d.members, 0)).toBe(s.population);
    const t = await api.call(`/v1/ladders/engagement/${ladderId}/transitions?from=2025-12-01&to=${AS_OF}`, {
      key: 'marketer',
    });
    expect(t.status).toBe(200);
    const back = await api.call(
      `/v1/ladders/engagement/${ladderId}/transitions?from=${AS_OF}&to=2025-12-01`,
      {
        key: 'marketer',
      },
    );
    expect((await problemOf(back)).field).toBe('to');
    const tax = (await (await api.call('/v1/ladders/taxonomy', { key: 'marketer' })).json()) as {
      indices: Record<string, { ja: string }>;
    };
    expect(tax.indices.interaction!.ja).toBe('交流度');
  });

  it('resolves an engagement class to people, and refuses a bad taxonomy before queueing', async () => {
    const r = (await (
      await post('/v1/ladders/members', {
        asOf: AS_OF,
        class: { ladder: 'engagement', ladderId, statuses: ['応援度', 'support'] },
      })
    ).json()) as { members: number; thirdParty: number; memberIds: string[] };
    expect(r.members).toBe(r.memberIds.length);
    const bad = await post('/v1/ladders/engagement', {
      asOf: AS_OF,
      taxonomy: { version: 'x', indices: {}, rules: [] },
    });
    expect(bad.status).toBe(422);
    expect((await problemOf(bad)).field).toMatch(/^taxonomy/);
    expect((await post('/v1/ladders/engagement', { asOf: AS_OF }, 'marketer')).status).toBe(403);
  });

  it('runs ladder operations by name for the CLI beside the server', async () => {
    const res = await post('/v1/ops/ladder.deciles', { asOf: AS_OF }, 'admin');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { result: { deciles: unknown[] } }).result.deciles).toHaveLength(10);
  });
});
