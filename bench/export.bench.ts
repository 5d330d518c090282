/**
 * Audience activation at 1M IDs: pulls through the real routes (the pull routes both runtimes
 * serve, via `app.request`: auth, share and release lookup, reading chunk files, streaming) and
 * the release build, each against a peer on the same data in the same run. Peak RSS is measured
 * in a fresh child process per scenario, so one run's garbage does not count against the next.
 *
 * - full pulls (CSV, NDJSON, Arrow) of a third-party audience as it is, and of a keyed release,
 *   against a plain loop writing the same bytes into one Buffer (apache-arrow's one-shot
 *   `tableToIPC` for Arrow);
 * - a delta since revision 1 (50,000 adds and 50,000 removes in 1M), streamed from a merge of the
 *   two releases' sorted files, against the in-memory way: both revisions as JS Sets, set
 *   differences, sorted, written;
 * - building a keyed release (HMAC-SHA-256 of every ID, sorted, chunked) against node:crypto's
 *   createHmac per ID and a JS string sort.
 *
 *   npm run bench -- export               (1M IDs)
 *   npm run bench:smoke -- export         (5k IDs)
 *   EXPORT_BENCH_SCENARIOS=delta-csv,delta-arrow npm run bench -- export   (only those)
 */
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as arrow from 'apache-arrow';
import { createApiKey, MemoryAuditLog, MemoryKeyStore } from '../src/api/index.ts';
import { createWorkerApp } from '../src/api/worker-app.ts';
import { audienceRevisionPrefix, encodeMembers } from '../src/audience/members-file.ts';
import {
  buildRelease,
  destinationSecret,
  type MemberDirectory,
  putDestination,
  putShare,
} from '../src/export/index.ts';
import { MemoryArtifactStore } from '../src/store/artifacts.ts';
import { type BenchModule, type BenchRow, type BenchSize, comparePair } from './lib.ts';

type Format = 'csv' | 'ndjson' | 'arrow';
type Scenario = 'natural' | 'release' | 'delta' | 'build';

/** Deterministic DMP-like IDs: `tp_` and 16 hex digits (19 bytes). */
function makeIds(n: number, seed = 0x9e3779b9): string[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    const y = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) >>> 0;
    return `tp_${x.toString(16).padStart(8, '0')}${y.toString(16).padStart(8, '0')}`;
  });
}

/** Revision 1 and revision 2 (every 20th ID of revision 1 gone, as many new ones). */
function revisions(n: number): { one: string[]; two: string[] } {
  const one = makeIds(n);
  const fresh = makeIds(Math.ceil(n / 20), 0x1234567);
  const two = one.filter((_, i) => i % 20 !== 0).concat(fresh);
  return { one, two };
}

const scoresOf = (n: number) => Float32Array.from({ length: n }, (_, i) => 1 - i / (2 * n));
const ranksOf = (n: number) => Int32Array.from({ length: n }, (_, i) => i + 1);

const everyone: MemberDirectory = {
  consented: async (ids) => new Uint8Array(ids.length).fill(1),
  contacts: async (ids) => ids.map(() => null),
};

async function putRevision(store: MemoryArtifactStore, ids: string[], revision: number) {
  await store.publish(audienceRevisionPrefix('au_bench', revision), {
    'members.arrow': encodeMembers({ ids, scores: scoresOf(ids.length), ranks: ranksOf(ids.length) }),
    'manifest.json': JSON.stringify({
      kind: 'audience',
      version: 1,
      id: 'au_bench',
      revision,
      modelId: 'lm_bench',
      idKind: 'third_party',
      universe: 'third_party',
      size: ids.length,
      minSize: 100,
      snapshot: '0123456789abcdef',
      createdAt: '2026-04-01T00:00:00.000Z',
    }),
  });
}

/** A store holding both revisions, each released to "dsp-h" (keyed IDs), and the Worker app over it. */
async function activationApp(data: { one: string[]; two: string[] }) {
  const store = new MemoryArtifactStore();
  const { destination } = await putDestination(
    store,
    'dsp-h',
    { idForm: 'hmac_sha256', purposes: ['ad_targeting'] },
    null,
  );
  for (const [revision, ids] of [
    [1, data.one],
    [2, data.two],
  ] as const) {
    await putRevision(store, [...ids], revision);
    await buildRelease(store, everyone, { destination, audienceId: 'au_bench', minSize: 100, by: null });
  }
  await putShare(store, {
    destination: 'dsp-h',
    audienceId: 'au_bench',
    idForm: 'hmac_sha256',
    sharedBy: null,
    sharedAt: '',
  });
  const keys = new MemoryKeyStore();
  const platform = (await createApiKey(keys, { name: 'bench', role: 'ad_platform', destination: 'dsp-h' }))
    .key;
  const marketer = (await createApiKey(keys, { name: 'm', role: 'marketer' })).key;
  const app = createWorkerApp({ version: 'bench', keys, audit: new MemoryAuditLog(), artifacts: store });
  const secret = await destinationSecret(store, 'dsp-h', 1);
  return { app, store, platform, marketer, secret };
}
type Ctx = Awaited<ReturnType<typeof activationApp>>;

const pathOf = (scenario: Scenario, format: Format) =>
  `/v1/audiences/au_bench/export?format=${format}${scenario === 'delta' ? '&since=1' : ''}`;

/** Pulls through the route, reading the stream chunk by chunk. */
async function pull(ctx: Ctx, scenario: Scenario, format: Format, onChunk?: () => void): Promise<number> {
  const res = await ctx.app.request(pathOf(scenario, format), {
    headers: { authorization: `Bearer ${scenario === 'natural' ? ctx.marketer : ctx.platform}` },
  });
  if (res.status !== 200) throw new Error(`export answered ${res.status}: ${await res.text()}`);
  const reader = res.body!.getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
    onChunk?.();
  }
  return bytes;
}

const hmac = (secret: Uint8Array) => (id: string) => createHmac('sha256', secret).update(id).digest('hex');

/** Rows a peer writes: [id, score, rank, op?]; removed rows have no score or rank. */
type PeerRow = [string, number | null, number | null, string | null];

function writeRows(rows: readonly PeerRow[], format: Format, delta: boolean): Uint8Array {
  if (format === 'arrow') {
    const columns: Record<string, arrow.Vector> = {
      id: arrow.vectorFromArray(
        rows.map((r) => r[0]),
        new arrow.Utf8(),
      ),
      score: arrow.vectorFromArray(
        rows.map((r) => r[1]),
        new arrow.Float32(),
      ),
      rank: arrow.vectorFromArray(
        rows.map((r) => r[2]),
        new arrow.Int32(),
      ),
    };
    if (delta)
      columns.op = arrow.vectorFromArray(
        rows.map((r) => r[3]),
        new arrow.Utf8(),
      );
    return arrow.tableToIPC(new arrow.Table(columns), 'stream');
  }
  const buf = Buffer.allocUnsafe(rows.length * 110 + 64);
  let o = format === 'csv' ? buf.write(delta ? 'id,score,rank,op\n' : 'id,score,rank\n', 0, 'latin1') : 0;
  for (const [id, score, rank, op] of rows) {
    const line =
      format === 'csv'
        ? `${id},${score === null ? '' : score.toFixed(6)},${rank ?? ''}${op ? `,${op}` : ''}\n`
        : `{"id":${JSON.stringify(id)},"score":${score === null ? 'null' : Number(score.toFixed(6))},"rank":${rank ?? 'null'}${op ? `,"op":"${op}"` : ''}}\n`;
    o += buf.write(line, o, 'latin1');
  }
  return buf.subarray(0, o);
}

/** What the peers start from, computed before any timing: the rows of each pull, the keyed IDs. */
interface PeerInput {
  data: { one: string[]; two: string[] };
  secret: Uint8Array;
  natural: PeerRow[];
  /** The keyed release of revision 2, sorted by ID. */
  release: PeerRow[];
  /** Keyed IDs of both revisions, in rank order. */
  keyedOne: string[];
  keyedTwo: string[];
}

function peerInput(data: { one: string[]; two: string[] }, secret: Uint8Array): PeerInput {
  const f = Math.fround;
  const h = hmac(secret);
  const n = data.two.length;
  const keyedOne = data.one.map(h);
  const keyedTwo = data.two.map(h);
  const release: PeerRow[] = keyedTwo.map((id, i) => [id, f(1 - i / (2 * n)), i + 1, null]);
  release.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return {
    data,
    secret,
    // Revision 2 (the latest) as it is.
    natural: data.two.map((id, i) => [id, f(1 - i / (2 * n)), i + 1, null]),
    release,
    keyedOne,
    keyedTwo,
  };
}

/** The bytes a peer writes for a pull. A delta is the in-memory way: two Sets, differences sorted. */
function peerBytes(input: PeerInput, scenario: Scenario, format: Format): Uint8Array {
  if (scenario === 'natural') return writeRows(input.natural, format, false);
  if (scenario === 'release') return writeRows(input.release, format, false);
  const f = Math.fround;
  const n = input.keyedTwo.length;
  const before = new Set(input.keyedOne);
  const after = new Map(input.keyedTwo.map((id, i) => [id, i] as const));
  const rows: PeerRow[] = [];
  for (const [id, i] of after) if (!before.has(id)) rows.push([id, f(1 - i / (2 * n)), i + 1, 'add']);
  for (const id of before) if (!after.has(id)) rows.push([id, null, null, 'remove']);
  rows.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return writeRows(rows, format, true);
}

/** The peer of each scenario: a pull's bytes, or (build) node:crypto HMAC of every ID and a JS sort. */
function peer(input: PeerInput, scenario: Scenario, format: Format): number {
  if (scenario !== 'build') return peerBytes(input, scenario, format).length;
  const ids = input.data.two.map(hmac(input.secret));
  ids.sort();
  return ids.length;
}

/** Builds the keyed release of revision 2 again (into a fresh form: a new key version). */
async function rebuild(ctx: Ctx): Promise<number> {
  const { destination } = await putDestination(
    ctx.store,
    'dsp-h',
    { idForm: 'hmac_sha256', purposes: ['ad_targeting'], rotateKey: true },
    null,
  );
  const m = await buildRelease(ctx.store, everyone, {
    destination,
    audienceId: 'au_bench',
    minSize: 100,
    by: null,
  });
  return m.size;
}

/** Child-process mode: one scenario in a fresh process, reporting time, bytes and RSS. */
async function child(spec: { file: string; scenario: Scenario; format: Format; side: 'ours' | 'peer' }) {
  const data = JSON.parse(readFileSync(spec.file, 'utf8')) as { one: string[]; two: string[] };
  const ctx = await activationApp(data);
  const input = spec.side === 'peer' ? peerInput(data, ctx.secret) : null;
  globalThis.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const sample = () => {
    const r = process.memoryUsage().rss;
    if (r > peak) peak = r;
  };
  const t0 = performance.now();
  let out = 0;
  if (input) out = peer(input, spec.scenario, spec.format);
  else if (spec.scenario === 'build') out = await rebuild(ctx);
  else out = await pull(ctx, spec.scenario, spec.format, sample);
  const ms = performance.now() - t0;
  sample();
  process.stdout.write(`${JSON.stringify({ ms, bytes: out, baseRss: base, peakRss: peak })}\n`);
}

function runChild(spec: Parameters<typeof child>[0]) {
  const out = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, EXPORT_BENCH_CHILD: JSON.stringify(spec) },
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (out.status !== 0) throw new Error(`bench child failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').at(-1)!) as {
    ms: number;
    bytes: number;
    baseRss: number;
    peakRss: number;
  };
}

const MB = 1024 * 1024;

const DESCRIPTIONS: Record<Scenario, { what: string; ours: string; peer: string }> = {
  natural: {
    what: 'third-party IDs as they are, rank order',
    ours: 'GET /v1/audiences/{id}/export (marketer) via app.request, streamed from members.arrow',
    peer: 'plain loop writing the same bytes into one Buffer',
  },
  release: {
    what: 'keyed release (HMAC-SHA-256), ID order',
    ours: 'GET /v1/audiences/{id}/export (ad_platform) via app.request, streamed from the release chunks',
    peer: 'plain loop writing the same bytes (keyed IDs precomputed and sorted) into one Buffer',
  },
  delta: {
    what: 'delta since revision 1 (1/20 added, 1/20 removed)',
    ours: 'GET /v1/audiences/{id}/export?since=1 via app.request: merge of two releases’ sorted chunks, streamed',
    peer: 'in memory: both revisions’ keyed IDs (precomputed) as JS Sets, differences sorted and written',
  },
  build: {
    what: 'keyed release build',
    ours: 'buildRelease: pure-TS HMAC-SHA-256 per ID, radix-sorted, chunked Arrow files',
    peer: 'node:crypto createHmac per ID, JS string sort',
  },
};

async function run(size: BenchSize): Promise<BenchRow[]> {
  const n = size === 'smoke' ? 5_000 : 1_000_000;
  const data = revisions(n);
  const dir = mkdtempSync(join(tmpdir(), 'export-bench-'));
  const file = join(dir, 'revisions.json');
  writeFileSync(file, JSON.stringify(data));
  const rows: BenchRow[] = [];
  try {
    const ctx = await activationApp(data);
    const input = peerInput(data, ctx.secret);
    const scenarios: [Scenario, Format][] = [
      ['natural', 'csv'],
      ['natural', 'ndjson'],
      ['natural', 'arrow'],
      ['release', 'csv'],
      ['delta', 'csv'],
      ['delta', 'arrow'],
      ['build', 'csv'],
    ];
    const wanted = process.env.EXPORT_BENCH_SCENARIOS?.split(',').filter(Boolean);
    for (const [scenario, format] of scenarios) {
      if (wanted && !wanted.includes(`${scenario}-${format}`)) continue;
      // Same bytes as the peer (Arrow differs only in batch framing, so compare sizes there).
      if (format !== 'arrow' && scenario !== 'build') {
        const res = await ctx.app.request(pathOf(scenario, format), {
          headers: { authorization: `Bearer ${scenario === 'natural' ? ctx.marketer : ctx.platform}` },
        });
        const ours = Buffer.from(await res.arrayBuffer());
        const theirs = Buffer.from(peerBytes(input, scenario, format));
        if (Buffer.compare(ours, theirs) !== 0)
          throw new Error(`${scenario}/${format}: the export and the peer wrote different bytes`);
      }
      const timing = await comparePair(
        `export ${scenario} ${format}`,
        () => (scenario === 'build' ? rebuild(ctx) : pull(ctx, scenario, format)),
        () => peer(input, scenario, format),
        { rounds: size === 'smoke' ? 1 : 3, iterations: size === 'smoke' ? 2 : 3 },
      );
      const ours = runChild({ file, scenario, format, side: 'ours' });
      const them = runChild({ file, scenario, format, side: 'peer' });
      const d = DESCRIPTIONS[scenario];
      const extra: Record<string, number> = {
        'rows/s': (scenario === 'delta' ? n / 10 : n) / (timing.oursMs / 1000),
        'peak RSS MB': ours.peakRss / MB,
        'RSS growth MB': (ours.peakRss - ours.baseRss) / MB,
        'peer peak RSS MB': them.peakRss / MB,
        'peer RSS growth MB': (them.peakRss - them.baseRss) / MB,
      };
      if (scenario !== 'build') {
        extra['MB/s'] = ours.bytes / MB / (timing.oursMs / 1000);
        extra['peer MB/s'] = ours.bytes / MB / (timing.peerMs! / 1000);
      }
      rows.push({
        bench: 'export',
        scenario:
          `${n.toLocaleString('en-US')} IDs, ${d.what}, ${scenario === 'build' ? '' : format}${scenario === 'build' ? '' : ` (${(ours.bytes / MB).toFixed(1)} MB)`}`.replace(
            /, $/,
            '',
          ),
        ours: d.ours,
        oursMedianMs: timing.oursMs,
        peer:
          format === 'arrow' && scenario !== 'delta'
            ? 'apache-arrow: vectors from JS arrays, then tableToIPC in one shot'
            : d.peer,
        peerMedianMs: timing.peerMs,
        ratio: timing.ratio,
        extra,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (process.env.EXPORT_BENCH_CHILD) {
  await child(JSON.parse(process.env.EXPORT_BENCH_CHILD));
}

export default { name: 'export', run } satisfies BenchModule;
