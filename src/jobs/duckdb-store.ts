import type { DuckDb } from '../store/index.ts';
import { interruptedJob, type Job, type JobListOptions, type JobStore } from './job.ts';

const DDL = `CREATE TABLE IF NOT EXISTS _jobs (
  id VARCHAR PRIMARY KEY, kind VARCHAR, state VARCHAR, created_at VARCHAR, record JSON)`;

/** Newest jobs kept in memory: every list a client can ask for (limit <= 500) comes from them. */
const RECENT = 5_000;

const matches = (j: Job, o: JobListOptions) =>
  (!o.kind || j.kind === o.kind) &&
  (!o.state || j.state === o.state) &&
  (!o.createdBy || j.createdBy === o.createdBy);

/**
 * Job records in the workspace database, so a restart can report what the last process left.
 * The newest records are also held in memory: the queue of this process is the only writer of
 * `_jobs` (DuckDB allows one writing process), so the copy stays exact, and listing jobs (what
 * clients poll) costs no query. Older jobs are read from the table.
 */
export class DuckDbJobStore implements JobStore {
  /** Newest first by `createdAt`; at most RECENT entries. */
  private recent: Job[];
  /** True while `recent` holds every row of the table. */
  private complete: boolean;

  private constructor(
    private readonly db: DuckDb,
    recent: Job[],
    complete: boolean,
  ) {
    this.recent = recent;
    this.complete = complete;
  }

  static async open(db: DuckDb): Promise<DuckDbJobStore> {
    await db.run(DDL);
    const rows = await db.rows<{ record: string }>(
      `SELECT record::VARCHAR AS record FROM _jobs ORDER BY created_at DESC, id LIMIT ${RECENT + 1}`,
    );
    const recent = rows.slice(0, RECENT).map((r) => JSON.parse(r.record) as Job);
    return new DuckDbJobStore(db, recent, rows.length <= RECENT);
  }

  async save(job: Job): Promise<void> {
    await this.db.run(`INSERT OR REPLACE INTO _jobs VALUES ($1, $2, $3, $4, $5::JSON)`, [
      job.id,
      job.kind,
      job.state,
      job.createdAt,
      JSON.stringify(job),
    ]);
    const copy = structuredClone(job);
    const at = this.recent.findIndex((j) => j.id === job.id);
    if (at !== -1) {
      this.recent[at] = copy;
      return;
    }
    // New jobs are the newest: they go first (createdAt is the submission time).
    this.recent.unshift(copy);
    if (this.recent.length > RECENT) {
      this.recent.length = RECENT;
      this.complete = false;
    }
  }

  async get(id: string): Promise<Job | null> {
    const cached = this.recent.find((j) => j.id === id);
    if (cached) return structuredClone(cached);
    if (this.complete) return null;
    const [row] = await this.db.rows<{ record: string }>(
      `SELECT record::VARCHAR AS record FROM _jobs WHERE id = $1`,
      [id],
    );
    return row ? (JSON.parse(row.record) as Job) : null;
  }

  async list(options: JobListOptions): Promise<Job[]> {
    const found = this.recent.filter((j) => matches(j, options)).slice(0, options.limit);
    if (found.length === options.limit || this.complete) return found.map((j) => structuredClone(j));
    const rows = await this.db.rows<{ record: string }>(
      `SELECT record::VARCHAR AS record FROM _jobs
       WHERE ($1::VARCHAR IS NULL OR kind = $1) AND ($2::VARCHAR IS NULL OR state = $2)
         AND ($4::VARCHAR IS NULL OR json_extract_string(record, '$.createdBy') = $4)
       ORDER BY created_at DESC, id LIMIT $3`,
      [options.kind ?? null, options.state ?? null, options.limit, options.createdBy ?? null],
    );
    return rows.map((r) => JSON.parse(r.record) as Job);
  }

  async failInterrupted(message: string): Promise<Job[]> {
    const rows = await this.db.rows<{ record: string }>(
      `SELECT record::VARCHAR AS record FROM _jobs WHERE state IN ('queued', 'running')`,
    );
    const failed: Job[] = [];
    for (const { record } of rows) {
      const next = interruptedJob(JSON.parse(record) as Job, message);
      await this.save(next);
      failed.push(next);
    }
    return failed;
  }
}
