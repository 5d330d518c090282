import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/workerd/**', 'node_modules/**'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 300_000,
    env: { TZ: 'Asia/Tokyo' },
    expect: { requireAssertions: true },
  },
});
