import { availableParallelism } from 'node:os';
import { type TransferListItem, Worker } from 'node:worker_threads';
import { toError } from '../schema/index.ts';

const BOOTSTRAP = new URL('./worker-bootstrap.mjs', import.meta.url);

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  onProgress?: ((fraction: number, message: string) => void) | undefined;
}

/** What a worker posts: a task's result or error, or a progress report of a running task. */
type WorkerMessage =
  | { id: number; ok: boolean; value?: unknown; error?: { message: string; name: string } }
  | { id: number; progress: { fraction: number; message: string } };

interface Slot {
  worker: Worker;
  busy: boolean;
}

interface Task {
  id: number;
  name: string;
  payload: unknown;
  transfer: TransferListItem[];
}

/**
 * A fixed pool of worker threads that run CPU-heavy tasks (clustering, model training,
 * tokenising) by name, so the event loop that serves requests stays free. The worker script
 * loads TypeScript through tsx, so the pool works the same under `tsx`, vitest and `npm start`.
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly script: URL,
    readonly size = Math.max(1, Math.min(2, availableParallelism() - 1)),
  ) {}

  private spawn(): Slot {
    const worker = new Worker(BOOTSTRAP, { workerData: { entry: this.script.href } });
    const slot: Slot = { worker, busy: false };
    worker.on('message', (msg: WorkerMessage) => {
      if ('progress' in msg) {
        this.pending.get(msg.id)?.onProgress?.(msg.progress.fraction, msg.progress.message);
        return;
      }
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      slot.busy = false;
      if (p) {
        if (msg.ok) p.resolve(msg.value);
        else
          p.reject(
            Object.assign(new Error(msg.error?.message ?? 'worker task failed'), {
              name: msg.error?.name ?? 'Error',
            }),
          );
      }
      this.dispatch();
    });
    worker.on('error', (err) => {
      // A crashed worker fails its task and is replaced.
      for (const [id, p] of this.pending) {
        if ((slot as Slot & { taskId?: number }).taskId === id) {
          this.pending.delete(id);
          p.reject(toError(err));
        }
      }
      this.slots.splice(this.slots.indexOf(slot), 1);
      if (!this.closed) this.dispatch();
    });
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  /**
   * Runs task `name` on a free worker. `onProgress` receives the task's progress reports (tasks
   * get a `progress(fraction, message)` function as their second argument).
   */
  run<T>(
    name: string,
    payload: unknown,
    transfer: TransferListItem[] = [],
    onProgress?: (fraction: number, message: string) => void,
  ): Promise<T> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    return new Promise<T>((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
      this.queue.push({ id, name, payload, transfer });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const task = this.queue.shift()!;
      slot.busy = true;
      (slot as Slot & { taskId?: number }).taskId = task.id;
      slot.worker.ref();
      slot.worker.postMessage({ id: task.id, name: task.name, payload: task.payload }, task.transfer);
    }
    for (const s of this.slots) if (!s.busy) s.worker.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}
