import { describe, expect, it } from 'vitest';
import { BODY_LIMITS, bodyLimitFor, DEFAULT_BODY_LIMIT } from '../../src/api/body-limits.ts';
import { domainApi, problemOf } from './domain-fixture.ts';

const over = (bytes: number) => `{"pad":"${'a'.repeat(bytes)}"}`;

describe('request body limits', () => {
  it('gives every body-carrying /v1 route a limit, the default unless the route needs more', async () => {
    const api = await domainApi();
    try {
      const doc = (await (await api.call('/openapi.json', { key: null })).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops)
          .filter((m) => ['post', 'put', 'patch', 'delete'].includes(m))
          .map((m) => ({ method: m.toUpperCase(), path })),
      );
      expect(routes.length).toBeGreaterThan(10);
      for (const { method, path } of routes) {
        const concrete = path.replace(/\{[^}]+\}/g, 'x1');
        const limit = bodyLimitFor(method, concrete);
        if (path.startsWith('/v1/imports/')) {
          expect(limit).toBeNull(); // uploads have their own limit
          continue;
        }
        expect(limit, `${method} ${path}`).toBeGreaterThan(0);
        expect(limit!).toBeLessThanOrEqual(32 * 1024 * 1024);
      }
      // Every listed exception is a real route.
      for (const l of BODY_LIMITS) {
        expect(
          routes.some((r) => r.method === l.method && r.path === l.path),
          l.path,
        ).toBe(true);
      }
    } finally {
      await api.cleanup();
    }
  });

  it('answers 413 for a body just over the limit, before any handler runs (shares, keys: 64 KiB)', async () => {
    const api = await domainApi();
    try {
      for (const path of [
        '/v1/audiences/au_x/shares',
        '/v1/keys',
        '/v1/segmentations',
        '/v1/jobs/job_1/cancel',
      ]) {
        const res = await api.call(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: over(DEFAULT_BODY_LIMIT),
        });
        expect(res.status, path).toBe(413);
        const p = (await problemOf(res)) as { detail: string; limit?: number };
        expect(p.detail).toBe(
          `the request body is larger than this route's limit of ${DEFAULT_BODY_LIMIT} bytes`,
        );
        expect(p.limit).toBe(DEFAULT_BODY_LIMIT);
      }
      // Within the limit, the route answers for itself (here: a validation error, not 413).
      const small = await api.call('/v1/keys', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'nobody', name: 'x' }),
      });
      expect(small.status).toBe(422);
      const big = await api.call('/v1/needs/classify', {
        key: 'marketer',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: over(16 * 1024 * 1024),
      });
      expect(big.status).toBe(413);
    } finally {
      await api.cleanup();
    }
  });
});
