import { type Csr, selectRows } from '../../features/index.ts';
import { mulberry32 } from '../../features/random.ts';
import { initTf, tf } from '../../features/tf-backend.ts';
import { shuffledIndices } from './order.ts';
import { sparseMatMul } from './sparse-op.ts';

/** Training data of the need heads: clauses as rows, grouped into texts. */
export interface MilData {
  /** One row per clause; a text's clauses are consecutive rows. */
  x: Csr;
  /** Per text, its clause rows [start, end). */
  spans: [number, number][];
  /** Number of needs. */
  k: number;
  /** texts x k: the text is about the need. */
  labels: Uint8Array;
  /** texts x k: the need is reported unmet (only read where labels is 1). */
  unmet: Uint8Array;
  /** Per text, the row of the clause after the last adversative when the text has focus labels. */
  focusRow: (number | null)[];
  /** texts x k: the needs of that clause. */
  focus: Uint8Array;
}

export interface HeadParams {
  seed: number;
  epochs: number;
  /** Adam learning rate. */
  lr: number;
  /** Texts per step. */
  batchSize: number;
  /** L2 penalty on the need weights. */
  l2: number;
  /** L2 penalty on the polarity weights (stronger: unmet labels are fewer). */
  l2Polarity: number;
  /** Weight of the focus-clause loss. */
  focusWeight: number;
  /** Weight of the polarity loss. */
  polarityWeight: number;
}

/**
 * Weights of the two heads over one feature space. `w` is features x (2k + 1), row-major:
 * columns 0..k-1 score each need, k..2k-1 score "unmet" per need, 2k is an unmet score shared
 * by all needs (evaluative words mean the same for every need).
 */
export interface HeadWeights {
  k: number;
  features: number;
  w: Float32Array;
  needBias: Float32Array;
  polarityBias: Float32Array;
}

interface Batch {
  x: Csr;
  member: tf.Tensor2D;
  labels: tf.Tensor2D;
  unmet: tf.Tensor2D;
  unmetMask: tf.Tensor2D;
  maskSum: number;
  focusSelect: tf.Tensor2D | null;
  focus: tf.Tensor2D | null;
  texts: number;
}

function buildBatches(data: MilData, order: number[], batchSize: number): Batch[] {
  const { k } = data;
  const batches: Batch[] = [];
  for (let from = 0; from < order.length; from += batchSize) {
    const texts = order.slice(from, from + batchSize);
    const rows: number[] = [];
    const spans: [number, number][] = [];
    for (const t of texts) {
      const [s, e] = data.spans[t]!;
      spans.push([rows.length, rows.length + e - s]);
      for (let r = s; r < e; r++) rows.push(r);
    }
    const c = rows.length;
    const member = new Float32Array(texts.length * c);
    spans.forEach(([s, e], i) => {
      for (let r = s; r < e; r++) member[i * c + r] = 1;
    });
    const labels = new Float32Array(texts.length * k);
    const unmet = new Float32Array(texts.length * k);
    const focusRows: number[] = [];
    const focus: number[] = [];
    let maskSum = 0;
    texts.forEach((t, i) => {
      for (let j = 0; j < k; j++) {
        labels[i * k + j] = data.labels[t * k + j]!;
        unmet[i * k + j] = data.unmet[t * k + j]!;
        maskSum += data.labels[t * k + j]!;
      }
      const fr = data.focusRow[t];
      if (fr !== null && fr !== undefined) {
        focusRows.push(spans[i]![0] + (fr - data.spans[t]![0]));
        for (let j = 0; j < k; j++) focus.push(data.focus[t * k + j]!);
      }
    });
    let focusSelect: tf.Tensor2D | null = null;
    if (focusRows.length) {
      const sel = new Float32Array(focusRows.length * c);
      focusRows.forEach((r, i) => {
        sel[i * c + r] = 1;
      });
      focusSelect = tf.keep(tf.tensor2d(sel, [focusRows.length, c]));
    }
    batches.push({
      x: selectRows(data.x, rows),
      member: tf.keep(tf.tensor2d(member, [texts.length, c])),
      labels: tf.keep(tf.tensor2d(labels, [texts.length, k])),
      unmet: tf.keep(tf.tensor2d(unmet, [texts.length, k])),
      unmetMask: tf.keep(tf.tensor2d(labels, [texts.length, k])),
      maskSum,
      focusSelect,
      focus: focusRows.length ? tf.keep(tf.tensor2d(Float32Array.from(focus), [focusRows.length, k])) : null,
      texts: texts.length,
    });
  }
  return batches;
}

function disposeBatches(batches: Batch[]): void {
  for (const b of batches) {
    tf.dispose([b.member, b.labels, b.unmet, b.unmetMask]);
    if (b.focusSelect) b.focusSelect.dispose();
    if (b.focus) b.focus.dispose();
  }
}

const EPS = 1e-6;

/**
 * Identity whose gradient is zero (tfjs has no stopGradient): the polarity loss weighs clauses
 * by their need probability without pushing need scores around to fit polarity.
 */
const stopGradient = tf.customGrad((x) => ({
  value: (x as tf.Tensor).clone(),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));

/** Binary cross-entropy on logits, stable for large |z|: max(z, 0) - z y + log(1 + e^-|z|). */
function bceWithLogits(y: tf.Tensor, z: tf.Tensor): tf.Tensor {
  return tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.softplus(tf.neg(tf.abs(z))));
}

/**
 * Trains the need and polarity heads with a manual TensorFlow.js loop (Adam over pre-built
 * batches; `model.fit` is several times slower here, DESIGN §6).
 *
 * Need head: each clause gets a probability per need; a text has a need unless none of its
 * clauses has it (noisy-OR), so texts labelled as a whole teach clause-level scores. Where the
 * corpus names the needs of the clause after the last adversative, that clause is also trained
 * directly (the focus loss). Polarity head: per clause and need, the probability that the need
 * is unmet; a text's unmet probability is the clauses' average weighted by their need
 * probabilities, trained only on the needs the text is labelled with.
 *
 * Weights start at zero and batches are visited in an order drawn from `seed`: the same data,
 * parameters and seed give the same weights.
 *
 * @param data clauses, texts and labels
 * @param params optimisation settings
 * @returns the trained weights
 * @example
 * const heads = await trainHeads(data, { seed: 42, epochs: 60, lr: 0.05, batchSize: 32, l2: 1e-4, l2Polarity: 1e-3, focusWeight: 0.5, polarityWeight: 0.5 });
 */
export async function trainHeads(data: MilData, params: HeadParams): Promise<HeadWeights> {
  await initTf();
  const { k } = data;
  const f = data.x.cols;
  const d = 2 * k + 1;
  const random = mulberry32(params.seed);
  const texts = data.spans.length;
  const batches = buildBatches(data, shuffledIndices(texts, random), params.batchSize);
  const w = tf.variable(tf.zeros([f, d]), true, undefined) as tf.Variable<tf.Rank.R2>;
  const needBias = tf.variable(tf.zeros([k]));
  const polarityBias = tf.variable(tf.zeros([k]));
  const optimizer = tf.train.adam(params.lr);
  // Need columns and polarity columns are penalised apart (see sparseMatMul for why in the op).
  const l2 = Float32Array.from({ length: d }, (_, j) => (j < k ? params.l2 : params.l2Polarity));
  try {
    for (let epoch = 0; epoch < params.epochs; epoch++) {
      for (const bi of shuffledIndices(batches.length, random)) {
        const b = batches[bi]!;
        optimizer.minimize(
          () => {
            const z = sparseMatMul(b.x, w, l2);
            const zNeed = tf.add(tf.slice(z, [0, 0], [-1, k]), needBias);
            const zPol = tf.add(
              tf.add(tf.slice(z, [0, k], [-1, k]), tf.slice(z, [0, 2 * k], [-1, 1])),
              polarityBias,
            );
            // log P(no clause has the need) = sum over clauses of log(1 - p) = -softplus(z).
            const logNone = tf.minimum(tf.matMul(b.member, tf.neg(tf.softplus(zNeed))), -EPS);
            const logAny = tf.log(tf.neg(tf.expm1(logNone)));
            const needLoss = tf.div(
              tf.neg(tf.sum(tf.add(tf.mul(b.labels, logAny), tf.mul(tf.sub(1, b.labels), logNone)))),
              b.texts,
            );
            const p = stopGradient(tf.sigmoid(zNeed));
            const q = tf.sigmoid(zPol);
            const qText = tf.clipByValue(
              tf.div(tf.matMul(b.member, tf.mul(p, q)), tf.add(tf.matMul(b.member, p), EPS)),
              EPS,
              1 - EPS,
            );
            const polBce = tf.neg(
              tf.add(tf.mul(b.unmet, tf.log(qText)), tf.mul(tf.sub(1, b.unmet), tf.log(tf.sub(1, qText)))),
            );
            const polLoss = tf.div(tf.sum(tf.mul(polBce, b.unmetMask)), Math.max(1, b.maskSum));
            let loss = tf.add(needLoss, tf.mul(params.polarityWeight, polLoss));
            if (b.focusSelect && b.focus) {
              const zf = tf.matMul(b.focusSelect, zNeed);
              const focusLoss = tf.div(tf.sum(bceWithLogits(b.focus, zf)), b.texts);
              loss = tf.add(loss, tf.mul(params.focusWeight, focusLoss));
            }
            return loss as tf.Scalar;
          },
          false,
          [w, needBias, polarityBias],
        );
      }
      // Yield between epochs so that a long training does not starve the event loop.
      await new Promise((r) => setImmediate(r));
    }
    return {
      k,
      features: f,
      w: Float32Array.from(w.dataSync()),
      needBias: Float32Array.from(needBias.dataSync()),
      polarityBias: Float32Array.from(polarityBias.dataSync()),
    };
  } finally {
    disposeBatches(batches);
    tf.dispose([w, needBias, polarityBias]);
    optimizer.dispose();
  }
}
