import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completed, type DomainApi, domainApi, problemOf } from './domain-fixture.ts';
import { json } from './helpers.ts';

let api: DomainApi;
let segmentationId: string;

beforeAll(async () => {
  api = await domainApi({ workers: true });
  const job = await api.finish(
    await api.call('/v1/segmentations', { key: 'data_scientist', ...json({ kRange: [3, 6], seed: 3 }) }),
  );
  segmentationId = completed(job).segmentationId as string;
});
afterAll(() => api?.cleanup());

describe('segmentations', () => {
  it('trains as a job on the worker pool and publishes a segmentation', async () => {
    expect(segmentationId).toMatch(/^sgm_/);
    const list = (await (await api.call('/v1/segmentations', { key: 'marketer' })).json()) as {
      segmentations: { id: string; k: number; segments: unknown[] }[];
    };
    expect(list.segmentations.map((s) => s.id)).toEqual([segmentationId]);
    expect(list.segmentations[0]!.segments).toHaveLength(list.segmentations[0]!.k);
    const one = await api.call(`/v1/segmentations/${segmentationId}`, { key: 'marketer' });
    expect(one.status).toBe(200);
    const m = (await one.json()) as {
      id: string;
      pareto: unknown;
      grid: unknown;
      segments: { nameJa: string }[];
    };
    expect(m.id).toBe(segmentationId);
    expect(m.pareto).toBeTruthy();
    expect(m.grid).toBeTruthy();
    expect(m.segments[0]!.nameJa.length).toBeGreaterThan(0);
  });

  it('serves stored affinity rows, filtered, and recomputes them under other rules', async () => {
    const stored = (await (
      await api.call(`/v1/segmentations/${segmentationId}/affinity?dimension=interest&limit=3`, {
        key: 'marketer',
      })
    ).json()) as { recomputed: boolean; segments: { rows: { dimension: string; suppressed: boolean }[] }[] };
    expect(stored.recomputed).toBe(false);
    expect(stored.segments.length).toBeGreaterThan(0);
    for (const s of stored.segments) {
      expect(s.rows.length).toBeLessThanOrEqual(3);
      for (const r of s.rows) expect(r).toMatchObject({ dimension: 'interest', suppressed: false });
    }
    const res = await api.call(
      `/v1/segmentations/${segmentationId}/affinity?minSupport=5&minLinked=10&segmentId=seg_01&includeSuppressed=true`,
      { key: 'data_scientist' },
    );
    const live = (await res.json()) as {
      recomputed: boolean;
      options: { minSupport: number };
      segments: unknown[];
    };
    expect(live.recomputed).toBe(true);
    expect(live.options.minSupport).toBe(5);
    expect(live.segments).toHaveLength(1);
  });

  it('serves the site-visitor comparison', async () => {
    const res = await api.call(`/v1/segmentations/${segmentationId}/site-visitors`, { key: 'marketer' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { comparison: unknown; reason: string | null };
    expect(body.comparison !== null || body.reason !== null).toBe(true);
  });

  it('422 with the field for bad training input; 400 broken JSON; 415 other media types', async () => {
    const bad = await api.call('/v1/segmentations', { key: 'data_scientist', ...json({ kRange: [6, 3] }) });
    expect(bad.status).toBe(422);
    expect((await problemOf(bad)).field).toBe('kRange');
    const k = await api.call('/v1/segmentations', { key: 'data_scientist', ...json({ k: 1 }) });
    expect((await problemOf(k)).field).toBe('k');
    const extra = await api.call('/v1/segmentations', { key: 'data_scientist', ...json({ clusters: 3 }) });
    expect(extra.status).toBe(422);
    const broken = await api.call('/v1/segmentations', {
      key: 'data_scientist',
      method: 'POST',
      body: '{"k":',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    const text = await api.call('/v1/segmentations', {
      key: 'data_scientist',
      method: 'POST',
      body: 'k=3',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    const dim = await api.call(`/v1/segmentations/${segmentationId}/affinity?dimension=shoe_size`, {
      key: 'marketer',
    });
    expect((await problemOf(dim)).field).toBe('dimension');
  });

  it('413 past the body limit', async () => {
    const res = await api.call('/v1/segmentations', {
      key: 'data_scientist',
      method: 'POST',
      body: JSON.stringify({ seed: 1, pad: 'x'.repeat(70 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(413);
    await problemOf(res);
  });

  it('404 for unknown segmentations and segments; 401 without a key; 403 by role', async () => {
    expect((await api.call('/v1/segmentations/sgm_nope', { key: 'marketer' })).status).toBe(404);
    const seg = await api.call(`/v1/segmentations/${segmentationId}/affinity?segmentId=seg_99`, {
      key: 'marketer',
    });
    expect(seg.status).toBe(404);
    expect((await problemOf(seg)).detail).toMatch(/segment "seg_99" does not exist/);
    expect((await api.call('/v1/segmentations', { key: null })).status).toBe(401);
    expect((await api.call('/v1/segmentations', { key: 'marketer', ...json({}) })).status).toBe(403);
    expect((await api.call('/v1/segmentations', { key: 'ad_platform', ...json({}) })).status).toBe(403);
    expect((await api.call('/v1/segmentations', { key: 'ad_platform' })).status).toBe(403);
  });
});
