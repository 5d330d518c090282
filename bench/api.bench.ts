/**
 * API request latency: `createApp` over a small workspace (DuckDB-backed keys, audit trail and
 * job store, as `npm start` composes them), answering `GET /v1/jobs` through `app.request`
 * (in memory, no socket), against a bare Hono app returning the same JSON body from the same
 * path. The ratio is what our middleware stack costs per request: bearer-key verification,
 * rate limiting, the audit trail, request validation, problem+json and OpenAPI wiring, and the
 * job store read.
 *
 *   npx tsx bench/api.bench.ts [smoke|full]
 * Also runs under bench/run.ts as the `api` bench.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono, type MiddlewareHandler } from 'hono';
import { type ApiEnv, authenticate } from '../src/api/auth.ts';
import { createApiKey, createApp } from '../src/api/index.ts';
import { rateLimit } from '../src/api/rate-limit.ts';
import { DuckDbJobStore, defineJob, JobQueue } from '../src/jobs/index.ts';
import { DuckDbAuditLog, DuckDbKeyStore, Workspace } from '../src/store/index.ts';
import {
  type BenchModule,
  type BenchRow,
  type BenchSize,
  comparePair,
  runIfMain,
  timeMedian,
} from './lib.ts';

const PLANS: Record<BenchSize, { requests: number; rounds: number; iterations: number }> = {
  smoke: { requests: 50, rounds: 1, iterations: 2 },
  full: { requests: 200, rounds: 3, iterations: 3 },
};

const bench: BenchModule = {
  name: 'api',
  async run(size) {
    const plan = PLANS[size];
    const home = mkdtempSync(join(tmpdir(), 'lookalike-bench-api-'));
    const ws = await Workspace.open(home);
    const audit = await DuckDbAuditLog.open(ws.db);
    try {
      const keys = await DuckDbKeyStore.open(ws.db);
      const jobs = new JobQueue(await DuckDbJobStore.open(ws.db), {
        noop: defineJob(async (params: { n: number }) => ({ n: params.n })),
      });
      const { key, record } = await createApiKey(keys, { name: 'bench', role: 'marketer' });
      // The caller's own jobs: a marketer sees only those.
      for (let i = 0; i < 5; i++) await jobs.submit('noop', { n: i }, record.keyId);
      await jobs.idle();
      // Limits far above the bench's request rate: the bench times the limiter, not a 429.
      const unlimited = { admin: 1e9, data_scientist: 1e9, marketer: 1e9, ad_platform: 1e9 };
      const app = createApp({ version: 'bench', keys, audit, jobs, rateLimits: unlimited });
      const headers = { authorization: `Bearer ${key}` };
      const path = '/v1/jobs?limit=20';
      const first = await app.request(path, { headers });
      if (first.status !== 200)
        throw new Error(`GET ${path} answered ${first.status}: ${await first.text()}`);
      const body = (await first.json()) as { jobs: unknown[] };
      if (body.jobs.length !== 5) throw new Error(`GET ${path} listed ${body.jobs.length} jobs, not 5`);
      const bare = new Hono();
      bare.get('/v1/jobs', (c) => c.json(body as object));
      const check = await bare.request(path, { headers });
      if (JSON.stringify(await check.json()) !== JSON.stringify(body))
        throw new Error('bare app body differs');

      const n = plan.requests;
      const r = await comparePair(
        'GET /v1/jobs',
        async () => {
          for (let i = 0; i < n; i++) await (await app.request(path, { headers })).arrayBuffer();
        },
        async () => {
          for (let i = 0; i < n; i++) await (await bare.request(path, { headers })).arrayBuffer();
        },
        { rounds: plan.rounds, iterations: plan.iterations },
      );
      // Where the time goes: the same bare app with the middlewares added one at a time, and the
      // job store read alone (GET /v1/jobs is not audited, so the audit trail costs it nothing).
      const sequential = (a: { request: typeof bare.request }) => async () => {
        for (let i = 0; i < n; i++) await (await a.request(path, { headers })).arrayBuffer();
      };
      const stage = (...middleware: MiddlewareHandler<ApiEnv>[]) => {
        const a = new Hono<ApiEnv>();
        a.use('/v1/*', ...middleware);
        a.get('/v1/jobs', (c) => c.json(body as object));
        return a;
      };
      const unlimitedLimiter = rateLimit(unlimited);
      const stages: BenchRow[] = [];
      for (const [label, a] of [
        ['bare Hono + key verification', stage(authenticate(keys))],
        ['bare Hono + key verification + rate limit', stage(authenticate(keys), unlimitedLimiter)],
      ] as const) {
        const s = await comparePair(label, sequential(a), sequential(bare), {
          rounds: plan.rounds,
          iterations: plan.iterations,
        });
        stages.push({
          bench: 'api',
          scenario: `request-path breakdown: ${label}, ${n} requests`,
          ours: label,
          oursMedianMs: s.oursMs,
          peer: 'bare Hono app returning the same JSON',
          peerMedianMs: s.peerMs,
          ratio: s.ratio,
          extra: { 'ms/request': s.oursMs / n },
        });
      }
      const storeMs = await timeMedian(
        'job store list',
        async () => {
          for (let i = 0; i < n; i++) await jobs.list({ createdBy: record.keyId, limit: 20 });
        },
        plan.iterations,
      );
      return [
        ...stages,
        {
          bench: 'api',
          scenario: `GET /v1/jobs (5 jobs, ${JSON.stringify(body).length} B JSON) x ${n} sequential requests, app.request`,
          ours: 'createApp: auth (hashed key lookup), rate limit, audit trail, zod validation, job store read',
          oursMedianMs: r.oursMs,
          peer: 'bare Hono app returning the same JSON',
          peerMedianMs: r.peerMs,
          ratio: r.ratio,
          extra: {
            'ours ms/request': r.oursMs / n,
            'bare ms/request': (r.peerMs ?? Number.NaN) / n,
            'ours requests/s': n / (r.oursMs / 1000),
            'job store list alone ms/request': storeMs / n,
          },
        },
      ];
    } finally {
      await audit.flush();
      ws.close();
      rmSync(home, { recursive: true, force: true });
    }
  },
};

export default bench;

await runIfMain(bench, import.meta.url);
