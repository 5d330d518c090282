/**
 * CPU-heavy functions that job handlers run in worker threads, by name. Loaded lazily so a
 * worker pays only for the modules its tasks use.
 */
export type TaskFn = (payload: never) => unknown | Promise<unknown>;

export const TASKS: Readonly<Record<string, () => Promise<TaskFn>>> = {
  /** Sums a Float64Array: a cheap task that proves the pool works end to end. */
  'sum-array': async () => (payload: { values: Float64Array }) => {
    let s = 0;
    for (const v of payload.values) s += v;
    return s;
  },
  /** Throws, so tests can see how worker errors surface. */
  'fail-with': async () => (payload: { message: string }) => {
    throw new Error(payload.message);
  },
};
