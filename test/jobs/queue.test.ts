import { describe, expect, it } from 'vitest';
import { DuckDbJobStore, defineJob, type Job, JobQueue, MemoryJobStore } from '../../src/jobs/index.ts';
import { InvalidInputError } from '../../src/schema/index.ts';
import { tempWorkspace } from '../helpers/workspace.ts';

const waitFor = async (queue: JobQueue, id: string): Promise<Job> => {
  await queue.idle();
  return queue.get(id);
};

describe('JobQueue', () => {
  it('runs a job to completion with progress, in submission order', async () => {
    const seen: string[] = [];
    const queue = new JobQueue(new MemoryJobStore(), {
      double: defineJob(async (p: { n: number }, ctx) => {
        ctx.progress(0.5, 'halfway');
        seen.push(`ran ${p.n}`);
        return { doubled: p.n * 2 };
      }),
    });
    const updates: string[] = [];
    const a = await queue.submit('double', { n: 2 }, 'key_1');
    queue.subscribe(a.id, (j) => updates.push(`${j.state}:${j.progress.message}`));
    const b = await queue.submit('double', { n: 5 });
    const done = await waitFor(queue, a.id);
    expect(done.state).toBe('completed');
    if (done.state !== 'completed') return;
    expect(done.result).toEqual({ doubled: 4 });
    expect(done.createdBy).toBe('key_1');
    expect(seen).toEqual(['ran 2', 'ran 5']);
    expect((await queue.get(b.id)).state).toBe('completed');
    expect(updates).toEqual(['running:started', 'running:halfway', 'completed:done']);
  });

  it('is idle only once every finished job is stored (a store can be closed right after)', async () => {
    // The final save of the first job is slow; the second job starts and finishes meanwhile.
    // Before the fix, idle() resolved when the slow save returned, while the second job's final
    // save was still in flight, and a close then failed that write as an unhandled rejection.
    class SlowFirstFinish extends MemoryJobStore {
      private slowed = false;
      override async save(job: Job): Promise<void> {
        if (job.state === 'completed' && !this.slowed) {
          this.slowed = true;
          await new Promise((r) => setTimeout(r, 30));
        }
        await new Promise((r) => setTimeout(r, job.state === 'completed' ? 5 : 0));
        return super.save(job);
      }
    }
    const store = new SlowFirstFinish();
    const queue = new JobQueue(store, { noop: defineJob(async (p: { n: number }) => p) });
    const jobs = [];
    for (let n = 0; n < 4; n++) jobs.push(await queue.submit('noop', { n }));
    await queue.idle();
    for (const j of jobs) expect((await store.get(j.id))?.state).toBe('completed');
  });

  it('survives a store that fails the final write: the process stays up and the queue drains', async () => {
    class FailingFinish extends MemoryJobStore {
      override async save(job: Job): Promise<void> {
        if (job.state === 'completed') throw new Error('connection disconnected');
        return super.save(job);
      }
    }
    const queue = new JobQueue(new FailingFinish(), { noop: defineJob(async (p: { n: number }) => p) });
    await queue.submit('noop', { n: 1 });
    await queue.submit('noop', { n: 2 });
    await queue.idle();
    expect((await queue.list()).map((j) => j.state)).toEqual(['running', 'running']);
  });

  it('reports a failing job with its problem details', async () => {
    const queue = new JobQueue(new MemoryJobStore(), {
      bad: async () => {
        throw new InvalidInputError('k must be at least 2, got 1', 'k');
      },
    });
    const job = await queue.submit('bad', {});
    const done = await waitFor(queue, job.id);
    expect(done.state).toBe('failed');
    if (done.state !== 'failed') return;
    expect(done.error).toMatchObject({ status: 422, detail: 'k must be at least 2, got 1', field: 'k' });
  });

  it('cancels a running job at its next check', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const queue = new JobQueue(new MemoryJobStore(), {
      slow: async (_p, ctx) => {
        await gate;
        ctx.throwIfCancelled();
        return 'never';
      },
    });
    const job = await queue.submit('slow', {});
    await new Promise((r) => setTimeout(r, 10));
    await queue.cancel(job.id);
    release();
    expect((await waitFor(queue, job.id)).state).toBe('cancelled');
    await expect(queue.cancel(job.id)).rejects.toThrow(`job "${job.id}" has already been cancelled`);
  });

  it('rejects unknown kinds and unknown ids', async () => {
    const queue = new JobQueue(new MemoryJobStore(), { a: async () => 1 });
    await expect(queue.submit('b', {})).rejects.toThrow('unknown job kind "b"; kinds are a');
    await expect(queue.get('job_nope')).rejects.toThrow('job "job_nope" does not exist');
  });

  it('lists by owner, kind and state alike in memory and in DuckDB', async () => {
    const { ws, cleanup } = await tempWorkspace();
    try {
      for (const store of [new MemoryJobStore(), await DuckDbJobStore.open(ws.db)]) {
        const queue = new JobQueue(store, { a: async () => 1, b: async () => 2 });
        await queue.submit('a', {}, 'key_1');
        await queue.submit('b', {}, 'key_2');
        await queue.submit('a', {}, null);
        await queue.idle();
        const ids = async (o: Parameters<JobQueue['list']>[0]) =>
          (await queue.list(o)).map((j) => j.createdBy);
        expect(await ids({ createdBy: 'key_1' })).toEqual(['key_1']);
        expect(await ids({ createdBy: 'key_2', kind: 'a' })).toEqual([]);
        expect((await ids({ kind: 'a', state: 'completed' })).sort()).toEqual([null, 'key_1'].sort());
        expect(await ids({ createdBy: 'nobody' })).toEqual([]);
      }
    } finally {
      cleanup();
    }
  });

  it('after a restart, reports jobs the previous process left running as failed', async () => {
    const { ws, cleanup } = await tempWorkspace();
    try {
      const store = await DuckDbJobStore.open(ws.db);
      const running: Job = {
        id: 'job_1',
        kind: 'x',
        params: {},
        createdBy: null,
        createdAt: new Date().toISOString(),
        startedAt: new Date().toISOString(),
        finishedAt: null,
        progress: { fraction: 0.3, message: 'training' },
        state: 'running',
      };
      await store.save(running);
      const queue = new JobQueue(await DuckDbJobStore.open(ws.db), { x: async () => 1 });
      const failed = await queue.recover();
      expect(failed.map((j) => j.id)).toEqual(['job_1']);
      const job = await queue.get('job_1');
      expect(job.state).toBe('failed');
      if (job.state !== 'failed') return;
      expect(job.error.detail).toBe(
        'the server stopped while this job was queued or running; submit it again',
      );
    } finally {
      cleanup();
    }
  });
});
