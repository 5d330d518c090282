import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

/** Runs test/workerd inside workerd, bundling src/entry/worker.ts as the Worker would be deployed. */
export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' } })],
  test: {
    name: 'workerd',
    include: ['test/workerd/**/*.test.ts'],
    expect: { requireAssertions: true },
  },
});
