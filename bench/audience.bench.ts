/**
 * The trade-off solver at universe scale: building the frontier from ranked logits, a 200-point
 * grid, exact points, solving size, precision and budget targets, marginal precision; and
 * encoding an audience as members.arrow. Synthetic ranked logits (a two-component mixture) stand
 * in for a scored universe, so the numbers isolate the audience layer (bench lookalike times
 * scoring and ranking). The frontier and the solver have no library peer: each row says so and
 * gives a throughput; members.arrow is compared with flechette (the Arrow library arquero uses)
 * encoding the same three columns.
 *
 *   npx tsx bench/audience.bench.ts [smoke|full]     (smoke: 100k; full: 1M and 10M)
 * Also runs under bench/run.ts as the `audience` bench.
 */
import { tableFromArrays, tableToIPC } from '@uwdata/flechette';
import { encodeMembers, Frontier, marginalPrecision, solveTarget } from '../src/audience/index.ts';
import { buildCalibration, Rng } from '../src/lookalike/index.ts';
import { type BenchModule, type BenchRow, type BenchSize, comparePair, runIfMain } from './lib.ts';

const PLANS: Record<BenchSize, { sizes: number[]; rounds: number; iterations: number }> = {
  smoke: { sizes: [100_000], rounds: 1, iterations: 2 },
  full: { sizes: [1_000_000, 10_000_000], rounds: 3, iterations: 5 },
};
const MAX_IDS = 1_000_000;

const fmt = (n: number) => n.toLocaleString('en-US');

async function sizeRows(n: number, rounds: number, iterations: number): Promise<BenchRow[]> {
  const rng = new Rng(7);
  const z = new Float32Array(n);
  for (let i = 0; i < n; i++) z[i] = (rng.float() < 0.1 ? 2.5 : -1) + rng.normal();
  z.sort().reverse();
  const calibration = buildCalibration({
    heldOut: Float32Array.from({ length: 800 }, () => 2.5 + rng.normal()),
    heldOutWeights: new Float32Array(800).fill(1),
    unlabelled: z.slice(0, 6000),
    replicates: 300,
    seed: 1,
    confidence: 0.95,
    delta: 0.1,
  });
  const frontier = new Frontier(z, calibration);
  const opts = { rounds, iterations };
  const noPeer = 'no peer: no library computes a calibrated size/precision frontier';
  const rows: BenchRow[] = [];
  const add = async (
    scenario: string,
    ours: string,
    f: () => unknown,
    extra: (ms: number) => Record<string, number>,
    note = noPeer,
  ) => {
    const r = await comparePair(scenario, f, null, opts);
    rows.push({
      bench: 'audience',
      scenario: `${scenario}: ${fmt(n)}-profile universe`,
      ours,
      oursMedianMs: r.oursMs,
      peer: null,
      peerMedianMs: null,
      ratio: null,
      note,
      extra: extra(r.oursMs),
    });
  };
  const perSec = (label: string, count: number) => (ms: number) => ({ [label]: count / (ms / 1000) });
  await add(
    'frontier build',
    'new Frontier(sorted logits, calibration): bootstrap share, held-out steps, envelopes',
    () => new Frontier(z, calibration),
    perSec('ranks/s', n),
  );
  await add('grid (200 points)', 'frontier.grid(200)', () => frontier.grid(200), perSec('points/s', 200));
  await add(
    'at(size) x 1000',
    'frontier.at at 1000 sizes',
    () => {
      for (let k = 1; k <= 1000; k++) frontier.at(Math.ceil((k * n) / 1000));
    },
    perSec('points/s', 1000),
  );
  await add(
    'solve min precision 0.8',
    'solveTarget precision (search over the frontier)',
    () => solveTarget(frontier, { kind: 'precision', minPrecision: 0.8 }),
    perSec('solves/s', 1),
  );
  await add(
    'solve budget',
    'solveTarget budget (value - cost over the frontier)',
    () =>
      solveTarget(frontier, {
        kind: 'budget',
        costPerPerson: 10,
        valuePerConversion: 200,
        conversionRate: 0.1,
      }),
    perSec('solves/s', 1),
  );
  await add(
    'marginal precision by rank',
    'marginalPrecision(frontier)',
    () => marginalPrecision(frontier),
    perSec('calls/s', 1),
  );

  if (n <= MAX_IDS) {
    const ids = Array.from({ length: n }, (_, i) => `tp_${String(i).padStart(9, '0')}`);
    const scores = Float32Array.from(ids, (_, i) => 1 / (1 + Math.exp(-z[i]!)));
    const ranks = Int32Array.from(ids, (_, i) => i + 1);
    const r = await comparePair(
      'members.arrow',
      () => encodeMembers({ ids, scores, ranks }),
      () => tableToIPC(tableFromArrays({ id: ids, score: scores, rank: ranks }), { format: 'file' }),
      opts,
    );
    rows.push({
      bench: 'audience',
      scenario: `members.arrow: ${fmt(n)} ranked IDs (id, score, rank)`,
      ours: 'encodeMembers (apache-arrow, UTF-8 column built by hand)',
      oursMedianMs: r.oursMs,
      peer: 'flechette tableFromArrays + tableToIPC (file), same columns',
      peerMedianMs: r.peerMs,
      ratio: r.ratio,
      extra: { 'rows/s': n / (r.oursMs / 1000) },
    });
  }
  return rows;
}

const bench: BenchModule = {
  name: 'audience',
  async run(size) {
    const plan = PLANS[size];
    const rows: BenchRow[] = [];
    for (const n of plan.sizes) rows.push(...(await sizeRows(n, plan.rounds, plan.iterations)));
    return rows;
  },
};

export default bench;

await runIfMain(bench, import.meta.url);
