/**
 * Audience export throughput and memory: a 1M-ID audience pulled through the real route
 * (`GET /v1/audiences/{id}/export` via `app.request`: auth, share lookup, reading members.arrow
 * from the artifact store, streaming the body) against a peer that writes the same bytes with a
 * plain loop into one Buffer (CSV, NDJSON; `node:crypto` hashes for sha256) or apache-arrow's
 * one-shot `tableToIPC` (Arrow). Peak RSS is measured in a fresh child process per scenario,
 * so one run's garbage does not count against the next.
 *
 *   npm run bench -- export               (1M IDs)
 *   npm run bench:smoke -- export         (5k IDs)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as arrow from 'apache-arrow';
import { createApiKey, createApp, MemoryAuditLog, MemoryKeyStore } from '../src/api/index.ts';
import { audienceRevisionPrefix, encodeMembers } from '../src/audience/members-file.ts';
import { MemoryArtifactStore } from '../src/store/artifacts.ts';
import { type BenchModule, type BenchRow, type BenchSize, comparePair } from './lib.ts';

type Format = 'csv' | 'ndjson' | 'arrow';
type IdType = 'tp_id' | 'sha256';

/** Deterministic DMP-like IDs: `tp_` and 16 hex digits (19 bytes). */
function makeIds(n: number): string[] {
  let x = 0x9e3779b9;
  return Array.from({ length: n }, () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    const y = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) >>> 0;
    return `tp_${x.toString(16).padStart(8, '0')}${y.toString(16).padStart(8, '0')}`;
  });
}

function membersFile(n: number): {
  bytes: Uint8Array;
  ids: string[];
  scores: Float32Array;
  ranks: Int32Array;
} {
  const ids = makeIds(n);
  const scores = Float32Array.from({ length: n }, (_, i) => 1 - i / (2 * n));
  const ranks = Int32Array.from({ length: n }, (_, i) => i + 1);
  return { bytes: encodeMembers({ ids, scores, ranks }), ids, scores, ranks };
}

/** An app over memory stores holding one audience shared with "dsp-a" as `idType`. */
async function exportApp(bytes: Uint8Array, n: number, idType: IdType) {
  const artifacts = new MemoryArtifactStore();
  await artifacts.publish(audienceRevisionPrefix('au_bench', 1), {
    'manifest.json': JSON.stringify({
      kind: 'audience',
      version: 1,
      id: 'au_bench',
      revision: 1,
      idKind: 'third_party',
      universe: 'third_party',
      size: n,
      minSize: 100,
      snapshot: '0123456789abcdef',
      createdAt: '2026-04-01T00:00:00.000Z',
    }),
    'members.arrow': bytes,
  });
  await artifacts.put(
    'shares/dsp-a/au_bench.json',
    JSON.stringify({ destination: 'dsp-a', audienceId: 'au_bench', idType, sharedBy: null, sharedAt: '' }),
  );
  const keys = new MemoryKeyStore();
  const { key } = await createApiKey(keys, { name: 'bench', role: 'ad_platform', destination: 'dsp-a' });
  const app = createApp({ version: 'bench', keys, audit: new MemoryAuditLog(), artifacts });
  return { app, key };
}

/** Pulls the whole audience through the route, reading the stream chunk by chunk. */
async function pull(
  ctx: Awaited<ReturnType<typeof exportApp>>,
  format: Format,
  onChunk?: () => void,
): Promise<{ bytes: number; body?: Uint8Array[] }> {
  const res = await ctx.app.request(`/v1/audiences/au_bench/export?format=${format}`, {
    headers: { authorization: `Bearer ${ctx.key}` },
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
  return { bytes };
}

const sha = (id: string) => createHash('sha256').update(id.trim().toLowerCase()).digest('hex');

/** The peer: the same bytes, written by a plain loop into one Buffer (or apache-arrow in one shot). */
function peer(
  data: { ids: string[]; scores: Float32Array; ranks: Int32Array },
  format: Format,
  idType: IdType,
): Uint8Array {
  const { ids, scores, ranks } = data;
  const n = ids.length;
  const id = idType === 'sha256' ? sha : (v: string) => v;
  if (format === 'arrow') {
    const table = new arrow.Table({
      id: arrow.vectorFromArray(ids.map(id), new arrow.Utf8()),
      score: arrow.makeVector(scores),
      rank: arrow.makeVector(ranks),
    });
    return arrow.tableToIPC(table, 'stream');
  }
  const buf = Buffer.allocUnsafe(n * (idType === 'sha256' ? 110 : 70) + 64);
  let o = format === 'csv' ? buf.write('id,score,rank\n', 0, 'latin1') : 0;
  for (let i = 0; i < n; i++) {
    const line =
      format === 'csv'
        ? `${id(ids[i]!)},${scores[i]!.toFixed(6)},${ranks[i]}\n`
        : `{"id":${JSON.stringify(id(ids[i]!))},"score":${Number(scores[i]!.toFixed(6))},"rank":${ranks[i]}}\n`;
    o += buf.write(line, o, 'latin1');
  }
  return buf.subarray(0, o);
}

/** Child-process mode: one scenario in a fresh process, reporting time, bytes and RSS. */
async function child(spec: {
  file: string;
  n: number;
  format: Format;
  idType: IdType;
  side: 'ours' | 'peer';
}) {
  const bytes = new Uint8Array(readFileSync(spec.file));
  const ctx = await exportApp(bytes, spec.n, spec.idType);
  const data =
    spec.side === 'peer'
      ? (() => {
          const t = arrow.tableFromIPC(bytes);
          return {
            ids: [...t.getChild('id')!] as string[],
            scores: Float32Array.from(t.getChild('score')!),
            ranks: Int32Array.from(t.getChild('rank')!),
          };
        })()
      : null;
  const base = process.memoryUsage().rss;
  let peak = base;
  const sample = () => {
    const r = process.memoryUsage().rss;
    if (r > peak) peak = r;
  };
  const t0 = performance.now();
  let out = 0;
  if (spec.side === 'ours') out = (await pull(ctx, spec.format, sample)).bytes;
  else {
    out = peer(data!, spec.format, spec.idType).length;
    sample();
  }
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

async function run(size: BenchSize): Promise<BenchRow[]> {
  const n = size === 'smoke' ? 5_000 : 1_000_000;
  const data = membersFile(n);
  const dir = mkdtempSync(join(tmpdir(), 'export-bench-'));
  const file = join(dir, 'members.arrow');
  writeFileSync(file, data.bytes);
  const rows: BenchRow[] = [];
  try {
    const scenarios: [Format, IdType][] = [
      ['csv', 'tp_id'],
      ['ndjson', 'tp_id'],
      ['arrow', 'tp_id'],
      ['csv', 'sha256'],
    ];
    for (const [format, idType] of scenarios) {
      const ctx = await exportApp(data.bytes, n, idType);
      // Same bytes as the peer (Arrow differs only in batch framing, so compare sizes there).
      const peerBytes = peer(data, format, idType);
      if (format !== 'arrow') {
        const res = await ctx.app.request(`/v1/audiences/au_bench/export?format=${format}`, {
          headers: { authorization: `Bearer ${ctx.key}` },
        });
        const ours = new Uint8Array(await res.arrayBuffer());
        if (Buffer.compare(Buffer.from(ours), Buffer.from(peerBytes)) !== 0) {
          throw new Error(`${format}/${idType}: the export and the peer wrote different bytes`);
        }
      }
      const timing = await comparePair(
        `export ${format} ${idType}`,
        () => pull(ctx, format),
        () => peer(data, format, idType),
        { rounds: size === 'smoke' ? 1 : 3, iterations: size === 'smoke' ? 2 : 3 },
      );
      const ours = runChild({ file, n, format, idType, side: 'ours' });
      const them = runChild({ file, n, format, idType, side: 'peer' });
      rows.push({
        bench: 'export',
        scenario: `${n.toLocaleString('en-US')} IDs, ${format}, ${idType === 'sha256' ? 'SHA-256 IDs' : 'IDs as they are'} (${(ours.bytes / MB).toFixed(1)} MB)`,
        ours: 'GET /v1/audiences/{id}/export via app.request, streamed',
        oursMedianMs: timing.oursMs,
        peer:
          format === 'arrow'
            ? 'apache-arrow: vectors from the decoded JS arrays, then tableToIPC in one shot'
            : `plain loop writing the same bytes into one Buffer${idType === 'sha256' ? ' (node:crypto SHA-256)' : ''}`,
        peerMedianMs: timing.peerMs,
        ratio: timing.ratio,
        extra: {
          'MB/s': ours.bytes / MB / (timing.oursMs / 1000),
          'peer MB/s': ours.bytes / MB / (timing.peerMs! / 1000),
          'rows/s': n / (timing.oursMs / 1000),
          'peak RSS MB': ours.peakRss / MB,
          'RSS growth MB': (ours.peakRss - ours.baseRss) / MB,
          // The store hands the route its own copy of members.arrow; the rest is streaming.
          'members.arrow MB': data.bytes.length / MB,
          'peer peak RSS MB': them.peakRss / MB,
          'peer RSS growth MB': (them.peakRss - them.baseRss) / MB,
        },
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
