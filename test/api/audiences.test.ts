import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAudience } from '../../src/audience/index.ts';
import { trainLookalike } from '../../src/lookalike/index.ts';
import { completed, type DomainApi, domainApi, problemOf, trainPersonaModel } from './domain-fixture.ts';
import { json } from './helpers.ts';

let api: DomainApi;
const modelId = 'lm_aud_test';

beforeAll(async () => {
  api = await domainApi();
  await trainPersonaModel(api, modelId);
});
afterAll(() => api?.cleanup());

const create = (body: unknown, key = 'marketer') => api.call('/v1/audiences', { key, ...json(body) });

describe('creating audiences', () => {
  it('materialises an audience for a size as a marketer, then reads it', async () => {
    const job = await api.finish(
      await create({
        modelId,
        id: 'au_size',
        target: { kind: 'size', size: 600 },
        needMix: { themes: ['frozen_food'], sample: 200 },
      }),
      'marketer',
    );
    expect(completed(job)).toMatchObject({ audienceId: 'au_size', size: 600, reached: true });
    const res = await api.call('/v1/audiences/au_size', { key: 'marketer' });
    expect(res.status).toBe(200);
    const a = (await res.json()) as {
      size: number;
      threshold: number;
      expectedPrecision: number;
      ci: [number, number];
      target: unknown;
      needMix: Record<string, unknown> | null;
      needMixReason: string | null;
      head: unknown[];
    };
    expect(a.size).toBe(600);
    expect(a.threshold).toBeGreaterThan(0);
    expect(a.ci[0]).toBeLessThanOrEqual(a.expectedPrecision);
    expect(a.ci[1]).toBeGreaterThanOrEqual(a.expectedPrecision);
    expect(a.target).toEqual({ kind: 'size', size: 600 });
    expect(a.needMix === null ? a.needMixReason : Object.keys(a.needMix)).toEqual(['frozen_food']);
    expect(a.head).toEqual([]);
    const head = (await (await api.call('/v1/audiences/au_size?head=3', { key: 'marketer' })).json()) as {
      head: { rank: number }[];
    };
    expect(head.head.map((h) => h.rank)).toEqual([1, 2, 3]);
  });

  it('solves a precision target and a budget target (costPerContact, valuePerConversion)', async () => {
    const p = completed(
      await api.finish(
        await create({
          modelId,
          id: 'au_precision',
          target: { kind: 'precision', minPrecision: 0.3 },
          needMix: false,
        }),
      ),
    );
    expect(p.size as number).toBeGreaterThanOrEqual(100);
    const b = completed(
      await api.finish(
        await create(
          {
            modelId,
            id: 'au_budget',
            target: { kind: 'budget', costPerContact: 20, valuePerConversion: 3000, conversionRate: 0.05 },
            needMix: false,
          },
          'data_scientist',
        ),
      ),
    );
    expect(b.audienceId).toBe('au_budget');
    const a = (await (await api.call('/v1/audiences/au_budget', { key: 'marketer' })).json()) as {
      target: Record<string, unknown>;
      expectedProfit: number | null;
    };
    expect(a.target).toEqual({
      kind: 'budget',
      costPerContact: 20,
      valuePerConversion: 3000,
      conversionRate: 0.05,
    });
    expect(a.expectedProfit).not.toBeNull();
    const { audiences } = (await (await api.call('/v1/audiences', { key: 'marketer' })).json()) as {
      audiences: { id: string }[];
    };
    expect(audiences.map((x) => x.id).sort()).toEqual(['au_budget', 'au_precision', 'au_size']);
  });

  it('enforces the release minimum of 100: 422 for a smaller size or minSize; an unreachable precision gets the smallest releasable audience', async () => {
    const small = await create({ modelId, target: { kind: 'size', size: 99 } });
    expect(small.status).toBe(422);
    const p = await problemOf(small);
    expect(p.field).toBe('target.size');
    expect(p.detail).toContain('smaller than 100 people are never released');
    const min = await create({ modelId, target: { kind: 'size', size: 500 }, minSize: 50 });
    expect((await problemOf(min)).field).toBe('minSize');
    const belowMin = await create({ modelId, target: { kind: 'size', size: 500 }, minSize: 700 });
    expect(belowMin.status).toBe(422);
    expect((await problemOf(belowMin)).detail).toBe(
      'target.size 500 is below the minimum release size of 700',
    );
    const job = await api.finish(
      await create({
        modelId,
        target: { kind: 'precision', minPrecision: 0.99, basis: 'lower' },
        minSize: 5000,
        needMix: false,
      }),
    );
    // A precision only a smaller audience reaches is answered with the smallest releasable one.
    expect(completed(job)).toMatchObject({ reached: false, size: 5000 });
  });

  it('409 for an existing id, 404 for an unknown model, 422 for bad targets, 400/415 bodies', async () => {
    const dup = await create({ modelId, id: 'au_size', target: { kind: 'size', size: 200 } });
    expect(dup.status).toBe(409);
    expect((await problemOf(dup)).field).toBe('id');
    expect((await create({ modelId: 'lm_nope', target: { kind: 'size', size: 200 } })).status).toBe(404);
    const kind = await create({ modelId, target: { kind: 'vibes' } });
    expect((await problemOf(kind)).field).toMatch(/^target/);
    const huge = await create({ modelId, target: { kind: 'size', size: 10_000_000 } });
    expect(huge.status).toBe(422);
    expect((await problemOf(huge)).field).toBe('target.size');
    const broken = await api.call('/v1/audiences', {
      key: 'marketer',
      method: 'POST',
      body: '{"modelId":',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    const text = await api.call('/v1/audiences', {
      key: 'marketer',
      method: 'POST',
      body: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    expect((await api.call('/v1/audiences/au_nope', { key: 'marketer' })).status).toBe(404);
  });

  it('roles: an ad platform cannot create audiences nor read their members; no key is 401', async () => {
    expect((await create({ modelId, target: { kind: 'size', size: 200 } }, 'ad_platform')).status).toBe(403);
    const head = await api.call('/v1/audiences/au_size?head=5', { key: 'ad_platform' });
    expect([403, 404]).toContain(head.status);
    expect(JSON.stringify(await head.json())).not.toMatch(/"head"/);
    expect((await api.call('/v1/audiences', { key: null })).status).toBe(401);
  });
});

describe('POST /v1/audiences/relaxations', () => {
  it('plans which conditions to loosen to reach a size, with alternatives', async () => {
    const res = await api.call('/v1/audiences/relaxations', {
      key: 'marketer',
      ...json({
        modelId,
        targetSize: 1500,
        conditions: [
          { kind: 'gender', values: ['female'] },
          { kind: 'age_band', values: ['30s'] },
          { kind: 'interest', category: 'baby_kids', minVisits: 3 },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const r = (await res.json()) as {
      targetSize: number;
      plan: { size: number };
      alternatives: { changes: { label: string }[]; size: number }[];
      note: string;
    };
    expect(r.targetSize).toBe(1500);
    expect(r.alternatives.length).toBeGreaterThan(0);
    expect(r.note.length).toBeGreaterThan(0);
  });

  it('422 for empty conditions, unknown kinds and a target below 100; 413 past the body limit', async () => {
    const relax = (body: unknown) =>
      api.call('/v1/audiences/relaxations', { key: 'marketer', ...json(body) });
    expect((await problemOf(await relax({ modelId, targetSize: 500, conditions: [] }))).field).toBe(
      'conditions',
    );
    const kind = await relax({ modelId, targetSize: 500, conditions: [{ kind: 'horoscope', sign: 'leo' }] });
    expect((await problemOf(kind)).field).toMatch(/^conditions\.0/);
    expect(
      (await problemOf(await relax({ modelId, targetSize: 50, conditions: [{ kind: 'search', term: 'x' }] })))
        .field,
    ).toBe('targetSize');
    const big = await api.call('/v1/audiences/relaxations', {
      key: 'marketer',
      method: 'POST',
      body: JSON.stringify({
        modelId,
        targetSize: 500,
        conditions: [{ kind: 'search', term: 'x'.repeat(70_000) }],
      }),
      headers: { 'content-type': 'application/json' },
    });
    expect(big.status).toBe(413);
    expect([403, 404]).toContain(
      (await api.call('/v1/audiences/relaxations', { key: 'ad_platform', ...json({}) })).status,
    );
  });
});

describe('audiences over time: refresh, revisions, definition, overlap, drivers, consent', () => {
  const ids = async (id: string, revision?: number) =>
    new Set((await loadAudience(api.s.ws, id, revision)).members.ids);

  it('refreshes into revision 2, releases it to the destinations it is shared with, and the delta is the set difference', async () => {
    completed(
      await api.finish(
        await create({ modelId, id: 'au_ref', target: { kind: 'size', size: 400 }, needMix: false }),
      ),
    );
    const declared = await api.call('/v1/destinations/dsp-a', {
      key: 'marketer',
      ...json({ idForm: 'tp_id', purposes: ['ad_targeting'] }),
      method: 'PUT',
    });
    expect(declared.status).toBe(201);
    expect(
      (await api.call('/v1/audiences/au_ref/shares', { key: 'marketer', ...json({ destination: 'dsp-a' }) }))
        .status,
    ).toBe(201);
    const first = await ids('au_ref', 1);
    const gone = [...first].slice(0, 40);
    await api.s.ws.db.run(`DELETE FROM tp_profiles WHERE tp_id IN (${gone.map((g) => `'${g}'`).join(',')})`);
    const job = await api.finish(
      await api.call('/v1/audiences/au_ref/refresh', { key: 'marketer', method: 'POST' }),
      'marketer',
    );
    expect(completed(job)).toMatchObject({
      audienceId: 'au_ref',
      revision: 2,
      size: 400,
      releases: [{ destination: 'dsp-a', audienceId: 'au_ref', revision: 2, size: 400, error: null }],
    });
    const second = await ids('au_ref', 2);
    const delta = (
      await (await api.call('/v1/audiences/au_ref/export?since=1', { key: 'ad_platform' })).text()
    )
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; op: string });
    expect(delta.filter((r) => r.op === 'remove').map((r) => r.id)).toEqual(
      [...first].filter((x) => !second.has(x)).sort(),
    );
    expect(delta.filter((r) => r.op === 'add').map((r) => r.id)).toEqual(
      [...second].filter((x) => !first.has(x)).sort(),
    );
    expect(delta.filter((r) => r.op === 'remove').length).toBe(40);

    const revisions = (await (
      await api.call('/v1/audiences/au_ref/revisions', { key: 'marketer' })
    ).json()) as {
      revisions: { revision: number; trigger: string; size: number }[];
      definition: { lastRefresh: { revision: number; trigger: string } };
    };
    expect(revisions.revisions.map((r) => [r.revision, r.trigger, r.size])).toEqual([
      [1, 'create', 400],
      [2, 'on_demand', 400],
    ]);
    expect(revisions.definition.lastRefresh).toMatchObject({ revision: 2, trigger: 'on_demand' });
    const old = (await (
      await api.call('/v1/audiences/au_ref?revision=1&head=2', { key: 'marketer' })
    ).json()) as {
      revision: number;
      head: unknown[];
      definition: { id: string };
    };
    expect([old.revision, old.head.length, old.definition.id]).toEqual([1, 2, 'au_ref']);
    expect(
      (await api.call('/v1/audiences/au_nope/refresh', { key: 'marketer', method: 'POST' })).status,
    ).toBe(404);
  });

  it('changes a definition: schedule, reach lock, retention; refuses an empty change', async () => {
    const patch = (body: unknown) =>
      api.call('/v1/audiences/au_ref', { key: 'marketer', ...json(body), method: 'PATCH' });
    const res = await patch({
      schedule: { everyHours: 24 },
      reachLock: { tolerance: 0.1 },
      retention: { keep: 3 },
    });
    expect(res.status).toBe(200);
    const d = (await res.json()) as {
      schedule: { everyHours: number; nextRefreshAt: string };
      reachLock: unknown;
      retention: unknown;
    };
    expect(d).toMatchObject({
      schedule: { everyHours: 24 },
      reachLock: { min: 360, max: 440 },
      retention: { keep: 3 },
    });
    expect(Date.parse(d.schedule.nextRefreshAt) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    expect((await problemOf(await patch({}))).detail).toMatch(/give at least one field to change/);
    expect((await problemOf(await patch({ schedule: { everyHours: 0 } }))).field).toBe('schedule.everyHours');
    expect((await patch({ schedule: null })).status).toBe(200);
  });

  it('counts overlaps exactly and explains what drives an audience', async () => {
    const r = await api.call('/v1/audiences/overlaps', {
      key: 'marketer',
      ...json({ audiences: [{ id: 'au_size' }, { id: 'au_ref', revision: 2 }] }),
    });
    expect(r.status).toBe(200);
    const o = (await r.json()) as { pairs: { intersection: number }[]; union: number };
    const a = await ids('au_size');
    const b = await ids('au_ref', 2);
    const both = [...a].filter((x) => b.has(x)).length;
    expect(o.pairs[0]!.intersection).toBe(both);
    expect(o.union).toBe(a.size + b.size - both);
    expect(
      (
        await problemOf(
          await api.call('/v1/audiences/overlaps', {
            key: 'marketer',
            ...json({ audiences: [{ id: 'au_size' }] }),
          }),
        )
      ).field,
    ).toBe('audiences');
    const d = await api.call('/v1/audiences/au_size/drivers?sample=200&top=5', { key: 'marketer' });
    expect(d.status).toBe(200);
    const drivers = (await d.json()) as { modelId: string; size: number; drivers: { feature: string }[] };
    expect([drivers.modelId, drivers.size, drivers.drivers.length]).toEqual([modelId, 600, 5]);
  });

  it('leaves members without consent out of a members-universe audience and counts them', async () => {
    const members = (await api.s.ws.db.columns('SELECT member_id FROM members ORDER BY member_id'))
      .columns[0] as string[];
    // Even-numbered members granted ad targeting, every third refused, the rest never decided.
    const rows = members.flatMap((m, i) =>
      i % 2 === 0
        ? [`('${m}', 'ad_targeting', true, NULL)`]
        : i % 3 === 0
          ? [`('${m}', 'ad_targeting', false, NULL)`]
          : [],
    );
    await api.s.ws.db.run(`INSERT INTO consents VALUES ${rows.join(', ')}`);
    await trainLookalike(api.s.ws, {
      id: 'lm_members',
      seed: { kind: 'top_value', count: 120 },
      universe: 'members',
      backend: 'wasm',
      randomSeed: 2,
      bootstrap: 60,
    });
    const free = completed(
      await api.finish(
        await create({
          modelId: 'lm_members',
          id: 'au_m_all',
          target: { kind: 'size', size: 150 },
          needMix: false,
        }),
      ),
    );
    const held = completed(
      await api.finish(
        await create({
          modelId: 'lm_members',
          id: 'au_m_ok',
          target: { kind: 'size', size: 150 },
          consentPurposes: ['ad_targeting'],
          needMix: false,
        }),
      ),
    );
    expect([free.size, held.size]).toEqual([150, 150]);
    const all = (await (await api.call('/v1/audiences/au_m_all', { key: 'marketer' })).json()) as {
      universeSize: number;
    };
    const ok = (await (await api.call('/v1/audiences/au_m_ok', { key: 'marketer' })).json()) as {
      universeSize: number;
      consent: { purposes: string[]; excluded: number };
    };
    expect(ok.consent.purposes).toEqual(['ad_targeting']);
    expect(ok.consent.excluded).toBeGreaterThan(0);
    expect(ok.universeSize + ok.consent.excluded).toBe(all.universeSize);
    const granted = new Set(members.filter((_, i) => i % 2 === 0));
    expect([...(await ids('au_m_ok'))].every((m) => granted.has(m))).toBe(true);
    const consent = (await (
      await api.call('/v1/audiences/au_m_all/consent?purposes=ad_targeting', { key: 'marketer' })
    ).json()) as {
      purposes: { purpose: string; granted: number; refused: number; undecided: number }[];
    };
    const inAll = [...(await ids('au_m_all'))];
    const index = new Map(members.map((m, i) => [m, i]));
    const expected = { granted: 0, refused: 0, undecided: 0 };
    for (const m of inAll) {
      const i = index.get(m)!;
      if (i % 2 === 0) expected.granted++;
      else if (i % 3 === 0) expected.refused++;
      else expected.undecided++;
    }
    expect(consent.purposes).toEqual([{ purpose: 'ad_targeting', ...expected }]);
  });
});
