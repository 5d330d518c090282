/** API roles (DESIGN §5). */
export const ROLES = ['admin', 'data_scientist', 'marketer', 'ad_platform'] as const;
export type Role = (typeof ROLES)[number];

/** A stored API key: never the key itself, only its SHA-256 hash. */
export interface ApiKeyRecord {
  keyId: string;
  name: string;
  role: Role;
  /** For `ad_platform` keys: the destination whose shared audiences the key may read. */
  destination: string | null;
  hash: string;
  createdAt: string;
  revokedAt: string | null;
}

/** Where API keys live; implemented over DuckDB for Node and in memory for tests and Workers. */
export interface ApiKeyStore {
  insert(record: ApiKeyRecord): Promise<void>;
  get(keyId: string): Promise<ApiKeyRecord | null>;
  list(): Promise<ApiKeyRecord[]>;
  revoke(keyId: string, at: string): Promise<boolean>;
}

/** One audited action: who did what to which resource. */
export interface AuditEntry {
  at: string;
  keyId: string | null;
  role: Role | null;
  action: string;
  resource: string;
  status: number;
  detail?: string;
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  list(options: { keyId?: string; limit: number }): Promise<AuditEntry[]>;
  /** Resolves once every entry recorded so far is stored (before the store closes). */
  flush?(): Promise<void>;
}
