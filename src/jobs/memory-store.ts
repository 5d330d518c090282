import { interruptedJob, type Job, type JobListOptions, type JobStore } from './job.ts';

/** Job records in memory: for tests and for processes that need no history. */
export class MemoryJobStore implements JobStore {
  private readonly jobs = new Map<string, Job>();

  async save(job: Job): Promise<void> {
    this.jobs.set(job.id, structuredClone(job));
  }

  async get(id: string): Promise<Job | null> {
    const job = this.jobs.get(id);
    return job ? structuredClone(job) : null;
  }

  async list(options: JobListOptions): Promise<Job[]> {
    return [...this.jobs.values()]
      .filter(
        (j) =>
          (!options.kind || j.kind === options.kind) &&
          (!options.state || j.state === options.state) &&
          (!options.createdBy || j.createdBy === options.createdBy),
      )
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, options.limit)
      .map((j) => structuredClone(j));
  }

  async failInterrupted(message: string): Promise<Job[]> {
    const failed: Job[] = [];
    for (const job of this.jobs.values()) {
      if (job.state === 'queued' || job.state === 'running') {
        const next = interruptedJob(job, message);
        this.jobs.set(job.id, next);
        failed.push(next);
      }
    }
    return failed;
  }
}
