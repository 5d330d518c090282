/**
 * The logistic candidate of a members-universe model, fitted exactly: L2 logistic regression by
 * Newton's method for each penalty on a small grid, keeping the penalty with the best
 * cross-validated AUC. Member universes are a few thousand to a few hundred thousand customers with a few hundred
 * columns (item signals), where a converged, properly penalised fit beats a few epochs of
 * stochastic gradient descent: measured on Online Retail, the SGD fit with 300 item columns ranked
 * future buyers at AUC ~0.55, below a plain scikit-learn-style logistic regression (see
 * docs/backtests.md). Pure TypeScript; returns the same shape as the TF.js trainer.
 */
import { fitLogistic, logisticScores } from './baseline.ts';
import { auc } from './metrics.ts';
import type { NetworkData, TrainedNetwork } from './tf-train.ts';

/** Inverse penalties tried, strongest first (scikit-learn's C over the weighted training rows). */
export const IRLS_C_GRID: readonly number[] = [0.01, 0.03, 0.1, 0.3, 1];

function validationAuc(scores: Float64Array, y: Float32Array): number {
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < scores.length; i++) (y[i]! > 0.5 ? pos : neg).push(scores[i]!);
  return auc(pos, neg);
}

/** Weighted mean log-loss of logits `z` on `data`'s labels. */
function meanLogLoss(z: Float64Array, data: NetworkData): number {
  let loss = 0;
  let wsum = 0;
  for (let i = 0; i < data.n; i++) {
    const m = data.y[i]! > 0.5 ? z[i]! : -z[i]!;
    loss += data.w[i]! * (m > 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m)));
    wsum += data.w[i]!;
  }
  return loss / wsum;
}

/** Row-wise concatenation of data sets with the same columns (one copy of each part). */
export function concatNetworkData(parts: readonly NetworkData[]): NetworkData {
  const n = parts.reduce((s, p) => s + p.n, 0);
  const d = parts[0]!.d;
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  const w = new Float32Array(n);
  let o = 0;
  for (const p of parts) {
    x.set(p.x, o * d);
    y.set(p.y, o);
    w.set(p.w, o);
    o += p.n;
  }
  return { x, y, w, n, d };
}

/**
 * Penalty multiplier of a member model's behavioural columns (RFM, weekday and time-of-day
 * shares, category shares) over its item columns. These few dense, standardised columns are
 * shrunk harder than the sparse product indicators: on Online Retail (16 cases) our lift@10% over
 * the logistic baseline went from 1.082 to 1.087, the worst case from 0.77 to 0.86 and the
 * frontier's calibration hits from 39/64 to 46/64; on eight held-out cases lift 0.957 to 0.962,
 * AUC 0.719 to 0.737, calibration 17/32 to 28/32. Penalising them 100x less lost (1.045; held
 * out 0.862; docs/backtests.md).
 */
export const DENSE_PENALTY = 10;

/** Per-column penalty multipliers: 1 for item columns, `DENSE_PENALTY` for the rest. */
export function memberPenaltyScale(names: readonly string[], itemPrefix: string): Float64Array {
  return Float64Array.from(names, (n) => (n.startsWith(itemPrefix) ? 1 : DENSE_PENALTY));
}

/** Folds of a cross-fitted penalty choice. */
export const IRLS_FOLDS = 5;
/** Fold id of rows that train every fold's model and are never held out (explicit negatives). */
export const ALWAYS_TRAIN = 255;

/** Rows `rows` of `data` as their own data set (one copy). */
function subset(data: NetworkData, rows: readonly number[]): NetworkData {
  const { d } = data;
  const x = new Float32Array(rows.length * d);
  rows.forEach((r, k) => {
    x.set(data.x.subarray(r * d, (r + 1) * d), k * d);
  });
  return {
    x,
    y: Float32Array.from(rows, (r) => data.y[r]!),
    w: Float32Array.from(rows, (r) => data.w[r]!),
    n: rows.length,
    d,
  };
}

export interface CrossFitted extends TrainedNetwork {
  c: number;
  /**
   * Each held-out row's logit under the chosen penalty from the fold model that did not see it
   * (NaN for `ALWAYS_TRAIN` rows): scores as honest as a held-out split's, for every row.
   */
  outOfFold: Float64Array;
}

type Fit = ReturnType<typeof fitLogistic>;

/**
 * The penalty chosen by k-fold cross-validation; the model is the mean of the k fold models at
 * that penalty. `folds[i]` is row i's fold (0..k-1, or `ALWAYS_TRAIN`). A grid point's score is
 * the mean of its folds' AUCs (`validationAuc[g]`; `trainLoss[g]` is the folds' mean training
 * loss); each fold walks the grid from the strongest penalty, starting Newton's method from the
 * previous point's fit.
 *
 * Why folds: one validation split chose the penalty from about a hundred seed rows, and a
 * different split moved a set's mean lift by up to 0.04 (docs/backtests.md); with five folds
 * every seed row votes and every row is in four of the five fits. Why the mean of the fold models
 * rather than one more fit on every row: the out-of-fold logits, which calibrate the model, come
 * from those same models, so the scores being calibrated are on their scale (a fit on all rows is
 * penalised relatively less, and its logits spread wider); measured on Online Retail it also
 * ranked as well or better (docs/backtests.md). The mean of linear models is one linear model, so every
 * scoring path stays as it is.
 */
export function crossFitIrls(
  data: NetworkData,
  folds: Uint8Array,
  grid: readonly number[] = IRLS_C_GRID,
  penaltyScale?: ArrayLike<number>,
  progress?: (fraction: number) => void,
): CrossFitted {
  const k = folds.reduce((m, f) => (f === ALWAYS_TRAIN ? m : Math.max(m, f + 1)), 0);
  if (k < 2) throw new RangeError(`cross-fitting needs at least 2 folds, got ${k}`);
  const scale = penaltyScale ? { penaltyScale } : {};
  const oof = grid.map(() => new Float64Array(data.n).fill(Number.NaN));
  const foldAucs = grid.map(() => [] as number[]);
  const foldLosses = grid.map(() => [] as number[]);
  const foldFits = grid.map(() => [] as Fit[]);
  for (let f = 0; f < k; f++) {
    const inFold: number[] = [];
    const rest: number[] = [];
    for (let i = 0; i < data.n; i++) (folds[i] === f ? inFold : rest).push(i);
    const train = subset(data, rest);
    const held = subset(data, inFold);
    let previous: Fit | undefined;
    for (const [g, c] of grid.entries()) {
      const fit = fitLogistic(train.x, train.y, train.n, train.d, {
        c,
        rowWeights: train.w,
        maxIterations: 30,
        ...scale,
        ...(previous ? { start: previous } : {}),
      });
      previous = fit;
      foldFits[g]!.push(fit);
      foldLosses[g]!.push(meanLogLoss(logisticScores(fit, train.x, train.n, train.d), train));
      const z = logisticScores(fit, held.x, held.n, held.d);
      inFold.forEach((r, j) => {
        oof[g]![r] = z[j]!;
      });
      foldAucs[g]!.push(validationAuc(z, held.y));
    }
    progress?.((f + 1) / k);
  }
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  // A fold without a seed row (a seed of fewer rows than folds) has no AUC; the others decide.
  const aucs = foldAucs.map((a) => {
    const scored = a.filter(Number.isFinite);
    return scored.length ? mean(scored) : Number.NaN;
  });
  const ranked = aucs.map((a) => (Number.isFinite(a) ? a : Number.NEGATIVE_INFINITY));
  const best = ranked.indexOf(Math.max(...ranked));
  const model = meanFit(foldFits[best]!);
  return {
    layers: [
      {
        inputs: data.d,
        units: 1,
        weights: Float32Array.from(model.weights),
        bias: Float32Array.of(model.intercept),
        activation: 'linear',
      },
    ],
    validationAuc: aucs,
    bestEpoch: best + 1,
    trainLoss: foldLosses.map(mean),
    backend: 'cpu',
    c: grid[best]!,
    outOfFold: oof[best]!,
  };
}

/** The coefficient-wise mean of fits with the same columns. */
function meanFit(fits: readonly Fit[]): { weights: Float64Array; intercept: number } {
  const weights = new Float64Array(fits[0]!.weights.length);
  let intercept = 0;
  for (const f of fits) {
    for (let j = 0; j < weights.length; j++) weights[j] = weights[j]! + f.weights[j]! / fits.length;
    intercept += f.intercept / fits.length;
  }
  return { weights, intercept };
}
