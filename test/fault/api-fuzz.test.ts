/**
 * The fault suite's API half: a seeded fuzzer over JSON bodies, query strings and paths of every
 * route, sent with every role's key (and none, and a bogus one). It asserts what a hostile but fair
 * client must never see: a 5xx, a crash, or a rejected request that changed the workspace (table
 * counts and checksums, the quarantine, the import log, the artifact store). Accepted work is
 * cancelled at once (which also exercises cancellation), and no job may fail with a 5xx problem.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/features/random.ts';
import type { Job } from '../../src/jobs/index.ts';
import { TABLE_NAMES } from '../../src/schema/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { type DomainApi, domainApi } from '../api/domain-fixture.ts';

/** Row count and an order-free checksum (sum of row hashes) of every table, the quarantine and the import log. */
async function workspaceSnapshot(ws: Workspace): Promise<string> {
  const parts = [...TABLE_NAMES, '_quarantine', '_imports'].map(
    (t) =>
      `SELECT '${t}' AS t, count(*) AS n, coalesce(sum(hash(x)::HUGEINT), 0)::VARCHAR AS h FROM "${t}" x`,
  );
  const rows = await ws.db.rows<{ t: string; n: number; h: string }>(
    parts.join(' UNION ALL ') + ' ORDER BY t',
  );
  return rows.map((r) => `${r.t}:${r.n}:${r.h}`).join('\n');
}

const SEED = 20261206;
const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 700);

let api: DomainApi;
let modelId = '';
let segmentationId = '';
let audienceId = '';
const uncaught: unknown[] = [];
const onUncaught = (err: unknown) => uncaught.push(err);

async function finishJob(res: Response): Promise<Record<string, unknown>> {
  if (res.status !== 202) throw new Error(`fixture request answered ${res.status}: ${await res.text()}`);
  const job = await api.finish(res);
  if (job.state !== 'completed') throw new Error(`fixture job ${job.state}: ${JSON.stringify(job)}`);
  return job.result as Record<string, unknown>;
}

beforeAll(async () => {
  api = await domainApi({ seed: 7, members: 800, universe: 4000, months: 3 });
  const post = (path: string, body: unknown, key = 'data_scientist') =>
    api.call(path, {
      key,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  segmentationId = (await finishJob(await post('/v1/segmentations', { k: 3, seed: 1 })))
    .segmentationId as string;
  modelId = (
    await finishJob(
      await post('/v1/lookalike-models', {
        id: 'lm_fuzz',
        seed: { kind: 'top_value', share: 0.4 },
        universe: 'third_party',
        unlabelledSample: 2000,
      }),
    )
  ).modelId as string;
  audienceId = (
    await finishJob(
      await post(
        '/v1/audiences',
        { modelId, id: 'au_fuzz', target: { kind: 'size', size: 500 } },
        'marketer',
      ),
    )
  ).audienceId as string;
  process.on('uncaughtException', onUncaught);
});
afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  await api?.cleanup();
});

type Body = Record<string, unknown>;

/** Valid requests of every body-carrying route: the fuzzer's starting points. */
function baseRequests(): { method: string; path: string; body: Body; role: string }[] {
  return [
    { method: 'POST', path: '/v1/segmentations', role: 'data_scientist', body: { k: 3, seed: 2 } },
    {
      method: 'POST',
      path: '/v1/lookalike-models',
      role: 'data_scientist',
      body: { seed: { kind: 'segment', segmentationId, segmentId: 'seg_01' }, universe: 'third_party' },
    },
    {
      method: 'POST',
      path: '/v1/lookalike-models/diagnose',
      role: 'marketer',
      body: { seed: { kind: 'purchase', nameContains: 'パン', since: '2025-10-01' }, universe: 'members' },
    },
    {
      method: 'POST',
      path: '/v1/audiences',
      role: 'marketer',
      body: {
        modelId,
        target: { kind: 'precision', minPrecision: 0.5 },
        exclusions: { ids: ['tp_0000001'] },
      },
    },
    {
      method: 'POST',
      path: '/v1/audiences/relaxations',
      role: 'marketer',
      body: {
        modelId,
        targetSize: 300,
        conditions: [
          { kind: 'gender', values: ['female'] },
          { kind: 'interest', category: 'cooking', minVisits: 3 },
          { kind: 'search', term: '時短' },
        ],
      },
    },
    {
      method: 'POST',
      path: '/v1/needs/classify',
      role: 'marketer',
      body: { theme: 'convection_oven', texts: ['唐揚げはイマイチだけど、パンはふっくら焼けて良かった'] },
    },
    {
      method: 'POST',
      path: '/v1/needs/models',
      role: 'data_scientist',
      body: { theme: 'rice_cooker', seed: 3 },
    },
    {
      method: 'POST',
      path: `/v1/audiences/${audienceId}/shares`,
      role: 'marketer',
      body: { destination: 'dsp-b', idType: 'sha256' },
    },
    { method: 'POST', path: '/v1/keys', role: 'admin', body: { name: 'fuzz', role: 'marketer' } },
  ];
}

const GETS = () => [
  `/v1/jobs?limit=5&state=running`,
  `/v1/segmentations/${segmentationId}`,
  `/v1/segmentations/${segmentationId}/affinity`,
  `/v1/lookalike-models/${modelId}`,
  `/v1/lookalike-models/${modelId}/frontier?steps=8`,
  `/v1/lookalike-models/${modelId}/explain?id=tp_0000001&top=3`,
  `/v1/audiences/${audienceId}`,
  `/v1/audiences/${audienceId}/export?format=csv&limit=10`,
  `/v1/tables/members`,
];

const HOSTILE: unknown[] = [
  null,
  true,
  -1,
  0,
  1e308,
  -1e308,
  2 ** 53 + 1,
  0.5,
  '',
  ' ',
  'x'.repeat(5000),
  '30代',
  '東京',
  '女性',
  '2026-02-31',
  '2026-99-99',
  '../../etc/passwd',
  "'; DROP TABLE members; --",
  '%E0%A4%A',
  "=cmd|' /C calc'!A0",
  '🍞🥐',
  '\ud800',
  [],
  [null],
  {},
  { kind: 'nope' },
  Array.from({ length: 50 }, () => 'seg_01'),
  { __proto__: { polluted: true } },
];

function mutate(rand: () => number, value: unknown, depth = 0): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value) && depth < 4 && rand() < 0.6) {
    const obj = { ...(value as Body) };
    const keys = Object.keys(obj);
    const r = rand();
    if (keys.length && r < 0.25) delete obj[keys[Math.floor(rand() * keys.length)]!];
    else if (r < 0.35) obj[`extra_${Math.floor(rand() * 100)}`] = pick(rand, HOSTILE);
    else if (keys.length) {
      const k = keys[Math.floor(rand() * keys.length)]!;
      obj[k] = mutate(rand, obj[k], depth + 1);
    }
    return obj;
  }
  if (Array.isArray(value) && value.length && rand() < 0.5) {
    const arr = [...value];
    const i = Math.floor(rand() * arr.length);
    arr[i] = mutate(rand, arr[i], depth + 1);
    return arr;
  }
  return pick(rand, HOSTILE);
}

/** Percent-encodes a path segment; a lone surrogate (not encodable) goes as its raw %-bytes. */
function encodeSegment(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

/** A request body as bytes: mostly mutated JSON, sometimes broken JSON, deep nesting or another type. */
function fuzzBody(rand: () => number, base: Body): string {
  const r = rand();
  if (r < 0.05) return JSON.stringify(base).slice(0, Math.floor(rand() * 20));
  if (r < 0.08) return `${'['.repeat(5000)}${']'.repeat(5000)}`;
  if (r < 0.11) return JSON.stringify(pick(rand, HOSTILE));
  if (r < 0.13) return '{"a":1,"a":2}';
  let body: unknown = base;
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) body = mutate(rand, body);
  return JSON.stringify(body);
}

const ROLES = [
  'admin',
  'data_scientist',
  'marketer',
  'ad_platform',
  null,
  'lk_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB',
];

describe('API fuzz (fixed seed)', () => {
  it(`answers ${ROUNDS} hostile requests without a 5xx, a crash, or a change from a rejected one`, {
    timeout: 600_000,
  }, async () => {
    const rand = mulberry32(SEED);
    const bases = baseRequests();
    const gets = GETS();
    const queue = api.deps.jobs!;
    let before = await workspaceSnapshot(api.s.ws);
    let artifactsBefore = (await api.s.ws.artifacts.list('')).sort().join('\n');
    const statuses = new Map<number, number>();
    const fiveHundreds: string[] = [];
    const changed: string[] = [];
    const accepted: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      let res: Response;
      let what: string;
      const role = rand() < 0.85 ? undefined : pick(rand, ROLES);
      if (rand() < 0.8) {
        const base = pick(rand, bases);
        const body = fuzzBody(rand, base.body);
        const type =
          rand() < 0.95
            ? 'application/json'
            : pick(rand, ['text/plain', '', 'application/json; charset=shift_jis']);
        what = `${base.method} ${base.path} ${body.slice(0, 160)}`;
        res = await api.call(base.path, {
          key: role === undefined ? base.role : role,
          method: base.method,
          headers: type ? { 'content-type': type } : {},
          body,
        });
      } else {
        const path = pick(rand, gets);
        const [p, q = ''] = path.split('?');
        const params = new URLSearchParams(q);
        for (const key of [...params.keys()]) if (rand() < 0.5) params.set(key, String(pick(rand, HOSTILE)));
        if (rand() < 0.3)
          params.set(
            pick(rand, ['limit', 'cursor', 'since', 'format', 'steps', 'top']),
            String(pick(rand, HOSTILE)),
          );
        const segs = p!.split('/');
        if (rand() < 0.2) segs[segs.length - 1] = encodeSegment(String(pick(rand, HOSTILE)));
        what = `GET ${segs.join('/')}?${params}`;
        res = await api.call(`${segs.join('/')}?${params}`, { key: role === undefined ? 'admin' : role });
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const text = await res.text();
      if (res.status >= 500) fiveHundreds.push(`${res.status} ${what} -> ${text.slice(0, 200)}`);
      if (res.status === 202) {
        const job = JSON.parse(text) as Job;
        accepted.push(job.id);
        await api.call(`/v1/jobs/${job.id}/cancel`, { key: 'admin', method: 'POST' });
      }
      if (res.status >= 400) {
        const after = await workspaceSnapshot(api.s.ws);
        const artifactsAfter = (await api.s.ws.artifacts.list('')).sort().join('\n');
        if (after !== before || artifactsAfter !== artifactsBefore) changed.push(`${res.status} ${what}`);
      } else {
        await queue.idle();
        before = await workspaceSnapshot(api.s.ws);
        artifactsBefore = (await api.s.ws.artifacts.list('')).sort().join('\n');
      }
    }
    await queue.idle();
    const jobs = await Promise.all(accepted.map((id) => queue.get(id)));
    const failedHard = jobs.filter((j) => j.state === 'failed' && j.error.status >= 500);
    console.log(
      `api fuzz: ${ROUNDS} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}, ` +
        `${accepted.length} accepted jobs (${jobs.filter((j) => j.state === 'cancelled').length} cancelled), ` +
        `${fiveHundreds.length} 5xx, ${changed.length} rejected requests that changed the workspace, ${uncaught.length} uncaught`,
    );
    expect(fiveHundreds).toEqual([]);
    expect(changed).toEqual([]);
    expect(failedHard.map((j) => JSON.stringify(j))).toEqual([]);
    expect(uncaught).toEqual([]);
    expect((await api.call('/healthz', { key: null })).status).toBe(200);
  });
});
