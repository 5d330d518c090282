/**
 * Who may see and cancel which job. Jobs carry their parameters (seed member IDs, conditions,
 * file names) and results, so they are as private as the data they were started with:
 *
 * | role | sees | cancels |
 * |---|---|---|
 * | admin | every job | every job |
 * | data_scientist | every job (they operate training and retraining for everyone) | their own |
 * | marketer, ad_platform | their own | their own |
 *
 * A job the caller may not see answers 404, as if it did not exist, so IDs reveal nothing.
 */
import type { Job } from '../jobs/index.ts';
import type { Principal } from '../ops/keys/api-keys.ts';
import { AppError, NotFoundError } from '../schema/index.ts';

export function canSeeAllJobs(p: Principal): boolean {
  return p.role === 'admin' || p.role === 'data_scientist';
}

export function canSeeJob(p: Principal, job: Job): boolean {
  return canSeeAllJobs(p) || job.createdBy === p.keyId;
}

export function canCancelJob(p: Principal, job: Job): boolean {
  return p.role === 'admin' || job.createdBy === p.keyId;
}

/** @throws NotFoundError when `p` may not see the job. */
export function assertCanSee(p: Principal, job: Job): Job {
  if (!canSeeJob(p, job)) throw new NotFoundError('job', job.id);
  return job;
}

/** @throws AppError 403 when `p` may see but not cancel the job. */
export function assertCanCancel(p: Principal, job: Job): void {
  if (!canCancelJob(p, job)) {
    throw new AppError(
      'forbidden',
      `job "${job.id}" was started by another key; a ${p.role} key cancels only its own jobs (an admin key cancels any)`,
      403,
    );
  }
}
