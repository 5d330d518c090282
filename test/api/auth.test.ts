import { describe, expect, it } from 'vitest';
import { createApiKey, verifyApiKey } from '../../src/api/index.ts';
import { DuckDb, DuckDbKeyStore } from '../../src/store/index.ts';
import { testApi } from './helpers.ts';

describe('failed authentication is rate-limited per client address', () => {
  it('answers 429 with Retry-After once an address has failed its allowance, before checking keys', async () => {
    let address = '10.0.0.1';
    const api = await testApi({ authFailureLimits: { perMinute: 5 }, clientAddress: () => address });
    const bad = 'lk_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await api.call('/v1/jobs', { key: bad })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    const blocked = await api.call('/v1/jobs', { key: bad });
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await blocked.json()) as { detail: string }).detail).toMatch(
      /^too many failed authentications from this address; retry in \d+ s$/,
    );
    // A correct guess from a blocked address does not get through either.
    expect((await api.call('/v1/jobs', { key: 'admin' })).status).toBe(429);
    // Other addresses are not affected, and successes cost nothing.
    address = '10.0.0.2';
    for (let i = 0; i < 20; i++) expect((await api.call('/v1/keys', { key: 'admin' })).status).toBe(200);
    expect((await api.call('/v1/jobs', { key: bad })).status).toBe(401);
  });
});

describe('key lookup does the same work for known and unknown key IDs', () => {
  it('never queries the database per lookup, so its time does not reveal which IDs exist', async () => {
    const db = await DuckDb.open(':memory:');
    try {
      const store = await DuckDbKeyStore.open(db);
      const { key, record } = await createApiKey(store, { name: 'a', role: 'marketer' });
      let queries = 0;
      const rows = db.rows.bind(db);
      db.rows = ((...args: Parameters<typeof db.rows>) => {
        queries++;
        return rows(...args);
      }) as typeof db.rows;
      expect(await verifyApiKey(store, key)).toMatchObject({ keyId: record.keyId, role: 'marketer' });
      expect(await verifyApiKey(store, `lk_ZZZZZZZZZZZZ_${key.slice(-32)}`)).toBeNull();
      expect(await verifyApiKey(store, `${key.slice(0, -1)}x`)).toBeNull();
      expect(queries).toBe(0);
      // The map follows the store's own writes: a revoked key fails at once, a reopened store agrees.
      await store.revoke(record.keyId, new Date().toISOString());
      expect(await verifyApiKey(store, key)).toBeNull();
      const reopened = await DuckDbKeyStore.open(db);
      expect((await reopened.get(record.keyId))?.revokedAt).not.toBeNull();
    } finally {
      db.close();
    }
  });
});
