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

/** API keys in the workspace database (hashes only). */
export class DuckDbKeyStore implements ApiKeyStore {
  private constructor(private readonly db: DuckDb) {}

  static async open(db: DuckDb): Promise<DuckDbKeyStore> {
    await db.run(`CREATE TABLE IF NOT EXISTS _api_keys (key_id VARCHAR PRIMARY KEY, name VARCHAR, role VARCHAR,
      destination VARCHAR, hash VARCHAR, created_at VARCHAR, revoked_at VARCHAR)`);
    return new DuckDbKeyStore(db);
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
  }

  async get(keyId: string): Promise<ApiKeyRecord | null> {
    const [row] = await this.db.rows<KeyRow & Record<string, never>>(
      'SELECT * FROM _api_keys WHERE key_id = $1',
      [keyId],
    );
    return row ? toRecord(row) : null;
  }

  async list(): Promise<ApiKeyRecord[]> {
    return (
      await this.db.rows<KeyRow & Record<string, never>>('SELECT * FROM _api_keys ORDER BY created_at')
    ).map(toRecord);
  }

  async revoke(keyId: string, at: string): Promise<boolean> {
    const changed = await this.db.run(
      'UPDATE _api_keys SET revoked_at = $2 WHERE key_id = $1 AND revoked_at IS NULL',
      [keyId, at],
    );
    return changed > 0;
  }
}

/** The audit log in the workspace database. */
export class DuckDbAuditLog implements AuditLog {
  private constructor(private readonly db: DuckDb) {}

  static async open(db: DuckDb): Promise<DuckDbAuditLog> {
    await db.run(`CREATE TABLE IF NOT EXISTS _audit ("at" VARCHAR, key_id VARCHAR, role VARCHAR, action VARCHAR,
      resource VARCHAR, status INTEGER, detail VARCHAR)`);
    return new DuckDbAuditLog(db);
  }

  async record(e: AuditEntry): Promise<void> {
    await this.db.run('INSERT INTO _audit VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      e.at,
      e.keyId,
      e.role,
      e.action,
      e.resource,
      e.status,
      e.detail ?? null,
    ]);
  }

  async list(options: { keyId?: string; limit: number }): Promise<AuditEntry[]> {
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
