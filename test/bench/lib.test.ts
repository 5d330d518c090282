import { describe, expect, it } from 'vitest';
import { comparePair, timeMedian } from '../../bench/lib.ts';

/** A task written the way benches write them: a plain arrow returning a promise. */
function countedTask(delayMs: number) {
  const state = { calls: 0, finished: 0, running: 0, maxRunning: 0 };
  const task = () => {
    state.calls++;
    state.running++;
    state.maxRunning = Math.max(state.maxRunning, state.running);
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        state.running--;
        state.finished++;
        resolve();
      }, delayMs),
    );
  };
  return { state, task };
}

describe('bench harness', () => {
  it('runs a promise-returning task exactly once per timed iteration, never concurrently', async () => {
    const ours = countedTask(5);
    const peer = countedTask(5);
    const r = await comparePair('count', ours.task, peer.task, { rounds: 2, iterations: 3, warmup: false });
    // tinybench probes a task it cannot tell is async by calling it once, unawaited; declared
    // async it is only ever called by the timed loop.
    expect(ours.state.calls).toBe(6);
    expect(peer.state.calls).toBe(6);
    expect(ours.state.maxRunning).toBe(1);
    expect(peer.state.maxRunning).toBe(1);
    expect(ours.state.finished).toBe(6);
    expect(r.ratio).not.toBeNull();
  });

  it('awaits every call before it reports a time', async () => {
    const slow = countedTask(20);
    const ms = await timeMedian('slow', slow.task, 2, false);
    expect(slow.state.calls).toBe(2);
    expect(slow.state.finished).toBe(2);
    expect(Number.isFinite(ms)).toBe(true);
  });
});
