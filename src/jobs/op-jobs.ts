import type { OpContext, Operation } from '../ops/index.ts';
import { parseInput } from '../ops/index.ts';
import { defineJob, type JobContext, type JobHandler } from './job.ts';

/** What every operation run by a job shares (the per-job progress, signal and caller are added). */
export type OpJobBase = Omit<OpContext, 'progress' | 'signal' | 'caller'>;

/** Progress that also stops the work at its next report once the job is cancelled. */
export const cancellingProgress = (ctx: JobContext) => (fraction: number, message: string) => {
  ctx.throwIfCancelled();
  ctx.progress(fraction, message);
};

/**
 * Job handlers for the long operations, by operation name (the job kind). A job's params are the
 * operation's input as the route parsed it; they are parsed again here, so a job stored by an
 * older version is checked against today's rules before it runs.
 *
 * @example
 * const jobs = new JobQueue(store, opJobs(OPERATIONS, { ws, runner: pool, needModelsDir }));
 */
export function opJobs(ops: readonly Operation[], base: OpJobBase): Record<string, JobHandler> {
  const handlers: Record<string, JobHandler> = {};
  for (const op of ops) {
    if (!op.long) continue;
    handlers[op.name] = defineJob(async (params: unknown, ctx) =>
      op.run(
        {
          ...base,
          progress: cancellingProgress(ctx),
          signal: ctx.signal,
          ...(ctx.caller ? { caller: ctx.caller } : {}),
        },
        parseInput(op, params),
      ),
    );
  }
  return handlers;
}
