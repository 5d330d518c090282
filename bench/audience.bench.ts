/**
 * The trade-off solver at universe scale: building the frontier from ranked logits, a 200-point
 * grid, exact points, and solving size, precision and budget targets; plus encoding an audience
 * as members.arrow. Synthetic ranked logits (a two-component mixture) stand in for a scored
 * universe, so the numbers isolate the audience layer.
 *
 *   npx tsx bench/audience.bench.ts                       (100k and 1M)
 *   AUDIENCE_BENCH_SIZES=1000000,10000000 npx tsx bench/audience.bench.ts
 */
import { Bench } from 'tinybench';
import { encodeMembers, Frontier, marginalPrecision, solveTarget } from '../src/audience/index.ts';
import { buildCalibration, Rng } from '../src/lookalike/index.ts';

const SIZES = (process.env.AUDIENCE_BENCH_SIZES ?? '100000,1000000').split(',').map(Number);

for (const n of SIZES) {
  const rng = new Rng(7);
  const z = Float32Array.from({ length: n }, () => (rng.float() < 0.1 ? 2.5 : -1) + rng.normal())
    .sort()
    .reverse();
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
  const ids = Array.from({ length: Math.min(n, 1_000_000) }, (_, i) => `tp_${String(i).padStart(9, '0')}`);
  const scores = Float32Array.from(ids, (_, i) => 1 / (1 + Math.exp(-z[i]!)));
  const ranks = Int32Array.from(ids, (_, i) => i + 1);
  const bench = new Bench({ name: `audience ${n}`, time: 500, iterations: 3, throws: true });
  bench
    .add('frontier build', () => {
      new Frontier(z, calibration);
    })
    .add('grid (200 points)', () => {
      frontier.grid(200);
    })
    .add('at(size) x 1000', () => {
      for (let k = 1; k <= 1000; k++) frontier.at(Math.ceil((k * n) / 1000));
    })
    .add('solve precision', () => {
      solveTarget(frontier, { kind: 'precision', minPrecision: 0.8 });
    })
    .add('solve budget', () => {
      solveTarget(frontier, {
        kind: 'budget',
        costPerPerson: 10,
        valuePerConversion: 200,
        conversionRate: 0.1,
      });
    })
    .add('marginal precision by rank', () => {
      marginalPrecision(frontier);
    })
    .add(`members.arrow (${ids.length} rows)`, () => {
      encodeMembers({ ids, scores, ranks });
    });
  await bench.run();
  console.log(`${bench.name}: universe ${n}`);
  console.table(bench.table());
}
