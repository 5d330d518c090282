import { hc } from 'hono/client';
import { describe, expect, it } from 'vitest';
import type { AppType } from '../../src/api/index.ts';
import { JobQueue, MemoryJobStore } from '../../src/jobs/index.ts';
import { testApi } from './helpers.ts';

describe('typed client (hono/client over AppType)', () => {
  it('calls routes with typed paths, inputs and responses', async () => {
    const jobs = new JobQueue(new MemoryJobStore(), {});
    const { app, keys } = await testApi({ jobs });
    const client = hc<AppType>('http://localhost', {
      fetch: (input: string | URL | Request, init?: RequestInit) => app.request(input, init),
      headers: { authorization: `Bearer ${keys.admin}` },
    });

    const health = await client.healthz.$get();
    expect(health.status).toBe(200);
    const body = await health.json();
    expect(body.status).toBe('ok');

    const created = await client.v1.keys.$post({
      json: { name: 'dsp', role: 'ad_platform', destination: 'dsp-b' },
    });
    expect(created.status).toBe(201);
    if (created.status === 201) {
      const k = await created.json();
      expect(k.key).toMatch(/^lk_/);
      expect(k.destination).toBe('dsp-b');
    }

    // The client knows every route: a path the API does not have is a type error (typecheck
    // fails on an unused directive if AppType ever loses its routes).
    // @ts-expect-error no such route
    expect(client.v1.nope).toBeDefined();

    const missing = await client.v1.jobs[':id'].$get({ param: { id: 'job_nope' } });
    expect(missing.status).toBe(404);
  });
});
