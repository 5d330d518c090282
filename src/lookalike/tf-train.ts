/**
 * Trains the lookalike networks with TensorFlow.js: a manual `optimizer.minimize` loop over
 * pre-batched dense tensors (5-7x faster than `model.fit` here, DESIGN §6). Inputs and outputs
 * are typed arrays, so a worker thread can run it (task `lookalike-train` in jobs/tasks.ts).
 * Deterministic: initial weights and batch order come from the seeded PRNG, and the wasm and
 * cpu backends compute single-threaded.
 */

import { initTf, type TfBackend, tf } from '../features/tf-backend.ts';
import { throwIfAborted } from '../schema/index.ts';
import { denseLogits } from './dense-logits.ts';
import type { DenseLayer } from './kernel.ts';
import { Rng } from './rng.ts';
import { aucOn, validationHalves } from './validation-halves.ts';

export interface NetworkData {
  /** Row-major n x d inputs. */
  x: Float32Array;
  /** 1 for labelled (seed), 0 for unlabelled or negative. */
  y: Float32Array;
  /** Per-row loss weight. */
  w: Float32Array;
  n: number;
  d: number;
}

export interface NetworkParams {
  /** Hidden layer widths; empty for logistic regression. */
  hidden: readonly number[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** L2 penalty on weights (not biases), per row of data. */
  l2: number;
  seed: number;
  /** Backend to pin (tests pin 'wasm'); default: the fastest available. */
  backend?: TfBackend;
}

export interface TrainedNetwork {
  layers: DenseLayer[];
  /**
   * Validation AUC after each epoch (labelled vs unlabelled rows) on the half of `validation`
   * that did not choose the epoch (see `validationHalves`), so the kept epoch's figure is not
   * the maximum of several noisy ones.
   */
  validationAuc: number[];
  /** Epoch (1-based) whose weights were kept: the best AUC on the other half of `validation`. */
  bestEpoch: number;
  trainLoss: number[];
  backend: TfBackend;
}

export interface TrainHooks {
  /** Called after each epoch with the fraction done. */
  progress?: (fraction: number, detail: string) => void;
  /** Aborts between batches. */
  signal?: AbortSignal;
}

function glorot(rng: Rng, inputs: number, units: number): Float32Array {
  const limit = Math.sqrt(6 / (inputs + units));
  const out = new Float32Array(inputs * units);
  for (let i = 0; i < out.length; i++) out[i] = (rng.float() * 2 - 1) * limit;
  return out;
}

/**
 * Trains a logistic model (`hidden: []`) or an MLP with weighted sigmoid cross-entropy and Adam,
 * keeping the weights of the epoch with the best AUC on one half of the validation rows and
 * reporting each epoch's AUC on the other half.
 *
 * @param train - training rows.
 * @param validation - held-out rows for epoch selection and its AUC (y = 1 labelled, 0 unlabelled).
 * @param params - architecture and optimiser settings.
 * @param hooks - progress and cancellation.
 * @throws CancelledError when `hooks.signal` aborts.
 */
export async function trainNetwork(
  train: NetworkData,
  validation: NetworkData,
  params: NetworkParams,
  hooks: TrainHooks = {},
): Promise<TrainedNetwork> {
  const backend = await initTf(params.backend);
  const rng = new Rng(params.seed, 11);
  const sizes = [train.d, ...params.hidden, 1];
  // Weights are drawn before the batch order, from the same seeded stream.
  const vars = initVariables(rng, sizes);
  const batches = makeBatches(train, params.batchSize, rng);
  const optimizer = tf.train.adam(params.learningRate);
  const trainable = vars.flatMap((v) => [v.w, v.b]);
  const forward = (x: tf.Tensor2D): tf.Tensor1D => {
    let a: tf.Tensor2D = x;
    vars.forEach((v, l) => {
      a = tf.add(tf.matMul(a, v.w), v.b);
      if (l + 1 < vars.length) a = tf.relu(a);
    });
    return tf.reshape(a, [-1]);
  };
  const snapshot = (): DenseLayer[] =>
    vars.map((v, l) => ({
      inputs: sizes[l]!,
      units: sizes[l + 1]!,
      weights: new Float32Array(v.w.dataSync()),
      bias: new Float32Array(v.b.dataSync()),
      activation: l + 1 < vars.length ? 'relu' : 'linear',
    }));
  const halves = validationHalves(validation.y);
  const validationAuc: number[] = [];
  const trainLoss: number[] = [];
  let best: DenseLayer[] = snapshot();
  let bestAuc = Number.NEGATIVE_INFINITY;
  let bestEpoch = 0;
  try {
    for (let epoch = 0; epoch < params.epochs; epoch++) {
      trainLoss.push(
        runEpoch(batches, rng, hooks.signal, optimizer, trainable, (b) => {
          const z = forward(b.x);
          // Stable sigmoid cross-entropy: max(z, 0) - z*y + log(1 + exp(-|z|)).
          const ce = tf.add(tf.sub(tf.relu(z), tf.mul(z, b.y)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
          let total = tf.mean(tf.mul(ce, b.w)) as tf.Scalar;
          for (const v of vars) total = tf.add(total, tf.mul(params.l2, tf.sum(tf.square(v.w))));
          return total;
        }),
      );
      const layers = snapshot();
      const z = denseLogits(layers, validation.x, validation.n, validation.d);
      const chosenBy = aucOn(z, halves.choose);
      const a = aucOn(z, halves.report);
      validationAuc.push(a);
      if (chosenBy > bestAuc + 1e-6) {
        bestAuc = chosenBy;
        best = layers;
        bestEpoch = epoch + 1;
      }
      hooks.progress?.(
        (epoch + 1) / params.epochs,
        `epoch ${epoch + 1}/${params.epochs}, validation AUC ${a.toFixed(4)}`,
      );
      // Yield so a job runner's timers and cancellation get a turn between epochs.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    for (const b of batches) tf.dispose([b.x, b.y, b.w]);
    tf.dispose(trainable);
    optimizer.dispose();
  }
  return { layers: best, validationAuc, bestEpoch, trainLoss, backend };
}

type Batch = { x: tf.Tensor2D; y: tf.Tensor1D; w: tf.Tensor1D };

/** One pass over the batches in a seeded order; returns the mean batch loss. */
function runEpoch(
  batches: readonly Batch[],
  rng: Rng,
  signal: AbortSignal | undefined,
  optimizer: tf.Optimizer,
  trainable: tf.Variable[],
  lossOf: (b: Batch) => tf.Scalar,
): number {
  const visit = Uint32Array.from(batches.keys());
  rng.shuffle(visit);
  let lossSum = 0;
  for (const k of visit) {
    throwIfAborted(signal, 'training');
    const b = batches[k]!;
    const loss = optimizer.minimize(() => lossOf(b), true, trainable);
    lossSum += loss!.dataSync()[0]!;
    loss!.dispose();
  }
  return lossSum / batches.length;
}

/** Glorot-initialised weights and zero biases for each layer of `sizes`. */
function initVariables(rng: Rng, sizes: readonly number[]): { w: tf.Variable; b: tf.Variable }[] {
  const vars: { w: tf.Variable; b: tf.Variable }[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const w = glorot(rng, sizes[l]!, sizes[l + 1]!);
    vars.push({
      w: tf.variable(tf.tensor2d(w, [sizes[l]!, sizes[l + 1]!]), true, `w${l}`),
      b: tf.variable(tf.zeros([sizes[l + 1]!]), true, `b${l}`),
    });
  }
  return vars;
}

/** One seeded shuffle fixes each batch's rows; epochs then visit the batches in seeded order. */
function makeBatches(
  train: NetworkData,
  batchSize: number,
  rng: Rng,
): { x: tf.Tensor2D; y: tf.Tensor1D; w: tf.Tensor1D }[] {
  const order = new Uint32Array(train.n);
  for (let i = 0; i < train.n; i++) order[i] = i;
  rng.shuffle(order);
  const batches: { x: tf.Tensor2D; y: tf.Tensor1D; w: tf.Tensor1D }[] = [];
  let totalW = 0;
  for (let i = 0; i < train.n; i++) totalW += train.w[i]!;
  for (let start = 0; start < train.n; start += batchSize) {
    const rows = order.subarray(start, Math.min(train.n, start + batchSize));
    const bx = new Float32Array(rows.length * train.d);
    const by = new Float32Array(rows.length);
    const bw = new Float32Array(rows.length);
    rows.forEach((r, k) => {
      bx.set(train.x.subarray(r * train.d, (r + 1) * train.d), k * train.d);
      by[k] = train.y[r]!;
      // Normalised so that each batch's loss is on the scale of a mean over the data.
      bw[k] = (train.w[r]! * train.n) / totalW;
    });
    batches.push({
      x: tf.tensor2d(bx, [rows.length, train.d]),
      y: tf.tensor1d(by),
      w: tf.tensor1d(bw),
    });
  }
  return batches;
}
