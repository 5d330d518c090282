import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personaMembers } from '../lookalike/helpers.ts';
import { completed, type DomainApi, domainApi, problemOf } from './domain-fixture.ts';
import { json } from './helpers.ts';

let api: DomainApi;
let modelId: string;
let segmentationId: string;

beforeAll(async () => {
  api = await domainApi({ workers: true });
  segmentationId = completed(
    await api.finish(
      await api.call('/v1/segmentations', { key: 'data_scientist', ...json({ k: 4, seed: 2 }) }),
    ),
  ).segmentationId as string;
  const job = await api.finish(
    await api.call('/v1/lookalike-models', {
      key: 'data_scientist',
      ...json({
        id: 'lm_api_test',
        seed: { kind: 'members', memberIds: personaMembers(api.s, 'busy_family') },
        universe: 'third_party',
        randomSeed: 3,
        unlabelledSample: 4000,
      }),
    }),
  );
  modelId = completed(job).modelId as string;
});
afterAll(() => api?.cleanup());

describe('training', () => {
  it('trains on the worker pool as a job and lists the model', async () => {
    expect(modelId).toBe('lm_api_test');
    const { models } = (await (await api.call('/v1/lookalike-models', { key: 'marketer' })).json()) as {
      models: { id: string; universe: string; distinctiveness: number }[];
    };
    expect(models.map((m) => m.id)).toEqual(['lm_api_test']);
    expect(models[0]!.distinctiveness).toBeGreaterThan(0.6);
  });

  it('answers a bad seed at once: 404 unknown segment, 422 too small, 409 existing id', async () => {
    const train = (body: unknown) =>
      api.call('/v1/lookalike-models', { key: 'data_scientist', ...json(body) });
    const seg = await train({
      seed: { kind: 'segment', segmentationId, segmentId: 'seg_99' },
      universe: 'third_party',
    });
    expect(seg.status).toBe(404);
    const small = await train({
      seed: { kind: 'members', memberIds: ['M000001', 'M000002'] },
      universe: 'third_party',
    });
    expect(small.status).toBe(422);
    const p = (await problemOf(small)) as { field?: string; diagnostics?: { matched: number } };
    expect(p.field).toBe('seed');
    expect(p.diagnostics?.matched).toBeLessThan(100);
    const dup = await train({
      id: 'lm_api_test',
      seed: { kind: 'top_value', share: 0.2 },
      universe: 'third_party',
    });
    expect(dup.status).toBe(409);
    const kind = await train({ seed: { kind: 'lucky_dip' }, universe: 'third_party' });
    expect(kind.status).toBe(422);
    expect((await problemOf(kind)).field).toMatch(/^seed/);
    const uni = await train({ seed: { kind: 'top_value', share: 0.2 }, universe: 'mars' });
    expect((await problemOf(uni)).field).toBe('universe');
  });

  it('diagnoses a seed without training', async () => {
    const res = await api.call('/v1/lookalike-models/diagnose', {
      key: 'marketer',
      ...json({ seed: { kind: 'segment', segmentationId, segmentId: 'seg_01' }, universe: 'third_party' }),
    });
    expect(res.status).toBe(200);
    const d = (await res.json()) as { kind: string; seedSize: number; matchRate: number };
    expect(d.kind).toBe('segment');
    expect(d.seedSize).toBeGreaterThan(0);
    expect(d.matchRate).toBeGreaterThan(0);
  });

  it('roles: ad platform cannot train or read models (marketers train within a quota: studio-api.test.ts)', async () => {
    const body = json({ seed: { kind: 'top_value', share: 0.2 }, universe: 'third_party' });
    expect((await api.call('/v1/lookalike-models', { key: 'ad_platform', ...body })).status).toBe(403);
    expect((await api.call('/v1/lookalike-models', { key: 'ad_platform' })).status).toBe(403);
    expect((await api.call(`/v1/lookalike-models/${modelId}`, { key: 'ad_platform' })).status).toBe(403);
    expect(
      (await api.call(`/v1/lookalike-models/${modelId}/explain?id=x`, { key: 'ad_platform' })).status,
    ).toBe(403);
    expect((await api.call('/v1/lookalike-models', { key: null })).status).toBe(401);
  });
});

describe('reading a model', () => {
  it('gives metrics and seed diagnostics, never the seed IDs', async () => {
    const res = await api.call(`/v1/lookalike-models/${modelId}`, { key: 'marketer' });
    expect(res.status).toBe(200);
    const m = (await res.json()) as Record<string, unknown> & {
      seed: { spec: Record<string, unknown> };
      diagnostics: { matched: number };
      candidates: unknown[];
    };
    expect(m.seed.spec.memberIds).toBeUndefined();
    expect(m.seed.spec.memberCount).toBe(personaMembers(api.s, 'busy_family').length);
    expect(m.diagnostics.matched).toBeGreaterThan(100);
    expect(m.candidates.length).toBe(2);
    expect(m.layers).toBeUndefined();
    expect((await api.call('/v1/lookalike-models/lm_nope', { key: 'marketer' })).status).toBe(404);
  });

  it('serves the frontier as a grid, or exactly at a size', async () => {
    const grid = (await (
      await api.call(`/v1/lookalike-models/${modelId}/frontier?steps=10`, { key: 'data_scientist' })
    ).json()) as {
      summary: { universeSize: number };
      points: { size: number; expectedPrecision: number; ci: [number, number] }[];
    };
    expect(grid.points.length).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < grid.points.length; i++)
      expect(grid.points[i]!.size).toBeGreaterThan(grid.points[i - 1]!.size);
    const one = (await (
      await api.call(`/v1/lookalike-models/${modelId}/frontier?size=500`, { key: 'marketer' })
    ).json()) as {
      points: { size: number; ci: [number, number]; expectedPrecision: number }[];
    };
    expect(one.points).toHaveLength(1);
    expect(one.points[0]!.size).toBe(500);
    expect(one.points[0]!.ci[0]).toBeLessThanOrEqual(one.points[0]!.expectedPrecision);
    const over = await api.call(
      `/v1/lookalike-models/${modelId}/frontier?size=${grid.summary.universeSize + 1}`,
      {
        key: 'marketer',
      },
    );
    expect(over.status).toBe(422);
    expect((await problemOf(over)).field).toBe('size');
    const bad = await api.call(`/v1/lookalike-models/${modelId}/frontier?size=abc`, { key: 'marketer' });
    expect((await problemOf(bad)).field).toBe('size');
  });

  it('explains the top of the ranking, and one scored ID', async () => {
    const drivers = (await (
      await api.call(`/v1/lookalike-models/${modelId}/explain?size=300&top=5`, { key: 'marketer' })
    ).json()) as {
      drivers: { feature: string; meanContribution: number }[];
    };
    expect(drivers.drivers.length).toBeGreaterThan(0);
    expect(drivers.drivers.length).toBeLessThanOrEqual(5);
    const tp = [...api.s.tpTruth.keys()][0]!;
    const one = await api.call(`/v1/lookalike-models/${modelId}/explain?id=${tp}`, { key: 'data_scientist' });
    const body = (await one.json()) as {
      explanations: { id: string; score: number; contributions: unknown[] }[];
    };
    // The first profile may be excluded as a customer or seed; then there is no explanation.
    expect(body.explanations.length).toBeLessThanOrEqual(1);
    for (const e of body.explanations) {
      expect(e.id).toBe(tp);
      expect(e.score).toBeGreaterThanOrEqual(0);
    }
    expect(
      (await api.call(`/v1/lookalike-models/${modelId}/explain?id=nobody`, { key: 'marketer' })).status,
    ).toBe(404);
  });
});
