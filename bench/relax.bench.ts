/**
 * The audience a relaxation choice gives: the top `target` people by score among those whose
 * condition signature the choice keeps, and their mean per-rank precision. Ours tables which
 * signatures the choice keeps, then scans the signatures in rank order (arranged once per
 * relaxation, outside the timing, as `relaxConditions` does) and stops when the target is filled;
 * the peer is the plain way (decode every signature, filter the kept rows with Array.filter,
 * sort them by rank, take the top). Synthetic signatures
 * over four conditions (ladders of 3, 2, 2 and 2 rungs) stand in for a scored universe.
 *
 *   npx tsx bench/relax.bench.ts [smoke|full]     (smoke: 100k; full: 1M)
 * Also runs under bench/run.ts as the `relax` bench.
 */
import { topAudience } from '../src/audience/relax.ts';
import { Rng } from '../src/lookalike/index.ts';
import { type BenchModule, type BenchRow, type BenchSize, comparePair, runIfMain } from './lib.ts';

const PLANS: Record<BenchSize, { sizes: number[]; rounds: number; iterations: number }> = {
  smoke: { sizes: [100_000], rounds: 1, iterations: 2 },
  full: { sizes: [1_000_000], rounds: 3, iterations: 3 },
};
const RADIX = [3, 2, 2, 2];
const fmt = (n: number) => n.toLocaleString('en-US');

function peer(
  sigs: Float64Array,
  order: Uint32Array,
  byRank: Float64Array,
  rungs: readonly number[],
  target: number,
): { size: number; expectedPrecision: number } {
  const rankOf = new Uint32Array(order.length);
  for (let k = 0; k < order.length; k++) rankOf[order[k]!] = k;
  const kept = Array.from(sigs.keys()).filter((r) => {
    let code = sigs[r]!;
    return RADIX.every((radix, j) => {
      const ok = code % radix <= rungs[j]!;
      code = Math.floor(code / radix);
      return ok;
    });
  });
  kept.sort((a, b) => rankOf[a]! - rankOf[b]!);
  const top = kept.slice(0, target);
  const mass = top.reduce((m, r) => m + byRank[rankOf[r]!]!, 0);
  return { size: top.length, expectedPrecision: top.length ? mass / top.length : 0 };
}

async function sizeRows(n: number, rounds: number, iterations: number): Promise<BenchRow[]> {
  const rng = new Rng(11);
  const sigs = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let code = 0;
    let m = 1;
    for (const radix of RADIX) {
      code += Math.min(radix - 1, Math.floor(rng.float() * radix * 1.3)) * m;
      m *= radix;
    }
    sigs[r] = code;
  }
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const byRank = Float64Array.from({ length: n }, (_, k) => 0.9 * Math.exp(-k / (n / 4)));
  const target = Math.min(10_000, Math.floor(n / 10));
  const sigByRank = Float64Array.from(order, (r) => sigs[r]!);
  const rows: BenchRow[] = [];
  for (const [name, rungs] of [
    ['loose choice (most rows kept)', [2, 1, 1, 0]],
    ['strict choice (few rows kept)', [0, 0, 0, 0]],
  ] as const) {
    const a = topAudience(sigByRank, byRank, RADIX, rungs, target);
    const b = peer(sigs, order, byRank, rungs, target);
    if (a.size !== b.size || Math.abs(a.expectedPrecision - b.expectedPrecision) > 1e-9)
      throw new Error(`relax bench: ours ${JSON.stringify(a)} differs from the peer ${JSON.stringify(b)}`);
    const r = await comparePair(
      name,
      () => topAudience(sigByRank, byRank, RADIX, rungs, target),
      () => peer(sigs, order, byRank, rungs, target),
      { rounds, iterations },
    );
    rows.push({
      bench: 'relax',
      scenario: `top ${fmt(target)} of a ${name}: ${fmt(n)}-profile universe`,
      ours: 'topAudience (tabled signatures, one early-stopping scan)',
      oursMedianMs: r.oursMs,
      peer: 'decode, Array.filter, sort, slice',
      peerMedianMs: r.peerMs,
      ratio: r.ratio,
      note: `same size and precision (${a.size} people, ${a.expectedPrecision.toFixed(4)})`,
    });
  }
  return rows;
}

const bench: BenchModule = {
  name: 'relax',
  async run(size) {
    const plan = PLANS[size];
    const rows: BenchRow[] = [];
    for (const n of plan.sizes) rows.push(...(await sizeRows(n, plan.rounds, plan.iterations)));
    return rows;
  },
};

export default bench;
await runIfMain(bench, import.meta.url);
