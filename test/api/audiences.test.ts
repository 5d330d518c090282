import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainLookalike } from '../../src/lookalike/index.ts';
import { personaMembers } from '../lookalike/helpers.ts';
import { completed, type DomainApi, domainApi, problemOf } from './domain-fixture.ts';
import { json } from './helpers.ts';

let api: DomainApi;
const modelId = 'lm_aud_test';

beforeAll(async () => {
  api = await domainApi();
  await trainLookalike(api.s.ws, {
    id: modelId,
    seed: { kind: 'members', memberIds: personaMembers(api.s, 'busy_family') },
    universe: 'third_party',
    backend: 'wasm',
    randomSeed: 2,
    unlabelledSample: 4000,
    bootstrap: 100,
  });
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
