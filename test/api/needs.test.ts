import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TEXT_CHARS } from '../../src/needs/index.ts';
import { completed, type DomainApi, domainApi, problemOf } from './domain-fixture.ts';
import { json } from './helpers.ts';

let api: DomainApi;

beforeAll(async () => {
  api = await domainApi({ workers: true });
});
afterAll(() => api?.cleanup());

const classify = (body: unknown, key = 'marketer') => api.call('/v1/needs/classify', { key, ...json(body) });

describe('POST /v1/needs/classify', () => {
  it('classifies Japanese texts per text and per clause', async () => {
    const res = await classify({
      theme: 'convection_oven',
      texts: ['唐揚げはイマイチだけど、パンはふっくら焼けて良かった', 'hello world'],
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      theme: string;
      modelVersion: string;
      results: {
        needs: { id: string; polarity: string }[];
        clauses: unknown[];
        confidence: number;
        warnings: string[];
      }[];
    };
    expect(body.theme).toBe('convection_oven');
    expect(body.modelVersion).toMatch(/^convection_oven/);
    expect(body.results).toHaveLength(2);
    expect(body.results[0]!.needs.length).toBeGreaterThan(0);
    expect(body.results[0]!.clauses.length).toBeGreaterThanOrEqual(2);
    expect(body.results[1]!.confidence).toBe(0);
    expect(body.results[1]!.warnings.length).toBeGreaterThan(0);
  });

  it('422 for an empty text, an over-long text, no texts, and an unknown theme (listing the themes)', async () => {
    const empty = await classify({ theme: 'convection_oven', texts: ['ok', '  '] });
    expect(empty.status).toBe(422);
    expect(await problemOf(empty)).toMatchObject({ field: 'texts.1' });
    const long = await classify({ theme: 'convection_oven', texts: ['あ'.repeat(MAX_TEXT_CHARS + 1)] });
    expect(long.status).toBe(422);
    const p = await problemOf(long);
    expect(p.field).toBe('texts.0');
    expect(p.detail).toContain(`${MAX_TEXT_CHARS + 1} characters long; the limit is ${MAX_TEXT_CHARS}`);
    const none = await classify({ theme: 'convection_oven', texts: [] });
    expect((await problemOf(none)).field).toBe('texts');
    const theme = await classify({ theme: 'toaster', texts: ['パン'] });
    expect(theme.status).toBe(422);
    const t = await problemOf(theme);
    expect(t.field).toBe('theme');
    expect(t.detail).toContain(
      'unknown theme "toaster"; themes are convection_oven, frozen_food, rice_cooker',
    );
  });

  it('400 broken JSON, 413 over the body limit, 415 other media types', async () => {
    const broken = await api.call('/v1/needs/classify', {
      key: 'marketer',
      method: 'POST',
      body: '{"texts": [',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    const big = await api.call('/v1/needs/classify', {
      key: 'marketer',
      method: 'POST',
      body: JSON.stringify({ theme: 'convection_oven', texts: ['a'.repeat(17 * 1024 * 1024)] }),
      headers: { 'content-type': 'application/json' },
    });
    expect(big.status).toBe(413);
    await problemOf(big);
    const text = await api.call('/v1/needs/classify', {
      key: 'marketer',
      method: 'POST',
      body: 'パン',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
  });

  it('401 without a key; 403 for an ad platform', async () => {
    expect((await classify({ theme: 'convection_oven', texts: ['パン'] }, '')).status).toBe(401);
    expect((await classify({ theme: 'convection_oven', texts: ['パン'] }, 'ad_platform')).status).toBe(403);
  });
});

describe('themes and retraining', () => {
  it('lists the themes with their needs and the serving model', async () => {
    const res = await api.call('/v1/needs/themes', { key: 'marketer' });
    const { themes } = (await res.json()) as {
      themes: { theme: string; needs: unknown[]; model: { source: string }; trainable: boolean }[];
    };
    expect(themes.map((t) => t.theme)).toEqual(['convection_oven', 'frozen_food', 'rice_cooker']);
    for (const t of themes) {
      expect(t.needs.length).toBeGreaterThan(0);
      expect(t.model.source).not.toBe('workspace');
      expect(t.trainable).toBe(true);
    }
  });

  it('retrains a theme as a job in a worker thread, publishes it to the workspace, and serves it', async () => {
    const job = await api.finish(
      await api.call('/v1/needs/models', {
        key: 'data_scientist',
        ...json({ theme: 'rice_cooker', seed: 7 }),
      }),
    );
    const result = completed(job);
    expect(result).toMatchObject({ theme: 'rice_cooker' });
    expect(result.version).toMatch(/^rice_cooker-[0-9a-f]{12}$/);
    const dir = join(api.deps.needs!.modelsDir, 'rice_cooker');
    expect(existsSync(join(dir, 'manifest.json'))).toBe(true);
    const { themes } = (await (await api.call('/v1/needs/themes', { key: 'marketer' })).json()) as {
      themes: { theme: string; model: { version: string; source: string } }[];
    };
    expect(themes.find((t) => t.theme === 'rice_cooker')!.model).toEqual({
      version: result.version,
      source: 'workspace',
    });
    const res = await classify({ theme: 'rice_cooker', texts: ['炊き上がりが早くて助かる'] });
    expect(((await res.json()) as { modelVersion: string }).modelVersion).toBe(result.version);
  });

  it('retraining: 403 for a marketer, 422 for an unknown theme', async () => {
    expect(
      (await api.call('/v1/needs/models', { key: 'marketer', ...json({ theme: 'rice_cooker' }) })).status,
    ).toBe(403);
    const res = await api.call('/v1/needs/models', { key: 'data_scientist', ...json({ theme: 'kettle' }) });
    expect(res.status).toBe(422);
    expect((await problemOf(res)).field).toBe('theme');
  });
});

describe('need mix of a segment', () => {
  it('gives the overall mix and the segment mix with an index; 404 for unknown segmentations', async () => {
    const seg = completed(
      await api.finish(
        await api.call('/v1/segmentations', { key: 'data_scientist', ...json({ k: 4, seed: 2 }) }),
      ),
    );
    const res = await api.call(
      `/v1/needs/mix?segmentationId=${seg.segmentationId}&segmentId=seg_01&theme=frozen_food`,
      { key: 'marketer' },
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      overall: { theme: string; needs: unknown[] };
      segments: { segmentId: string; needs: { index: number | null }[] }[];
    };
    expect(body.overall.theme).toBe('frozen_food');
    expect(body.segments.map((s) => s.segmentId)).toEqual(['seg_01']);
    expect(body.segments[0]!.needs.length).toBe(body.overall.needs.length);
    expect(
      (await api.call('/v1/needs/mix?segmentationId=sgm_nope&theme=frozen_food', { key: 'marketer' })).status,
    ).toBe(404);
    const missing = await api.call('/v1/needs/mix?theme=frozen_food', { key: 'marketer' });
    expect((await problemOf(missing)).field).toBe('segmentationId');
  });
});
