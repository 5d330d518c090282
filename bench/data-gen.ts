/**
 * Bench data, generated at fixed seeds and cached under the OS temp folder so that a second run
 * reuses it:
 *  - a sample workspace (members, products, transactions imported) for the member-features bench:
 *    90,000 members x 12 months is about 10M transaction lines;
 *  - a synthetic member-feature matrix for the segmentation bench: rows drawn from ten personas,
 *    each with its own mean and spread per feature, like the standardised features k-means sees.
 */
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importTable, importTablesDirectory } from '../src/ingest/index.ts';
import { generateSampleWorkspace } from '../src/sample/index.ts';
import type { Matrix } from '../src/segment/index.ts';
import { Workspace } from '../src/store/index.ts';

export const BENCH_CACHE = join(tmpdir(), 'lookalike-bench-cache');

const envInt = (name: string): number | undefined => {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number, got "${v}"`);
  return n;
};

/** Reads a size override from the environment (benches only; never the domain layers). */
export const sizeFromEnv = (name: string, fallback: number): number => envInt(name) ?? fallback;

/**
 * A workspace with the sample generator's members, products and transactions, opened. Built once
 * per (members, months, seed) and reused; the caller closes it.
 */
export async function featuresWorkspace(
  members: number,
  months: number,
  seed = 7,
): Promise<{ ws: Workspace; lines: number }> {
  const dir = join(BENCH_CACHE, `features-${members}-${months}-${seed}`);
  const ready = join(dir, 'ready');
  if (!existsSync(ready)) {
    const sample = join(dir, 'sample');
    if (!existsSync(join(sample, 'manifest.json'))) {
      await generateSampleWorkspace({ outDir: sample, members, universe: members, months, seed });
    }
    const ws = await Workspace.open(join(dir, 'ws'));
    for (const table of ['products', 'members', 'transactions'] as const) {
      await importTable(ws, {
        table,
        source: { kind: 'file', path: join(sample, 'tables', `${table}.csv`) },
        mode: 'replace',
      });
    }
    ws.close();
    writeFileSync(ready, new Date().toISOString());
  }
  const ws = await Workspace.open(join(dir, 'ws'));
  const [row] = await ws.db.rows<{ n: number }>('SELECT count(*) AS n FROM transactions');
  return { ws, lines: row!.n };
}

/** A seeded xorshift generator with a Box-Muller normal. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  let spare: number | null = null;
  const normal = () => {
    if (spare !== null) {
      const v = spare;
      spare = null;
      return v;
    }
    const u = Math.max(next(), 1e-12);
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return { next, normal };
}

/** Persona shares of the sample generator's members. */
const PERSONA_SHARES = [0.18, 0.14, 0.12, 0.08, 0.1, 0.11, 0.04, 0.09, 0.08, 0.06];

/**
 * `rows` x `cols` features from ten personas: each persona has a mean per feature (N(0, 1.2))
 * and members scatter around it (sd 0.6-1.2 per persona and feature), so clusters overlap the
 * way standardised purchase features do.
 */
export function personaMatrix(rows: number, cols: number, seed = 11): Matrix & { persona: Uint8Array } {
  const r = rng(seed);
  const k = PERSONA_SHARES.length;
  const means = Array.from({ length: k }, () => Array.from({ length: cols }, () => r.normal() * 1.2));
  const sds = Array.from({ length: k }, () => Array.from({ length: cols }, () => 0.6 + 0.6 * r.next()));
  const cumulative = PERSONA_SHARES.map(
    (_, i) =>
      PERSONA_SHARES.slice(0, i + 1).reduce((a, b) => a + b, 0) / PERSONA_SHARES.reduce((a, b) => a + b, 0),
  );
  const values = new Float64Array(rows * cols);
  const persona = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const u = r.next();
    let p = 0;
    while (p < k - 1 && u > cumulative[p]!) p++;
    persona[i] = p;
    const mu = means[p]!;
    const sd = sds[p]!;
    for (let d = 0; d < cols; d++) values[i * cols + d] = mu[d]! + sd[d]! * r.normal();
  }
  return { values, rows, cols, persona };
}

/** Writes a matrix as raw little-endian float64 (numpy.fromfile reads it), once per path. */
export function writeMatrix(m: Matrix, path: string): string {
  if (!existsSync(path))
    writeFileSync(path, new Uint8Array(m.values.buffer, m.values.byteOffset, m.values.byteLength));
  return path;
}

/**
 * A sample workspace with a third-party universe of `universe` profiles (members = universe / 10,
 * two months of purchases), every table imported. Built once per (universe, seed) under the cache
 * and copied to `into` for each run, because the lookalike bench replicates the third-party tables
 * in place and trains models into it.
 */
export async function lookalikeWorkspace(universe: number, into: string, seed = 3): Promise<Workspace> {
  const dir = join(BENCH_CACHE, `lookalike-${universe}-${seed}`);
  const ready = join(dir, 'ready');
  if (!existsSync(ready)) {
    const sample = join(dir, 'sample');
    if (!existsSync(join(sample, 'manifest.json'))) {
      await generateSampleWorkspace({ outDir: sample, members: universe / 10, universe, months: 2, seed });
    }
    const ws = await Workspace.open(join(dir, 'ws'));
    await importTablesDirectory(ws, join(sample, 'tables'), { mode: 'replace' });
    ws.close();
    writeFileSync(ready, new Date().toISOString());
  }
  cpSync(join(dir, 'ws'), into, { recursive: true });
  return Workspace.open(into);
}

/**
 * Replaces the third-party tables with `reps` copies of the base ones under new IDs (copy 0
 * keeps its IDs and links), so one trained model scores a universe of any size.
 */
export async function replicateThirdParty(ws: Workspace, reps: number): Promise<void> {
  for (const t of ['tp_profiles', 'tp_interests', 'tp_searches']) {
    await ws.db.run(`CREATE TABLE IF NOT EXISTS base_${t} AS SELECT * FROM ${t}`);
    await ws.db.run(
      `CREATE OR REPLACE TABLE ${t} AS SELECT b.* REPLACE (CASE WHEN r.k = 0 THEN b.tp_id ELSE b.tp_id || 'r' || r.k::VARCHAR END AS tp_id)
       FROM base_${t} b, range(${reps}) r(k)`,
    );
  }
}
