import { afterAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../src/adapters/index.ts';
import { CancelledError } from '../../src/schema/index.ts';

describe('WorkerPool', () => {
  const pool = new WorkerPool({ size: 2 });
  afterAll(() => pool.close());

  it('runs tasks in worker threads and transfers typed arrays', async () => {
    const values = Float64Array.from({ length: 1000 }, (_, i) => i);
    const results = await Promise.all([
      pool.run<number>('sum-array', { values }, { transfer: [values.buffer] }),
      pool.run<number>('sum-array', { values: new Float64Array([1, 2, 3]) }),
      pool.run<number>('sum-array', { values: new Float64Array([4]) }),
    ]);
    expect(results).toEqual([499500, 6, 4]);
    expect(values.length).toBe(0); // transferred, not copied
  });

  it("warms every thread: one warm task lands on each of the pool's threads", async () => {
    const ids = await pool.warm(['scale-shard', 'sum-array']);
    expect(ids).toHaveLength(2);
    expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
    await expect(pool.warm(['no-such-task'])).rejects.toThrow('unknown worker task "no-such-task"');
  });

  it('keeps warmed threads past the idle timeout only when asked to', async () => {
    const threadsAfterIdle = async (keepAlive: boolean) => {
      const p = new WorkerPool({ size: 2, idleTimeoutMs: 50, keepAlive });
      try {
        const before = await p.warm(['sum-array']);
        await new Promise((r) => setTimeout(r, 600));
        const after = await p.warm(['sum-array']);
        return { before, after };
      } finally {
        await p.close();
      }
    };
    const kept = await threadsAfterIdle(true);
    expect(kept.after).toEqual(kept.before);
    const ended = await threadsAfterIdle(false);
    expect(ended.after.some((id) => ended.before.includes(id))).toBe(false);
  });

  it('surfaces a task error with its message', async () => {
    await expect(pool.run('fail-with', { message: 'boom' })).rejects.toThrow('boom');
    await expect(pool.run('no-such-task', {})).rejects.toThrow('unknown worker task "no-such-task"');
  });

  it('stops a task whose progress callback throws, and rejects with that error', async () => {
    let reports = 0;
    const run = pool.run(
      'spin-with-progress',
      {},
      {
        onProgress: () => {
          reports++;
          if (reports === 3) throw new CancelledError('job job_x was cancelled');
        },
      },
    );
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    await expect(run).rejects.toThrow('job job_x was cancelled');
    // The thread was ended, not left spinning: the pool still serves new work.
    expect(await pool.run<number>('sum-array', { values: new Float64Array([2, 3]) })).toBe(5);
  });

  it('stops a task when its signal aborts', async () => {
    const abort = new AbortController();
    const run = pool.run(
      'spin-with-progress',
      {},
      {
        signal: abort.signal,
        onProgress: (_f, message) => {
          if (message === 'spinning 2') abort.abort();
        },
      },
    );
    await expect(run).rejects.toThrow('task "spin-with-progress" was cancelled');
    await expect(
      pool.run('sum-array', { values: new Float64Array([1]) }, { signal: abort.signal }),
    ).rejects.toBeInstanceOf(CancelledError);
  });

  it('refuses work after close', async () => {
    const closed = new WorkerPool({ size: 1 });
    await closed.close();
    await expect(closed.run('sum-array', { values: new Float64Array([1]) })).rejects.toThrow(
      'the worker pool is closed',
    );
  });
});
