/**
 * Job routes: cancelling a running training job (on real worker threads) stops it without
 * taking the process down, and who may see and cancel which job (src/api/job-access.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../src/jobs/index.ts';
import { personaMembers } from '../lookalike/helpers.ts';
import { type DomainApi, domainApi, problemOf } from './domain-fixture.ts';
import { json } from './helpers.ts';

let api: DomainApi;
const uncaught: unknown[] = [];
const onUncaught = (err: unknown) => uncaught.push(err);

beforeAll(async () => {
  api = await domainApi({ workers: true });
  process.on('uncaughtException', onUncaught);
});
afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  await api?.cleanup();
});

const trainBody = (id: string) =>
  json({
    id,
    seed: { kind: 'members', memberIds: personaMembers(api.s, 'busy_family') },
    universe: 'third_party',
    randomSeed: 3,
    unlabelledSample: 4000,
  });

describe('cancelling a running training job', () => {
  it('ends the job cancelled, keeps the server up, and publishes no model', async () => {
    const res = await api.call('/v1/lookalike-models', { key: 'data_scientist', ...trainBody('lm_cancel') });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as Job;
    const queue = api.deps.jobs!;
    // Cancel from the first "training …" report: the network is then training on a worker thread.
    const cancelled = new Promise<Response>((resolve) => {
      let sent = false;
      const stop = queue.subscribe(id, (job) => {
        if (!sent && job.state === 'running' && job.progress.message.startsWith('training')) {
          sent = true;
          stop();
          resolve(
            Promise.resolve(api.call(`/v1/jobs/${id}/cancel`, { key: 'data_scientist', method: 'POST' })),
          );
        }
      });
    });
    expect((await cancelled).status).toBe(200);
    await queue.idle();
    const job = (await (await api.call(`/v1/jobs/${id}`, { key: 'data_scientist' })).json()) as Job;
    expect(job.state).toBe('cancelled');
    expect(uncaught).toEqual([]);
    expect((await api.call('/v1/lookalike-models/lm_cancel', { key: 'data_scientist' })).status).toBe(404);
    expect((await api.call('/healthz', { key: null })).status).toBe(200);
    // The pool still trains after its thread was ended mid-task.
    const again = await api.finish(
      await api.call('/v1/lookalike-models', { key: 'data_scientist', ...trainBody('lm_after_cancel') }),
    );
    expect(again.state).toBe('completed');
  });
});

describe('who may see and cancel a job', () => {
  let dsJob: Job;
  let marketerJob: Job;

  beforeAll(async () => {
    const queue = api.deps.jobs!;
    const keyId = (role: 'data_scientist' | 'marketer') => api.keys[role].split('_')[1]!;
    // Queued jobs of a kind nobody runs yet would start at once; submit and read them as records.
    dsJob = await queue.submit('segment.run', { k: 3, seed: 1 }, keyId('data_scientist'));
    marketerJob = await queue.submit('segment.run', { k: 3, seed: 2 }, keyId('marketer'));
    await queue.idle();
  });

  it('a marketer sees only its own jobs, and gets 404 for another key’s job', async () => {
    const list = (await (await api.call('/v1/jobs?limit=500', { key: 'marketer' })).json()) as {
      jobs: Job[];
    };
    expect(list.jobs.map((j) => j.id)).toEqual([marketerJob.id]);
    const other = await api.call(`/v1/jobs/${dsJob.id}`, { key: 'marketer' });
    expect(other.status).toBe(404);
    expect((await problemOf(other)).detail).toBe(`job "${dsJob.id}" does not exist`);
    expect((await api.call(`/v1/jobs/${dsJob.id}/events`, { key: 'marketer' })).status).toBe(404);
    expect((await api.call(`/v1/jobs/${dsJob.id}/cancel`, { key: 'marketer', method: 'POST' })).status).toBe(
      404,
    );
    expect((await api.call(`/v1/jobs/${marketerJob.id}`, { key: 'marketer' })).status).toBe(200);
  });

  it('a data scientist sees every job but cancels only its own; an admin cancels any', async () => {
    const list = (await (await api.call('/v1/jobs?limit=500', { key: 'data_scientist' })).json()) as {
      jobs: Job[];
    };
    expect(list.jobs.map((j) => j.id)).toEqual(expect.arrayContaining([dsJob.id, marketerJob.id]));
    const queue = api.deps.jobs!;
    const keyId = api.keys.marketer.split('_')[1]!;
    const running = await queue.submit('segment.run', { k: 3, seed: 3 }, keyId);
    const denied = await api.call(`/v1/jobs/${running.id}/cancel`, { key: 'data_scientist', method: 'POST' });
    expect(denied.status).toBe(403);
    expect((await problemOf(denied)).detail).toMatch(/cancels only its own jobs/);
    const byAdmin = await api.call(`/v1/jobs/${running.id}/cancel`, { key: 'admin', method: 'POST' });
    expect(byAdmin.status).toBe(200);
    await queue.idle();
    expect((await queue.get(running.id)).state).toBe('cancelled');
  });

  it('an ad platform key sees no one else’s jobs', async () => {
    const list = (await (await api.call('/v1/jobs', { key: 'ad_platform' })).json()) as { jobs: Job[] };
    expect(list.jobs).toEqual([]);
    expect((await api.call(`/v1/jobs/${marketerJob.id}`, { key: 'ad_platform' })).status).toBe(404);
  });
});
