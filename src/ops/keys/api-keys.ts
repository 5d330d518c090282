import { sha256Hex } from '../../export/index.ts';
import {
  type ApiKeyRecord,
  type ApiKeyStore,
  type AuditEntry,
  type AuditLog,
  InvalidInputError,
  NotFoundError,
  ROLES,
  type Role,
} from '../../schema/index.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomText(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

/** Compares two equal-length strings in time independent of where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export interface Principal {
  keyId: string;
  name: string;
  role: Role;
  destination: string | null;
}

/** Key format: `lk_<keyId>_<secret>`; the id finds the record, the hash of the whole key proves it. */
const KEY_PATTERN = /^lk_([A-Za-z0-9]{12})_([A-Za-z0-9]{32})$/;

/**
 * Creates an API key: returns the plain key once (it is never stored) and saves its hash.
 *
 * @throws InvalidInputError for an unknown role, or an ad_platform key without a destination.
 */
export async function createApiKey(
  store: ApiKeyStore,
  input: { name: string; role: string; destination?: string | null },
): Promise<{ key: string; record: ApiKeyRecord }> {
  if (!(ROLES as readonly string[]).includes(input.role)) {
    throw new InvalidInputError(`role "${input.role}" is not valid; roles are ${ROLES.join(', ')}`, 'role');
  }
  const role = input.role as Role;
  const destination = input.destination?.trim() || null;
  if (role === 'ad_platform' && !destination) {
    throw new InvalidInputError(
      'an ad_platform key must be bound to a destination (e.g. "dsp-tokyo")',
      'destination',
    );
  }
  if (role !== 'ad_platform' && destination) {
    throw new InvalidInputError(
      `only ad_platform keys have a destination; a ${role} key cannot`,
      'destination',
    );
  }
  const keyId = randomText(12);
  const key = `lk_${keyId}_${randomText(32)}`;
  const record: ApiKeyRecord = {
    keyId,
    name: input.name.trim() || `${role} key`,
    role,
    destination,
    hash: sha256Hex(key),
    createdAt: new Date().toISOString(),
    revokedAt: null,
  };
  await store.insert(record);
  return { key, record };
}

/** Compared against when the key ID is unknown, so that case does the same work as a wrong secret. */
const NO_KEY_HASH = sha256Hex('lk_unknown');

/**
 * Checks a presented key; null when it is malformed, unknown, wrong or revoked. A well-formed key
 * costs one lookup, one hash and one constant-time comparison whether or not its ID exists.
 */
export async function verifyApiKey(store: ApiKeyStore, presented: string): Promise<Principal | null> {
  const match = KEY_PATTERN.exec(presented);
  if (!match) return null;
  const record = await store.get(match[1]!);
  const hash = sha256Hex(presented);
  const matches = constantTimeEqual(hash, record?.hash ?? NO_KEY_HASH);
  if (!record || record.revokedAt || !matches) return null;
  return { keyId: record.keyId, name: record.name, role: record.role, destination: record.destination };
}

export async function revokeApiKey(store: ApiKeyStore, keyId: string): Promise<void> {
  const record = await store.get(keyId);
  if (!record) throw new NotFoundError('API key', keyId);
  await store.revoke(keyId, new Date().toISOString());
}

/** Public view of a key record: never the hash. */
export const publicKey = (r: ApiKeyRecord) => ({
  keyId: r.keyId,
  name: r.name,
  role: r.role,
  destination: r.destination,
  createdAt: r.createdAt,
  revokedAt: r.revokedAt,
});

export class MemoryKeyStore implements ApiKeyStore {
  private readonly keys = new Map<string, ApiKeyRecord>();
  async insert(r: ApiKeyRecord): Promise<void> {
    this.keys.set(r.keyId, { ...r });
  }
  async get(keyId: string): Promise<ApiKeyRecord | null> {
    const r = this.keys.get(keyId);
    return r ? { ...r } : null;
  }
  async list(): Promise<ApiKeyRecord[]> {
    return [...this.keys.values()].map((r) => ({ ...r }));
  }
  async revoke(keyId: string, at: string): Promise<boolean> {
    const r = this.keys.get(keyId);
    if (!r || r.revokedAt) return false;
    r.revokedAt = at;
    return true;
  }
}

export class MemoryAuditLog implements AuditLog {
  readonly entries: AuditEntry[] = [];
  async record(entry: AuditEntry): Promise<void> {
    this.entries.push(entry);
  }
  async list(options: { keyId?: string; limit: number }): Promise<AuditEntry[]> {
    return this.entries
      .filter((e) => !options.keyId || e.keyId === options.keyId)
      .slice(-options.limit)
      .reverse();
  }
}
