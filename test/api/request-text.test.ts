/**
 * Text that used to reach the server as a 500: undecodable percent-encoding in the path (through a
 * real Node server, as a client sends it), NUL characters in any text, impossible dates.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findNul } from '../../src/api/request-text.ts';
import { type DomainApi, domainApi, problemOf } from './domain-fixture.ts';
import { json } from './helpers.ts';

let api: DomainApi;
let base: string;
let server: ReturnType<typeof serve>;

beforeAll(async () => {
  api = await domainApi();
  server = serve({ fetch: api.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.close();
  await api?.cleanup();
});

describe('malformed percent-encoding in the path', () => {
  it('answers 400 on every route and for every role, never 500', async () => {
    for (const path of [
      '/v1/audiences/%E0%A4%A',
      '/v1/audiences/%E0%A4%A/export',
      '/v1/jobs/%ZZ',
      '/%E0%A4%A',
    ]) {
      for (const role of ['admin', 'ad_platform', 'marketer'] as const) {
        const res = await fetch(base + path, { headers: { authorization: `Bearer ${api.keys[role]}` } });
        expect(res.status, `${role} ${path}`).toBe(400);
        expect((await problemOf(res)).detail).toMatch(/^the URL path has malformed percent-encoding in "%/);
      }
    }
  });
});

describe('NUL characters', () => {
  it('are refused with the field named: JSON body, query value and path', async () => {
    const seed = await api.call('/v1/lookalike-models/diagnose', {
      key: 'data_scientist',
      ...json({ universe: 'third_party', seed: { kind: 'purchase', nameContains: 'a\u0000b' } }),
    });
    expect(seed.status).toBe(422);
    const p = await problemOf(seed);
    expect(p.field).toBe('seed.nameContains');
    expect(p.detail).toBe('seed.nameContains: text may not contain the NUL character (U+0000)');
    const relax = await api.call('/v1/audiences/relaxations', {
      key: 'marketer',
      ...json({
        modelId: 'lm_x',
        target: 10,
        conditions: [{ field: 'gender', op: 'in', values: ['f\u0000'] }],
      }),
    });
    expect(relax.status).toBe(422);
    expect((await problemOf(relax)).field).toBe('conditions.0.values.0');
    const query = await api.call('/v1/jobs?kind=a%00b', { key: 'admin' });
    expect(query.status).toBe(422);
    expect((await problemOf(query)).field).toBe('query.kind');
    const path = await api.call('/v1/audiences/au%00x', { key: 'admin' });
    expect(path.status).toBe(422);
  });

  it('findNul reports the first path holding NUL, keys included', () => {
    expect(findNul({ a: ['x', 'y\u0000'] })).toBe('a.1');
    expect(findNul({ 'k\u0000': 1 })).toBe('k\\u0000');
    expect(findNul('\u0000')).toBe('(body)');
    expect(findNul({ a: 1, b: [true, null] })).toBeNull();
  });
});

describe('impossible dates', () => {
  it('are 422 on as-of and seed windows, naming the field; real dates pass the check', async () => {
    for (const [body, field] of [
      [{ universe: 'members', asOf: '2026-02-31', seed: { kind: 'top_value', share: 0.2 } }, 'asOf'],
      [{ universe: 'members', asOf: '2026-99-99', seed: { kind: 'top_value', share: 0.2 } }, 'asOf'],
      [
        { universe: 'third_party', seed: { kind: 'purchase', nameContains: 'パン', since: '2025-02-29' } },
        'seed.since',
      ],
    ] as const) {
      const res = await api.call('/v1/lookalike-models/diagnose', { key: 'data_scientist', ...json(body) });
      expect(res.status, JSON.stringify(body)).toBe(422);
      const p = await problemOf(res);
      expect(p.field).toBe(field);
      expect(p.detail).toMatch(/expected a calendar day as YYYY-MM-DD/);
    }
    const leap = await api.call('/v1/lookalike-models/diagnose', {
      key: 'data_scientist',
      ...json({
        universe: 'third_party',
        seed: { kind: 'purchase', nameContains: 'パン', since: '2024-02-29' },
      }),
    });
    const answer = (await leap.json()) as { field?: string };
    expect(leap.status).not.toBe(500);
    expect(answer.field).not.toBe('seed.since');
  });
});
