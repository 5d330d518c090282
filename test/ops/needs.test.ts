/**
 * The need operations behind their two adapters: the API and the CLI apply the same defaults and
 * the same rejections (the CLI is run as a user runs it, as a child process), and every path that
 * classifies (classify, need mixes of segments and audiences) is served by the same model.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeNeedFiles } from '../../src/adapters/index.ts';
import { audienceNeedMix } from '../../src/audience/need-mix.ts';
import { retrainFlags } from '../../src/entry/commands/needs.ts';
import type { Job } from '../../src/jobs/index.ts';
import {
  clearClassifierCache,
  DEFAULT_MODELS_DIR,
  joinPath,
  loadNeedModel,
  MAX_TEXT_CHARS,
  saveNeedModel,
  servingClassifier,
} from '../../src/needs/index.ts';
import { parseInput, retrainNeedsOp } from '../../src/ops/index.ts';
import { completed, type DomainApi, domainApi, problemOf } from '../api/domain-fixture.ts';
import { json } from '../api/helpers.ts';

const ROOT = join(import.meta.dirname, '..', '..');
let api: DomainApi;
let home: string;

beforeAll(async () => {
  api = await domainApi({ workers: true });
  home = mkdtempSync(join(tmpdir(), 'needs-cli-'));
});
afterAll(async () => {
  await api?.cleanup();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** Runs the CLI as a user would; resolves with its exit code and output. */
function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'bin', 'lookalike.js'), '--home', home, ...args],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The API's rejection of a request body, as `field: detail`. */
async function apiRejection(
  path: string,
  body: unknown,
  key: string,
): Promise<{ status: number; detail: string }> {
  const res = await api.call(path, { key, ...json(body) });
  const p = await problemOf(res);
  return { status: res.status, detail: p.detail };
}

describe('the CLI and the API apply the same rules to need operations', () => {
  it('classify: the same rejections for an unknown theme, a missing theme and an over-long text', async () => {
    const cases: { body: Record<string, unknown>; args: string[] }[] = [
      { body: { theme: 'toaster', texts: ['パン'] }, args: ['--theme', 'toaster', 'パン'] },
      { body: { texts: ['パン'] }, args: ['パン'] },
      {
        body: { theme: 'convection_oven', texts: ['あ'.repeat(MAX_TEXT_CHARS + 1)] },
        args: ['--theme', 'convection_oven', 'あ'.repeat(MAX_TEXT_CHARS + 1)],
      },
    ];
    for (const c of cases) {
      const viaApi = await apiRejection('/v1/needs/classify', c.body, 'marketer');
      expect(viaApi.status).toBe(422);
      const viaCli = await cli('needs', 'classify', ...c.args);
      expect(viaCli.code, viaCli.stderr).toBe(2);
      expect(viaCli.stderr.trim()).toBe(`lookalike: ${viaApi.detail}`);
    }
    expect(
      (await apiRejection('/v1/needs/classify', { theme: 'toaster', texts: ['パン'] }, 'marketer')).detail,
    ).toBe('unknown theme "toaster"; themes are convection_oven, frozen_food, rice_cooker');
  }, 600_000); // each case starts the CLI in a child process (tsx, a few seconds each)

  it('retrain: the same rejections for an unknown theme and a bad seed', async () => {
    const cases: { body: Record<string, unknown>; args: string[] }[] = [
      { body: { theme: 'kettle' }, args: ['--theme', 'kettle'] },
      { body: { theme: 'rice_cooker', seed: -1 }, args: ['--theme', 'rice_cooker', '--seed', '-1'] },
      { body: { theme: 'rice_cooker', seed: 1.5 }, args: ['--theme', 'rice_cooker', '--seed', '1.5'] },
    ];
    for (const c of cases) {
      const viaApi = await apiRejection('/v1/needs/models', c.body, 'data_scientist');
      expect(viaApi.status).toBe(422);
      const viaCli = await cli('needs', 'train', ...c.args);
      expect(viaCli.code, viaCli.stderr).toBe(2);
      expect(viaCli.stderr.trim()).toBe(`lookalike: ${viaApi.detail}`);
    }
  }, 600_000); // each case starts the CLI in a child process (tsx, a few seconds each)

  it('retrain: the job the API queues has the input the CLI would run, defaults included', async () => {
    const res = await api.call('/v1/needs/models', {
      key: 'data_scientist',
      ...json({ theme: 'rice_cooker' }),
    });
    expect(res.status).toBe(202);
    const job = (await res.json()) as Job;
    // Only the queued input matters here; the training itself is tested elsewhere.
    await api.call(`/v1/jobs/${job.id}/cancel`, { key: 'data_scientist', method: 'POST' });
    expect(job.params).toEqual({ theme: 'rice_cooker', seed: 42 });
    expect(parseInput(retrainNeedsOp, retrainFlags('rice_cooker', {}))).toEqual(job.params);
    expect(parseInput(retrainNeedsOp, retrainFlags('rice_cooker', { seed: '7' }))).toEqual({
      theme: 'rice_cooker',
      seed: 7,
    });
  });
});

describe('one model serves a theme on every path', () => {
  it('after a workspace model is published, classify, segment mixes and audience mixes all use it', async () => {
    const theme = 'frozen_food';
    const shipped = loadNeedModel(nodeNeedFiles, joinPath(DEFAULT_MODELS_DIR, theme));
    const before = await servingClassifier(nodeNeedFiles, theme, {
      workspaceModelsDir: api.deps.needs!.modelsDir,
    });
    expect(before.source).toBe('shipped');
    expect(before.classifier.version).toBe(shipped.manifest.version);

    // A different model (another blend) published where retraining publishes.
    const model = { ...shipped.model, scoring: { ...shipped.model.scoring, blend: 0.55 } };
    const manifest = await saveNeedModel(nodeNeedFiles, joinPath(api.deps.needs!.modelsDir, theme), model, {
      corpusFingerprint: shipped.manifest.training.corpusFingerprint,
      trainTexts: 0,
      testTexts: 0,
      tfBackend: 'test',
      metrics: null,
    });
    clearClassifierCache();
    expect(manifest.version).not.toBe(shipped.manifest.version);

    const classify = await api.call('/v1/needs/classify', {
      key: 'marketer',
      ...json({ theme, texts: ['レンジで3分、お弁当に便利'] }),
    });
    expect(((await classify.json()) as { modelVersion: string }).modelVersion).toBe(manifest.version);

    const themes = (await (await api.call('/v1/needs/themes', { key: 'marketer' })).json()) as {
      themes: { theme: string; model: { version: string; source: string } }[];
    };
    expect(themes.themes.find((t) => t.theme === theme)!.model).toEqual({
      version: manifest.version,
      source: 'workspace',
    });

    const tpIds = (
      await api.s.ws.db.rows<{ tp_id: string }>(
        'SELECT DISTINCT tp_id FROM texts WHERE tp_id IS NOT NULL ORDER BY tp_id LIMIT 50',
      )
    ).map((r) => r.tp_id);
    const mix = await audienceNeedMix(api.s.ws, tpIds, 'third_party', { themes: [theme], sample: 50 });
    expect(mix.reason).toBeNull();
    expect((mix.needMix![theme] as { modelVersion: string }).modelVersion).toBe(manifest.version);

    const seg = completed(
      await api.finish(
        await api.call('/v1/segmentations', { key: 'data_scientist', ...json({ k: 3, seed: 2 }) }),
      ),
    );
    const segmentMix = await api.call(`/v1/needs/mix?segmentationId=${seg.segmentationId}&theme=${theme}`, {
      key: 'marketer',
    });
    expect(segmentMix.status).toBe(200);
    const body = (await segmentMix.json()) as {
      overall: { modelVersion: string };
      segments: { modelVersion: string }[];
    };
    expect(body.overall.modelVersion).toBe(manifest.version);
    expect(new Set(body.segments.map((x) => x.modelVersion))).toEqual(new Set([manifest.version]));
  });
});
