/**
 * What a pool thread does with one task: find it by name, run it with a progress function that
 * posts to the task's own port, and return its value (errors keep their name and message).
 */
import type { MessagePort } from 'node:worker_threads';
import { TASKS, type TaskFn } from './tasks.ts';

export interface PoolTask {
  name: string;
  payload: unknown;
  /** Progress reports go here; the main thread owns the other end. */
  progress: MessagePort;
}

const loaded = new Map<string, TaskFn>();

export async function runTask(task: PoolTask): Promise<unknown> {
  try {
    const load = TASKS[task.name];
    if (!load) {
      throw new Error(`unknown worker task "${task.name}"; tasks are ${Object.keys(TASKS).join(', ')}`);
    }
    const fn = loaded.get(task.name) ?? (await load());
    loaded.set(task.name, fn);
    return await fn(task.payload as never, (fraction, message = '') =>
      task.progress.postMessage({ fraction, message }),
    );
  } finally {
    task.progress.close();
  }
}
