/**
 * Load test of the audience read route while a lookalike training job runs (issue: the API keeps
 * answering while long work runs in worker threads).
 *   npm run bench:load            20,000 members (the npm start sample), 15 s of load
 *   npm run bench:load -- smoke   1,000 members, 3 s of load (CI: proves the script works)
 * Serves a fresh sample workspace on an ephemeral loopback port, starts a training job, and points
 * autocannon (a separate process, so the load generator does not share the server's event loop)
 * at GET /v1/audiences/{id} with a marketer key (rate limits lifted). Writes bench/results/load.json.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServer } from '../src/entry/serve.ts';

const smoke = process.argv[2] === 'smoke';
const members = smoke ? 1000 : 20_000;
const seconds = smoke ? 3 : 15;
const connections = 10;

const home = mkdtempSync(join(tmpdir(), 'lookalike-load-'));
const server = await startServer({
  home,
  port: 0,
  sample: { members, universe: members * 10, months: 6, seed: 7 },
  // Capacity, not policy: the per-key limits (600/min for a marketer) would answer most of this
  // load with 429 by design.
  rateLimits: { admin: 1e9, data_scientist: 1e9, marketer: 1e9, ad_platform: 1e9 },
  log: (line) => process.stderr.write(`${line}\n`),
});
try {
  const demo = server.demo!;
  const auth = (role: 'marketer' | 'data_scientist') => ({ authorization: `Bearer ${server.keys[role]}` });
  const model = (await (
    await fetch(`${server.url}/v1/lookalike-models/${demo.modelId}`, { headers: auth('data_scientist') })
  ).json()) as {
    seed: { spec: Record<string, unknown> };
  };
  // Retrain the demo model's seed under new ids: real training jobs on the worker pool, queued
  // back to back (one runs at a time) so training covers the whole load window.
  const jobIds: string[] = [];
  for (const randomSeed of [3, 4, 5, 6]) {
    const submit = await fetch(`${server.url}/v1/lookalike-models`, {
      method: 'POST',
      headers: { ...auth('data_scientist'), 'content-type': 'application/json' },
      body: JSON.stringify({ seed: model.seed.spec, universe: 'third_party', randomSeed }),
    });
    if (submit.status !== 202)
      throw new Error(`training job not accepted: ${submit.status} ${await submit.text()}`);
    jobIds.push(((await submit.json()) as { id: string }).id);
  }
  const jobState = async (id: string) => {
    const j = (await (
      await fetch(`${server.url}/v1/jobs/${id}`, { headers: auth('data_scientist') })
    ).json()) as {
      state: string;
      progress: { fraction: number; message: string };
    };
    return { id, state: j.state, progress: j.progress };
  };
  const states = () => Promise.all(jobIds.map(jobState));
  // Let the first job get going before the load starts.
  for (let i = 0; i < 50 && (await jobState(jobIds[0]!)).state === 'queued'; i++)
    await new Promise((r) => setTimeout(r, 100));
  const before = await states();

  const url = `${server.url}/v1/audiences/${demo.audienceId}`;
  const { stdout } = await promisify(execFile)(
    join(import.meta.dirname, '..', 'node_modules', '.bin', 'autocannon'),
    [
      '-j',
      '-c',
      String(connections),
      '-d',
      String(seconds),
      '-H',
      `Authorization=Bearer ${server.keys.marketer}`,
      url,
    ],
    { maxBuffer: 64 << 20 },
  );
  const after = await states();
  const r = JSON.parse(stdout) as {
    requests: { total: number; average: number };
    latency: { p50: number; p90: number; p99: number; max: number };
    errors: number;
    timeouts: number;
    non2xx: number;
  };
  const result = {
    date: new Date().toISOString(),
    route: 'GET /v1/audiences/{id}',
    members,
    connections,
    seconds,
    requests: r.requests.total,
    requestsPerSecond: r.requests.average,
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    trainingJobs: { before, after },
    // The figure only means something if training ran for the whole load window: a job was
    // running when the load started, and the queue had not run dry when it ended.
    trainingRanThroughout:
      before[0]!.state === 'running' && after.some((j) => j.state === 'running' || j.state === 'queued'),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (!smoke)
    writeFileSync(join(import.meta.dirname, 'results', 'load.json'), `${JSON.stringify(result, null, 2)}\n`);
  if (r.errors || r.timeouts || r.non2xx) process.exitCode = 1;
} finally {
  await server.close();
  rmSync(home, { recursive: true, force: true });
}
