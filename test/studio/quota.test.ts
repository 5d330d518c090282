import { describe, expect, it } from 'vitest';
import { enforceQuota, type OpContext, QuotaExceededError } from '../../src/ops/index.ts';

const NOW = new Date('2026-12-06T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
const QUOTAS = { marketer: { concurrent: 1, perDay: 3 } };

function ctx(role: 'marketer' | 'data_scientist', jobs: { state: string; createdAt: string }[]): OpContext {
  return {
    needModelsDir: '',
    progress: () => undefined,
    caller: { keyId: 'k1', role, destination: null },
    recentJobs: async (kind) => {
      expect(kind).toBe('lookalike.train');
      return jobs;
    },
  };
}

describe('per-key quotas of long operations', () => {
  it('passes under the quota, and roles without one', async () => {
    await expect(enforceQuota(ctx('marketer', []), 'lookalike.train', QUOTAS, NOW)).resolves.toBeUndefined();
    const many = Array.from({ length: 9 }, () => ({ state: 'running', createdAt: hoursAgo(1) }));
    await expect(
      enforceQuota(ctx('data_scientist', many), 'lookalike.train', QUOTAS, NOW),
    ).resolves.toBeUndefined();
    // Jobs older than a day do not count.
    const old = Array.from({ length: 5 }, () => ({ state: 'completed', createdAt: hoursAgo(25) }));
    await expect(enforceQuota(ctx('marketer', old), 'lookalike.train', QUOTAS, NOW)).resolves.toBeUndefined();
  });

  it('refuses a second concurrent job', async () => {
    const err = await enforceQuota(
      ctx('marketer', [{ state: 'queued', createdAt: hoursAgo(0) }]),
      'lookalike.train',
      QUOTAS,
      NOW,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuotaExceededError);
    expect((err as QuotaExceededError).status).toBe(429);
  });

  it('refuses the day’s fourth job and says when the oldest leaves the window', async () => {
    const jobs = [
      { state: 'completed', createdAt: hoursAgo(1) },
      { state: 'failed', createdAt: hoursAgo(5) },
      { state: 'completed', createdAt: hoursAgo(23) },
    ];
    const err = (await enforceQuota(ctx('marketer', jobs), 'lookalike.train', QUOTAS, NOW).catch(
      (e: unknown) => e,
    )) as QuotaExceededError;
    expect(err).toBeInstanceOf(QuotaExceededError);
    expect(err.toProblem()).toMatchObject({ status: 429, today: 3, retryAfter: 3600 });
    expect(err.message).toBe(
      'this marketer key has started 3 lookalike.train jobs in the last 24 hours; the quota is 3 a day; try again in 3600 s',
    );
  });
});
