import type { Caller } from '../ops/index.ts';
import type { ProblemDetails } from '../schema/index.ts';

export const JOB_STATES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface JobProgress {
  fraction: number;
  message: string;
}

interface JobBase {
  id: string;
  kind: string;
  params: unknown;
  createdBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  progress: JobProgress;
}

/** Long work as a discriminated union: narrow on `state` before reading `result` or `error`. */
export type Job =
  | (JobBase & { state: 'queued' })
  | (JobBase & { state: 'running' })
  | (JobBase & { state: 'completed'; result: unknown })
  | (JobBase & { state: 'failed'; error: ProblemDetails })
  | (JobBase & { state: 'cancelled' });

export const isFinished = (job: Job) =>
  job.state === 'completed' || job.state === 'failed' || job.state === 'cancelled';

export interface JobListOptions {
  kind?: string;
  state?: JobState;
  /** Only jobs submitted by this API key. */
  createdBy?: string;
  limit: number;
}

/** Where job records live; the DuckDB implementation survives restarts. */
export interface JobStore {
  save(job: Job): Promise<void>;
  get(id: string): Promise<Job | null>;
  /** Most recent first. */
  list(options: JobListOptions): Promise<Job[]>;
  /** Marks jobs left queued or running by a previous process as failed; returns them. */
  failInterrupted(message: string): Promise<Job[]>;
}

export interface JobContext {
  readonly jobId: string;
  /** Who submitted the job, when it was submitted with a full caller (API requests). */
  readonly caller: Caller | null;
  readonly signal: AbortSignal;
  progress(fraction: number, message: string): void;
  /** Throws when the job was cancelled, so loops can stop at a safe point. */
  throwIfCancelled(): void;
}

/** The work of one job kind. It must publish artifacts atomically, so a crash leaves none half-written. */
export type JobHandler<P = unknown, R = unknown> = (params: P, ctx: JobContext) => Promise<R>;

/** Types a handler by its params; the queue validates nothing, routes validate params at the edge. */
export function defineJob<P, R>(handler: JobHandler<P, R>): JobHandler {
  return handler as JobHandler;
}

/** The record of a job that a previous process left queued or running. */
export function interruptedJob(job: Job, message: string): Job {
  return {
    ...job,
    state: 'failed',
    finishedAt: new Date().toISOString(),
    error: {
      type: 'https://lookalike.dev/problems/job-interrupted',
      title: 'job interrupted',
      status: 500,
      detail: message,
    },
  };
}
