import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/workerd/**', 'node_modules/**'],
          environment: 'node',
          pool: 'forks',
          testTimeout: 180_000,
          hookTimeout: 300_000,
          env: { TZ: 'Asia/Tokyo' },
          expect: { requireAssertions: true },
        },
      },
      './vitest.workerd.config.ts',
    ],
  },
});
