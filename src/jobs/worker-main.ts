import { parentPort } from 'node:worker_threads';
import { toError } from '../schema/index.ts';
import { TASKS, type TaskFn } from './tasks.ts';

const loaded = new Map<string, TaskFn>();

parentPort!.on('message', async (msg: { id: number; name: string; payload: unknown }) => {
  try {
    const load = TASKS[msg.name];
    if (!load)
      throw new Error(`unknown worker task "${msg.name}"; tasks are ${Object.keys(TASKS).join(', ')}`);
    const fn = loaded.get(msg.name) ?? (await load());
    loaded.set(msg.name, fn);
    const progress = (fraction: number, message = '') =>
      parentPort!.postMessage({ id: msg.id, progress: { fraction, message } });
    const value = await fn(msg.payload as never, progress);
    parentPort!.postMessage({ id: msg.id, ok: true, value });
  } catch (thrown) {
    const err = toError(thrown);
    parentPort!.postMessage({ id: msg.id, ok: false, error: { message: err.message, name: err.name } });
  }
});
