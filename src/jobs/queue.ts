import type { Caller } from '../ops/index.ts';
import {
  AppError,
  CancelledError,
  ConflictError,
  InvalidInputError,
  NotFoundError,
  toError,
} from '../schema/index.ts';
import {
  isFinished,
  type Job,
  type JobContext,
  type JobHandler,
  type JobListOptions,
  type JobStore,
} from './job.ts';

const PROGRESS_SAVE_MS = 500;

/**
 * Runs long work off the request path. Jobs are persisted at every state change (and at most
 * every 500 ms of progress), run `concurrency` at a time in submission order, can be cancelled,
 * and are reported failed after a restart if the previous process died with them.
 */
export class JobQueue {
  private readonly pending: Job[] = [];
  private readonly running = new Map<string, { abort: AbortController; job: Job }>();
  private readonly listeners = new Map<string, Set<(job: Job) => void>>();
  /** Callers of queued and running jobs (in memory: a restart fails them anyway). */
  private readonly callers = new Map<string, Caller>();
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly store: JobStore,
    private readonly handlers: Readonly<Record<string, JobHandler>>,
    private readonly options: { concurrency?: number } = {},
  ) {}

  get kinds(): string[] {
    return Object.keys(this.handlers);
  }

  /** Marks what a previous process left unfinished as failed; call once at startup. */
  async recover(): Promise<Job[]> {
    return this.store.failInterrupted(
      'the server stopped while this job was queued or running; submit it again',
    );
  }

  /**
   * Queues a job. `caller` (an API key's ID, role and destination) owns it: the job records the
   * key ID, and the handler sees the whole caller.
   */
  async submit(kind: string, params: unknown, caller: Caller | string | null = null): Promise<Job> {
    const owner = typeof caller === 'string' ? { keyId: caller, role: null, destination: null } : caller;
    const createdBy = owner?.keyId ?? null;
    if (!this.handlers[kind]) {
      throw new InvalidInputError(`unknown job kind "${kind}"; kinds are ${this.kinds.join(', ')}`, 'kind');
    }
    const job: Job = {
      id: `job_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`,
      kind,
      params,
      createdBy,
      createdAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
      progress: { fraction: 0, message: 'queued' },
      state: 'queued',
    };
    await this.store.save(job);
    if (owner?.role) this.callers.set(job.id, owner as Caller);
    this.pending.push(job);
    this.pump();
    return job;
  }

  async get(id: string): Promise<Job> {
    const live = this.running.get(id)?.job;
    if (live) return structuredClone(live);
    const job = await this.store.get(id);
    if (!job) throw new NotFoundError('job', id);
    return job;
  }

  list(options: Omit<JobListOptions, 'limit'> & { limit?: number } = {}): Promise<Job[]> {
    return this.store.list({ ...options, limit: options.limit ?? 50 });
  }

  async cancel(id: string): Promise<Job> {
    const job = await this.get(id);
    if (isFinished(job))
      throw new ConflictError(
        `job "${id}" has already ${job.state === 'cancelled' ? 'been cancelled' : job.state}`,
      );
    if (job.state === 'queued') {
      const index = this.pending.findIndex((j) => j.id === id);
      if (index !== -1) this.pending.splice(index, 1);
      this.callers.delete(id);
      const cancelled: Job = { ...job, state: 'cancelled', finishedAt: new Date().toISOString() };
      await this.store.save(cancelled);
      this.emit(cancelled);
      return cancelled;
    }
    this.running.get(id)?.abort.abort();
    return job;
  }

  /** Calls `listener` on every change of the job until it finishes; returns an unsubscribe. */
  subscribe(id: string, listener: (job: Job) => void): () => void {
    const set = this.listeners.get(id) ?? new Set();
    this.listeners.set(id, set);
    set.add(listener);
    return () => {
      set.delete(listener);
      if (!set.size) this.listeners.delete(id);
    };
  }

  /** Resolves when nothing is queued or running (tests, graceful shutdown). */
  idle(): Promise<void> {
    if (!this.pending.length && !this.running.size) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private emit(job: Job): void {
    for (const listener of this.listeners.get(job.id) ?? []) listener(structuredClone(job));
  }

  private pump(): void {
    const limit = Math.max(1, this.options.concurrency ?? 1);
    while (this.running.size < limit && this.pending.length) void this.execute(this.pending.shift()!);
    if (!this.pending.length && !this.running.size) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private async execute(queued: Job): Promise<void> {
    const abort = new AbortController();
    let job: Job = {
      ...queued,
      state: 'running',
      startedAt: new Date().toISOString(),
      progress: { fraction: 0, message: 'started' },
    };
    this.running.set(job.id, { abort, job });
    // Let the submitter subscribe before the first event.
    await Promise.resolve();
    await this.store.save(job);
    this.emit(job);
    let lastSave = Date.now();
    const caller = this.callers.get(job.id) ?? null;
    this.callers.delete(job.id);
    const ctx: JobContext = {
      jobId: job.id,
      caller,
      signal: abort.signal,
      progress: (fraction, message) => {
        job = { ...job, progress: { fraction: Math.min(1, Math.max(0, fraction)), message } } as Job;
        this.running.get(job.id)!.job = job;
        this.emit(job);
        if (Date.now() - lastSave >= PROGRESS_SAVE_MS) {
          lastSave = Date.now();
          // Progress is advisory: a failed write must not take the process down.
          this.store
            .save(job)
            .catch((err: unknown) => console.error(`job ${job.id}: storing progress failed`, err));
        }
      },
      throwIfCancelled: () => {
        if (abort.signal.aborted) throw new CancelledError(`job ${job.id} was cancelled`);
      },
    };
    let finished: Job;
    try {
      const result = await this.handlers[job.kind]!(job.params, ctx);
      if (abort.signal.aborted) throw new CancelledError(`job ${job.id} was cancelled`);
      finished = {
        ...job,
        state: 'completed',
        result,
        finishedAt: new Date().toISOString(),
        progress: { fraction: 1, message: 'done' },
      };
    } catch (thrown) {
      const err = toError(thrown);
      if (err instanceof CancelledError || abort.signal.aborted) {
        finished = { ...job, state: 'cancelled', finishedAt: new Date().toISOString() };
      } else {
        const problem =
          err instanceof AppError
            ? err.toProblem()
            : {
                type: 'https://lookalike.dev/problems/job-failed',
                title: 'job failed',
                status: 500,
                detail: err.message,
              };
        finished = { ...job, state: 'failed', error: problem, finishedAt: new Date().toISOString() };
      }
    }
    // The job holds its slot until its final state is stored: `idle()` then means every job is
    // persisted, so a caller may close the store right after it.
    this.running.get(job.id)!.job = finished;
    try {
      await this.store.save(finished);
    } catch (err) {
      console.error(`job ${job.id}: storing its final state failed`, err);
    }
    this.running.delete(job.id);
    this.emit(finished);
    this.listeners.delete(job.id);
    this.pump();
  }
}
