import { type Csr, selectRows } from '../../features/index.ts';
import { mulberry32 } from '../../features/random.ts';
import { initTf, tf } from '../../features/tf-backend.ts';
import { shuffledIndices } from './order.ts';
import { spmm } from './sparse.ts';
import { sparseMatMul } from './sparse-op.ts';

export interface MulticlassParams {
  seed: number;
  epochs: number;
  lr: number;
  batchSize: number;
  l2: number;
}

/** A linear softmax classifier: features x classes weights (row-major) and biases. */
export interface LinearSoftmax {
  classes: number;
  features: number;
  w: Float32Array;
  bias: Float32Array;
}

/**
 * Trains a single-label linear softmax on sparse rows with the same manual TensorFlow.js loop
 * and sparse product as the need heads: pre-built batches, Adam, L2, a seeded batch order and
 * zero-initialised weights (same data and seed, same weights).
 *
 * @param x one row per instance
 * @param y class index per row
 * @param classes number of classes
 * @param params optimisation settings
 * @example
 * const clf = await trainSoftmax(x, labels, 9, { seed: 42, epochs: 12, lr: 0.02, batchSize: 128, l2: 1e-6 });
 */
export async function trainSoftmax(
  x: Csr,
  y: Int32Array,
  classes: number,
  params: MulticlassParams,
): Promise<LinearSoftmax> {
  await initTf();
  const random = mulberry32(params.seed);
  const order = shuffledIndices(x.rows, random);
  const batches: { x: Csr; y: tf.Tensor2D; n: number }[] = [];
  for (let from = 0; from < order.length; from += params.batchSize) {
    const rows = order.slice(from, from + params.batchSize);
    const onehot = new Float32Array(rows.length * classes);
    rows.forEach((r, i) => {
      onehot[i * classes + y[r]!] = 1;
    });
    batches.push({
      x: selectRows(x, rows),
      y: tf.keep(tf.tensor2d(onehot, [rows.length, classes])),
      n: rows.length,
    });
  }
  const w = tf.variable(tf.zeros([x.cols, classes])) as tf.Variable<tf.Rank.R2>;
  const bias = tf.variable(tf.zeros([classes]));
  const optimizer = tf.train.adam(params.lr);
  const l2 = new Float32Array(classes).fill(params.l2);
  try {
    for (let epoch = 0; epoch < params.epochs; epoch++) {
      for (const bi of shuffledIndices(batches.length, random)) {
        const b = batches[bi]!;
        optimizer.minimize(
          () => {
            const logits = tf.add(sparseMatMul(b.x, w, l2), bias);
            return tf.div(tf.neg(tf.sum(tf.mul(b.y, tf.logSoftmax(logits)))), b.n) as tf.Scalar;
          },
          false,
          [w, bias],
        );
      }
      await new Promise((r) => setImmediate(r));
    }
    return {
      classes,
      features: x.cols,
      w: Float32Array.from(w.dataSync()),
      bias: Float32Array.from(bias.dataSync()),
    };
  } finally {
    for (const b of batches) b.y.dispose();
    tf.dispose([w, bias]);
    optimizer.dispose();
  }
}

/**
 * The most probable class of each row.
 *
 * @param model from `trainSoftmax`
 * @param x rows to classify
 * @example
 * predictSoftmax(model, xTest); // Int32Array of class indices
 */
export function predictSoftmax(model: LinearSoftmax, x: Csr): Int32Array {
  const z = spmm(x, model.w, model.classes);
  const out = new Int32Array(x.rows);
  for (let r = 0; r < x.rows; r++) {
    let best = 0;
    for (let c = 1; c < model.classes; c++) {
      if (z[r * model.classes + c]! + model.bias[c]! > z[r * model.classes + best]! + model.bias[best]!)
        best = c;
    }
    out[r] = best;
  }
  return out;
}
