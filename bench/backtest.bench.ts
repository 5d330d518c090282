/**
 * The members-universe logistic candidate: the exact fit (Newton over the penalty grid in each of
 * five cross-validation folds, the model the mean of the fold models, `crossFitIrls`) against the
 * TensorFlow.js logistic it replaced for member models (10 epochs of Adam, `trainNetwork`), on
 * the same synthetic seed-vs-universe rows shaped like a members universe with item signals (20
 * dense columns, 300 sparse item columns). Quality is the AUC of each fit on held-out rows with
 * the planted labels.
 *
 *   npx tsx bench/backtest.bench.ts [smoke|full]
 * Also runs under bench/run.ts as the `backtest` bench.
 */
import { auc } from '../src/lookalike/index.ts';
import { concatNetworkData, crossFitIrls, IRLS_FOLDS } from '../src/lookalike/irls-train.ts';
import { Rng } from '../src/lookalike/rng.ts';
import type { NetworkData } from '../src/lookalike/tf-train.ts';
import { trainNetwork } from '../src/lookalike/tf-train.ts';
import { type BenchModule, type BenchRow, type BenchSize, comparePair, median, runIfMain } from './lib.ts';

const PLANS: Record<BenchSize, { n: number; rounds: number }> = {
  smoke: { n: 3_000, rounds: 1 },
  full: { n: 20_000, rounds: 3 },
};
const DENSE = 20;
const ITEMS = 300;

/** Rows with a planted logistic truth: a few dense columns and a few dozen items carry the signal. */
function rows(n: number, seed: number): NetworkData {
  const rng = new Rng(seed, 5);
  const d = DENSE + ITEMS;
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let z = -2;
    for (let j = 0; j < DENSE; j++) {
      const v = rng.normal();
      x[i * d + j] = v;
      if (j < 4) z += 0.4 * v;
    }
    for (let j = 0; j < ITEMS; j++) {
      // Item popularity falls off like a real catalogue's.
      if (rng.float() < 0.3 / (1 + j / 20)) {
        const v = Math.log1p(1 + rng.int(3)) * (1 + Math.log(1 + j / 10));
        x[i * d + DENSE + j] = v;
        if (j % 7 === 0) z += 0.6;
      }
    }
    y[i] = rng.float() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { x, y, w: new Float32Array(n).fill(1), n, d };
}

function heldOutAuc(layers: { weights: Float32Array; bias: Float32Array }[], test: NetworkData): number {
  const { weights, bias } = layers[0]!;
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < test.n; i++) {
    let z = bias[0]!;
    for (let j = 0; j < test.d; j++) z += weights[j]! * test.x[i * test.d + j]!;
    (test.y[i]! > 0.5 ? pos : neg).push(z);
  }
  return auc(pos, neg);
}

const bench: BenchModule = {
  name: 'backtest',
  async run(size: BenchSize): Promise<BenchRow[]> {
    const plan = PLANS[size];
    const train = rows(plan.n, 1);
    const validation = rows(Math.round(plan.n * 0.2), 2);
    const test = rows(plan.n, 3);
    const all = concatNetworkData([train, validation]);
    const folds = Uint8Array.from({ length: all.n }, (_, i) => i % IRLS_FOLDS);
    const oursAuc: number[] = [];
    const peerAuc: number[] = [];
    const r = await comparePair(
      `members logistic ${plan.n} x ${train.d}`,
      () => {
        const fit = crossFitIrls(all, folds);
        oursAuc.push(heldOutAuc(fit.layers, test));
      },
      async () => {
        const net = await trainNetwork(train, validation, {
          hidden: [],
          epochs: 10,
          batchSize: 512,
          learningRate: 0.02,
          l2: 1e-5,
          seed: 1,
          backend: 'wasm',
        });
        peerAuc.push(heldOutAuc(net.layers, test));
      },
      { rounds: plan.rounds, iterations: 1, warmup: false },
    );
    return [
      {
        bench: 'backtest',
        scenario: `members logistic fit, ${plan.n} rows x ${train.d} columns`,
        ours: 'crossFitIrls (Newton, 5 folds x 5 penalties, mean of the fold models)',
        oursMedianMs: r.oursMs,
        peer: 'TF.js logistic, 10 epochs Adam (wasm)',
        peerMedianMs: r.peerMs,
        ratio: r.ratio,
        extra: {
          'held-out AUC ours (median)': median(oursAuc),
          'held-out AUC TF.js (median)': median(peerAuc),
        },
      },
    ];
  },
};

export default bench;

await runIfMain(bench, import.meta.url);
