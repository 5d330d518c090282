import type { DuckDb } from '../store/index.ts';
import { interruptedJob, type Job, type JobState, type JobStore } from './job.ts';

const DDL = `CREATE TABLE IF NOT EXISTS _jobs (
  id VARCHAR PRIMARY KEY, kind VARCHAR, state VARCHAR, created_at VARCHAR, record JSON)`;

/** Job records in the workspace database, so a restart can report what the last process left. */
export class DuckDbJobStore implements JobStore {
  private constructor(private readonly db: DuckDb) {}

  static async open(db: DuckDb): Promise<DuckDbJobStore> {
    await db.run(DDL);
    return new DuckDbJobStore(db);
  }

  async save(job: Job): Promise<void> {
    await this.db.run(`INSERT OR REPLACE INTO _jobs VALUES ($1, $2, $3, $4, $5::JSON)`, [
      job.id,
      job.kind,
      job.state,
      job.createdAt,
      JSON.stringify(job),
    ]);
  }

  async get(id: string): Promise<Job | null> {
    const [row] = await this.db.rows<{ record: string }>(
      `SELECT record::VARCHAR AS record FROM _jobs WHERE id = $1`,
      [id],
    );
    return row ? (JSON.parse(row.record) as Job) : null;
  }

  async list(options: { kind?: string; state?: JobState; limit: number }): Promise<Job[]> {
    const rows = await this.db.rows<{ record: string }>(
      `SELECT record::VARCHAR AS record FROM _jobs
       WHERE ($1::VARCHAR IS NULL OR kind = $1) AND ($2::VARCHAR IS NULL OR state = $2)
       ORDER BY created_at DESC LIMIT $3`,
      [options.kind ?? null, options.state ?? null, options.limit],
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
