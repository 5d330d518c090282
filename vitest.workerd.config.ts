import { createHash } from 'node:crypto';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

/** Fixed test keys (format `lk_<12>_<32>`), stored in the Worker's API_KEYS as the CLI syncs them: hashes only. */
const TEST_KEYS = {
  dspA: { keyId: 'dspAkey00001', role: 'ad_platform', destination: 'dsp-a' },
  dspB: { keyId: 'dspBkey00002', role: 'ad_platform', destination: 'dsp-b' },
  marketer: { keyId: 'marketer0003', role: 'marketer', destination: null },
  scientist: { keyId: 'scientist004', role: 'data_scientist', destination: null },
} as const;
const secret = (keyId: string) => `lk_${keyId}_${keyId.padEnd(32, 'x')}`;
const records = Object.values(TEST_KEYS).map((k) => ({
  keyId: k.keyId,
  name: k.keyId,
  role: k.role,
  destination: k.destination,
  hash: createHash('sha256').update(secret(k.keyId)).digest('hex'),
  createdAt: '2026-04-01T00:00:00.000Z',
  revokedAt: null,
}));

/** Runs test/workerd inside workerd, bundling src/entry/worker.ts as the Worker would be deployed. */
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          API_KEYS: JSON.stringify(records),
          // Failed shard messages come back after a second (production default 5 s).
          SCALE_RETRY_DELAY_SECONDS: '1',
          TEST_KEYS: JSON.stringify(
            Object.fromEntries(Object.entries(TEST_KEYS).map(([name, k]) => [name, secret(k.keyId)])),
          ),
        },
      },
    }),
  ],
  test: {
    name: 'workerd',
    include: ['test/workerd/**/*.test.ts'],
    expect: { requireAssertions: true },
  },
});
