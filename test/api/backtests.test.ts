/**
 * POST /v1/backtests over a workspace with UCI Online Retail (../shared/data): a data scientist's
 * job whose result is the backtest report; other roles and malformed seeds are refused before any
 * work.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../src/ingest/index.ts';
import { type Job, JobQueue, MemoryJobStore, opJobs } from '../../src/jobs/index.ts';
import { readCatalogueEntry } from '../../src/lookalike/index.ts';
import { OPERATIONS } from '../../src/ops/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { hasSharedData, SHARED_DATA, tempWorkspace } from '../helpers/workspace.ts';
import { json, type TestApi, testApi } from './helpers.ts';

describe.runIf(hasSharedData('online-retail'))('POST /v1/backtests', () => {
  let ws: Workspace;
  let cleanup: () => void;
  let api: TestApi;
  let jobs: JobQueue;

  beforeAll(async () => {
    ({ ws, cleanup } = await tempWorkspace());
    await importDataset(ws, 'online-retail', join(SHARED_DATA, 'online-retail'));
    jobs = new JobQueue(
      new MemoryJobStore(),
      opJobs(OPERATIONS, { ws, needModelsDir: `${ws.home}/models/needs` }),
    );
    api = await testApi({ jobs, workspace: ws });
  }, 120_000);
  afterAll(async () => {
    await jobs?.idle();
    cleanup?.();
  });

  const body = {
    seed: { kind: 'purchase', productIds: ['20725'] },
    cutoff: '2011-09-01',
    outcomeDays: 91,
    modelId: 'lm_api_backtest',
    randomSeed: 7,
  };

  it('runs a backtest as a job and reports every ranking', async () => {
    const res = await api.call('/v1/backtests', { ...json(body), key: 'data_scientist' });
    expect(res.status).toBe(202);
    const job = (await res.json()) as Job;
    expect(res.headers.get('location')).toBe(`/v1/jobs/${job.id}`);
    await jobs.idle();
    const done = (await (await api.call(`/v1/jobs/${job.id}`, { key: 'data_scientist' })).json()) as Job;
    expect(done.state).toBe('completed');
    const r = (done as { result?: unknown }).result as {
      modelId: string;
      location: string;
      rankers: Record<string, { top: { share: number }[] }>;
      calibration: { of: number };
    };
    expect(r.modelId).toBe('lm_api_backtest');
    expect(r.location).toBe('/v1/lookalike-models/lm_api_backtest');
    expect(Object.keys(r.rankers).sort()).toEqual(['frequency', 'logistic', 'model', 'random']);
    expect(r.rankers.model!.top.map((t) => t.share)).toEqual([0.01, 0.05, 0.1, 0.2]);
    expect(r.calibration.of).toBe(4);

    // The model's catalogue entry keeps the result: the list counts it, compare shows it.
    const list = (await (await api.call('/v1/lookalike-models', { key: 'data_scientist' })).json()) as {
      models: { id: string; backtests: number }[];
    };
    expect(list.models.find((m) => m.id === 'lm_api_backtest')?.backtests).toBe(1);
    const entry = await readCatalogueEntry(ws.artifacts, 'lm_api_backtest');
    const top10 = (r.rankers.model as unknown as { top: { share: number; lift: number }[] }).top[2]!;
    expect(entry.backtests?.[0]?.metrics.liftAt10).toBe(top10.lift);
    // With its bootstrap interval, so compare can pool backtests.
    const versus = (
      r as unknown as { versusLogistic: { share: number; ratio: number; ci: [number, number] }[] }
    ).versusLogistic[2]!;
    expect(versus.share).toBe(0.1);
    expect(entry.backtests?.[0]?.metrics.liftRatioAt10).toBe(versus.ratio);
    expect(entry.backtests?.[0]?.metrics.liftRatioLowAt10).toBe(versus.ci[0]);
    expect(entry.backtests?.[0]?.metrics.liftRatioHighAt10).toBe(
      Number.isFinite(versus.ci[1]) ? versus.ci[1] : null,
    );
  }, 600_000);

  it('is for data scientists only', async () => {
    const res = await api.call('/v1/backtests', { ...json(body), key: 'marketer' });
    expect(res.status).toBe(403);
  });

  it('refuses a seed without an event after the cut-off, or one that reaches past it', async () => {
    const seg = await api.call('/v1/backtests', {
      ...json({ ...body, seed: { kind: 'segment', segmentationId: 'sg_1', segmentId: 's1' } }),
      key: 'data_scientist',
    });
    expect(seg.status).toBe(422);
    expect(((await seg.json()) as { detail: string }).detail).toContain(
      'a backtest seed must be one of purchase, top_value',
    );
    const late = await api.call('/v1/backtests', {
      ...json({ ...body, seed: { kind: 'top_value', count: 100, until: '2011-10-01' } }),
      key: 'data_scientist',
    });
    expect(late.status).toBe(422);
    expect(((await late.json()) as { detail: string }).detail).toContain(
      'seed.until (2011-10-01) is after the cut-off (2011-09-01)',
    );
  });
});
