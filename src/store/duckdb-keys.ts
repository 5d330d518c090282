import type { ApiKeyRecord, ApiKeyStore, AuditEntry, AuditLog, Role } from '../schema/index.ts';
import type { DuckDb } from './duckdb.ts';

interface KeyRow {
  key_id: string;
  name: string;
  role: string;
  destination: string | null;
  hash: string;
  created_at: string;
  revoked_at: string | null;
}

const toRecord = (r: KeyRow): ApiKeyRecord => ({
  keyId: r.key_id,
  name: r.name,
  role: r.role as Role,
  destination: r.destination,
  hash: r.hash,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

/**
 * API keys in the workspace database (hashes only), all held in memory: the table is small (keys
 * are made by admins), and a lookup then costs the same for a known and an unknown key ID, so
 * response times do not tell an attacker which IDs exist. The process that serves the API is the
 * only writer of the workspace (DuckDB allows one; the CLI goes through the running server), and
 * its own inserts and revocations update the map, so a revoked key fails on the very next request.
 */
export class DuckDbKeyStore implements ApiKeyStore {
  private constructor(
    private readonly db: DuckDb,
    private readonly byId: Map<string, ApiKeyRecord>,
  ) {}

  static async open(db: DuckDb): Promise<DuckDbKeyStore> {
    await db.run(`CREATE TABLE IF NOT EXISTS _api_keys (key_id VARCHAR PRIMARY KEY, name VARCHAR, role VARCHAR,
      destination VARCHAR, hash VARCHAR, created_at VARCHAR, revoked_at VARCHAR)`);
    const rows = await db.rows<KeyRow & Record<string, never>>('SELECT * FROM _api_keys');
    return new DuckDbKeyStore(db, new Map(rows.map((r) => [r.key_id, toRecord(r)])));
  }

  async insert(k: ApiKeyRecord): Promise<void> {
    await this.db.run('INSERT INTO _api_keys VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      k.keyId,
      k.name,
      k.role,
      k.destination,
      k.hash,
      k.createdAt,
      k.revokedAt,
    ]);
    this.byId.set(k.keyId, { ...k });
  }

  async get(keyId: string): Promise<ApiKeyRecord | null> {
    const record = this.byId.get(keyId);
    return record ? { ...record } : null;
  }

  async list(): Promise<ApiKeyRecord[]> {
    return [...this.byId.values()]
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map((r) => ({ ...r }));
  }

  async revoke(keyId: string, at: string): Promise<boolean> {
    const changed = await this.db.run(
      'UPDATE _api_keys SET revoked_at = $2 WHERE key_id = $1 AND revoked_at IS NULL',
      [keyId, at],
    );
    const record = this.byId.get(keyId);
    if (changed > 0 && record) record.revokedAt = at;
    return changed > 0;
  }
}

/** Entries written by one INSERT at most. */
const AUDIT_BATCH = 200;

interface PendingEntry {
  entry: AuditEntry;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * The audit log in the workspace database, with group commit: an entry recorded while a write is
 * in flight joins the next write, so concurrent requests share one commit instead of queueing
 * behind one commit each. `record` still resolves only once its entry is stored.
 */
export class DuckDbAuditLog implements AuditLog {
  private pending: PendingEntry[] = [];
  private draining: Promise<void> | null = null;

  private constructor(private readonly db: DuckDb) {}

  static async open(db: DuckDb): Promise<DuckDbAuditLog> {
    await db.run(`CREATE TABLE IF NOT EXISTS _audit ("at" VARCHAR, key_id VARCHAR, role VARCHAR, action VARCHAR,
      resource VARCHAR, status INTEGER, detail VARCHAR)`);
    return new DuckDbAuditLog(db);
  }

  record(e: AuditEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ entry: e, resolve, reject });
      this.draining ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending.splice(0, AUDIT_BATCH);
      try {
        await this.db.run(
          `INSERT INTO _audit VALUES ${batch.map((_, i) => `(${Array.from({ length: 7 }, (_, j) => `$${i * 7 + j + 1}`).join(', ')})`).join(', ')}`,
          batch.flatMap(({ entry: e }) => [
            e.at,
            e.keyId,
            e.role,
            e.action,
            e.resource,
            e.status,
            e.detail ?? null,
          ]),
        );
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.draining = null;
  }

  async flush(): Promise<void> {
    await this.draining;
  }

  async list(options: { keyId?: string; limit: number }): Promise<AuditEntry[]> {
    await this.draining;
    const rows = await this.db.rows<{
      at: string;
      key_id: string | null;
      role: string | null;
      action: string;
      resource: string;
      status: number;
      detail: string | null;
    }>(`SELECT * FROM _audit WHERE ($1::VARCHAR IS NULL OR key_id = $1) ORDER BY "at" DESC LIMIT $2`, [
      options.keyId ?? null,
      options.limit,
    ]);
    return rows.map((r) => ({
      at: r.at,
      keyId: r.key_id,
      role: r.role as Role | null,
      action: r.action,
      resource: r.resource,
      status: r.status,
      ...(r.detail ? { detail: r.detail } : {}),
    }));
  }
}
