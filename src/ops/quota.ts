/**
 * Per-key quotas of long operations: how many jobs of a kind one API key may have queued or
 * running at once, and start in a rolling day. Declared by the operation (the one place its
 * rules live), counted from the job queue through the context's `recentJobs` port.
 */
import { AppError, type Role } from '../schema/index.ts';
import type { OpContext } from './operation.ts';

export interface Quota {
  /** Jobs of the kind queued or running at once. */
  concurrent: number;
  /** Jobs of the kind submitted in the last 24 hours. */
  perDay: number;
}

/** A job as the quota sees it. */
export interface JobRecord {
  state: string;
  createdAt: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Quota exceeded: 429 with the quota, the count and when to try again. */
export class QuotaExceededError extends AppError {
  override readonly name = 'QuotaExceededError';
  constructor(message: string, extra: Record<string, unknown>) {
    super('quota-exceeded', message, 429, undefined, extra);
  }
}

/**
 * Throws `QuotaExceededError` when the caller's role has a quota for `kind` and its key is at it.
 * Roles without a quota (and callers without a key: the local CLI) pass.
 */
export async function enforceQuota(
  ctx: OpContext,
  kind: string,
  quotas: Partial<Record<Role, Quota>>,
  now: Date = new Date(),
): Promise<void> {
  const caller = ctx.caller;
  const quota = caller ? quotas[caller.role] : undefined;
  if (!caller || !quota || !ctx.recentJobs) return;
  const jobs = await ctx.recentJobs(kind);
  const active = jobs.filter((j) => j.state === 'queued' || j.state === 'running').length;
  if (active >= quota.concurrent) {
    throw new QuotaExceededError(
      `this ${caller.role} key already has ${active} ${kind} job(s) queued or running; the quota is ${quota.concurrent} at a time; wait for it to finish (GET /v1/jobs) or cancel it`,
      {
        quota,
        active,
        detailJa: `このキーではすでに${active}件の学習が実行中です（同時に${quota.concurrent}件まで）。終わるまでお待ちいただくか、取り消してください。`,
      },
    );
  }
  const since = now.getTime() - DAY_MS;
  const today = jobs.filter((j) => Date.parse(j.createdAt) > since);
  if (today.length >= quota.perDay) {
    const oldest = Math.min(...today.map((j) => Date.parse(j.createdAt)));
    const retryAfter = Math.max(1, Math.ceil((oldest + DAY_MS - now.getTime()) / 1000));
    throw new QuotaExceededError(
      `this ${caller.role} key has started ${today.length} ${kind} jobs in the last 24 hours; the quota is ${quota.perDay} a day; try again in ${retryAfter} s`,
      {
        quota,
        today: today.length,
        retryAfter,
        detailJa: `このキーで過去24時間に${today.length}件の学習を開始しました（1日${quota.perDay}件まで）。${Math.ceil(retryAfter / 60)}分後に再度お試しください。`,
      },
    );
  }
}
