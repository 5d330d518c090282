/**
 * Gradient-boosted decision trees for a binary label (log-loss), histogram-based: each column's
 * values are cut into at most `bins` bins once, and every split is searched over bin boundaries.
 * Shallow trees, shrinkage, row and column subsampling, and early stopping on a validation set
 * the caller chooses (a backtest uses the seed's most recent adopters, a split by time). Member
 * rows are mostly zeros in the product columns, so only each row's non-zero bins are stored and
 * a node's zero bin is its total minus the rest. Pure TypeScript.
 */
import { rankingMetrics } from './backtest-metrics.ts';
import { Rng } from './rng.ts';

export interface GbdtOptions {
  /** Trees at most. Default 600. */
  trees?: number;
  /** Depth of every tree. Default 3. */
  depth?: number;
  /** Shrinkage. Default 0.05. */
  learningRate?: number;
  /** L2 penalty on leaf values. Default 1. */
  lambda?: number;
  /** Smallest hessian sum a leaf may hold. Default 2. */
  minChildWeight?: number;
  /** Share of rows each tree sees. Default 0.8. */
  subsample?: number;
  /** Share of columns each tree may split on. Default 0.8. */
  colsample?: number;
  /** Bins per column at most (at most 255). Default 32. */
  bins?: number;
  /** Stop when the validation AUC has not improved for this many trees. Default 100. */
  patience?: number;
  randomSeed?: number;
}

/** One tree in arrays: node k splits on `feature[k]` at `threshold[k]` (value <= goes left). */
interface Tree {
  feature: Int32Array; // -1 marks a leaf
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

export interface GbdtModel {
  base: number;
  learningRate: number;
  trees: Tree[];
  /** Validation AUC at the kept number of trees (NaN without validation rows). */
  validationAuc: number;
}

/** Column cut points: midpoints between distinct values, or quantiles when there are more. */
function cutPoints(
  x: Float64Array,
  rows: readonly number[],
  d: number,
  j: number,
  bins: number,
): Float64Array {
  const v = Float64Array.from(rows, (r) => x[r * d + j]!).sort();
  const distinct: number[] = [];
  for (let i = 0; i < v.length; i++) if (i === 0 || v[i] !== v[i - 1]) distinct.push(v[i]!);
  if (distinct.length <= bins) {
    return Float64Array.from(distinct.slice(1), (b, i) => (distinct[i]! + b) / 2);
  }
  const cuts: number[] = [];
  for (let b = 1; b < bins; b++) {
    const q = v[Math.floor((b * v.length) / bins)]!;
    if (!cuts.length || q > cuts.at(-1)!) cuts.push(q);
  }
  // A cut at a value sends that value left (value <= cut), so the top value still has a bin.
  return Float64Array.from(cuts.filter((c) => c < v[v.length - 1]!));
}

function binOf(cuts: Float64Array, value: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (value <= cuts[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Non-zero bins of every row, CSR-like. */
interface Binned {
  start: Uint32Array;
  col: Uint16Array;
  bin: Uint8Array;
  cuts: Float64Array[];
}

function binRows(x: Float64Array, n: number, d: number, fitRows: readonly number[], bins: number): Binned {
  const cuts = Array.from({ length: d }, (_, j) => cutPoints(x, fitRows, d, j, bins));
  const col: number[] = [];
  const bin: number[] = [];
  const start = new Uint32Array(n + 1);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < d; j++) {
      const b = binOf(cuts[j]!, x[r * d + j]!);
      if (b > 0) {
        col.push(j);
        bin.push(b);
      }
    }
    start[r + 1] = col.length;
  }
  return { start, col: Uint16Array.from(col), bin: Uint8Array.from(bin), cuts };
}

/** Rank AUC (ties half) of `scores` on `rows` against `y`, as the backtest reports it. */
function aucOf(scores: Float64Array, y: ArrayLike<number>, rows: readonly number[]): number {
  if (!rows.length) return Number.NaN;
  const picked = Float64Array.from(rows, (r) => scores[r]!);
  return rankingMetrics(
    picked,
    Uint8Array.from(rows, (r) => y[r]!),
  ).auc;
}

interface Grow {
  binned: Binned;
  d: number;
  nb: number;
  g: Float64Array;
  h: Float64Array;
  lambda: number;
  minChild: number;
  cols: Uint8Array;
}

/** Gradient and hessian histograms (column-major bins) of `rows`; bin 0 by subtraction. */
function histogram(s: Grow, rows: readonly number[]) {
  const hg = new Float64Array(s.d * s.nb);
  const hh = new Float64Array(s.d * s.nb);
  const hc = new Uint32Array(s.d * s.nb);
  let G = 0;
  let H = 0;
  const { start, col, bin } = s.binned;
  for (const r of rows) {
    const g = s.g[r]!;
    const h = s.h[r]!;
    G += g;
    H += h;
    for (let k = start[r]!; k < start[r + 1]!; k++) {
      const at = col[k]! * s.nb + bin[k]!;
      hg[at] = hg[at]! + g;
      hh[at] = hh[at]! + h;
      hc[at]!++;
    }
  }
  for (let j = 0; j < s.d; j++) {
    let sg = 0;
    let sh = 0;
    let sc = 0;
    for (let b = 1; b < s.nb; b++) {
      sg += hg[j * s.nb + b]!;
      sh += hh[j * s.nb + b]!;
      sc += hc[j * s.nb + b]!;
    }
    hg[j * s.nb] = G - sg;
    hh[j * s.nb] = H - sh;
    hc[j * s.nb] = rows.length - sc;
  }
  return { hg, hh, hc, G, H, n: rows.length };
}

/** The best split of a node's histogram, or null when none gains. */
function bestSplit(s: Grow, hist: ReturnType<typeof histogram>) {
  const score = (g: number, h: number) => (g * g) / (h + s.lambda);
  const parent = score(hist.G, hist.H);
  let best: { feature: number; bin: number; gain: number } | null = null;
  for (let j = 0; j < s.d; j++) {
    if (!s.cols[j]) continue;
    let gl = 0;
    let hl = 0;
    let cl = 0;
    for (let b = 0; b < s.nb - 1; b++) {
      gl += hist.hg[j * s.nb + b]!;
      hl += hist.hh[j * s.nb + b]!;
      cl += hist.hc[j * s.nb + b]!;
      const hr = hist.H - hl;
      // Both sides need rows: an empty side's leaf would be 0/0 without a penalty.
      if (cl === 0 || cl === hist.n || hl < s.minChild || hr < s.minChild) continue;
      const gain = score(gl, hl) + score(hist.G - gl, hr) - parent;
      if (gain > 1e-9 && (!best || gain > best.gain)) best = { feature: j, bin: b, gain };
    }
  }
  return best;
}

function growTree(s: Grow, rows: number[], depth: number): Tree {
  const nodes: { feature: number; threshold: number; left: number; right: number; value: number }[] = [];
  const build = (rs: number[], level: number): number => {
    const k = nodes.length;
    const hist = histogram(s, rs);
    nodes.push({
      feature: -1,
      threshold: 0,
      left: -1,
      right: -1,
      value: hist.H + s.lambda > 0 ? -hist.G / (hist.H + s.lambda) : 0,
    });
    const split = level < depth ? bestSplit(s, hist) : null;
    if (!split) return k;
    const { start, col, bin } = s.binned;
    const binAt = (r: number) => {
      for (let q = start[r]!; q < start[r + 1]!; q++) if (col[q] === split.feature) return bin[q]!;
      return 0;
    };
    const l: number[] = [];
    const rr: number[] = [];
    for (const r of rs) (binAt(r) <= split.bin ? l : rr).push(r);
    const node = nodes[k]!;
    node.feature = split.feature;
    node.threshold = s.binned.cuts[split.feature]![split.bin]!;
    node.left = build(l, level + 1);
    node.right = build(rr, level + 1);
    return k;
  };
  build(rows, 0);
  return {
    feature: Int32Array.from(nodes, (n) => n.feature),
    threshold: Float64Array.from(nodes, (n) => n.threshold),
    left: Int32Array.from(nodes, (n) => n.left),
    right: Int32Array.from(nodes, (n) => n.right),
    value: Float64Array.from(nodes, (n) => n.value),
  };
}

function treeValue(t: Tree, x: ArrayLike<number>, offset: number): number {
  let k = 0;
  while (t.feature[k]! >= 0) k = x[offset + t.feature[k]!]! <= t.threshold[k]! ? t.left[k]! : t.right[k]!;
  return t.value[k]!;
}

/**
 * Fits boosted trees on the `fit` rows of a dense row-major `x` (n x d) and 0/1 labels `y`,
 * keeping the number of trees with the best AUC on the `validation` rows (all trees when there
 * are none).
 *
 * @throws RangeError when the shapes disagree or there are no fitting rows.
 * @example
 * const m = fitGbdt(x, y, n, d, { fit: trainRows, validation: recentRows });
 * gbdtScores(m, x, n, d); // margins, higher = more like the positives
 */
export function fitGbdt(
  x: Float64Array,
  y: ArrayLike<number>,
  n: number,
  d: number,
  rows: { fit: readonly number[]; validation?: readonly number[] },
  options: GbdtOptions = {},
): GbdtModel {
  if (x.length !== n * d || y.length !== n) throw new RangeError(`x is ${x.length} values for ${n} x ${d}`);
  if (!rows.fit.length) throw new RangeError('no rows to fit');
  if (d > 65535) throw new RangeError(`at most 65535 columns, got ${d}`);
  const maxTrees = options.trees ?? 600;
  const lr = options.learningRate ?? 0.05;
  const nb = Math.min(255, options.bins ?? 32);
  const patience = options.patience ?? 100;
  const rng = new Rng(options.randomSeed ?? 42, 41);
  const binned = binRows(x, n, d, rows.fit, nb);
  const positives = rows.fit.reduce((s, r) => s + (y[r] ? 1 : 0), 0);
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, positives / rows.fit.length));
  const base = Math.log(rate / (1 - rate));
  const margin = new Float64Array(n).fill(base);
  const s: Grow = {
    binned,
    d,
    nb,
    g: new Float64Array(n),
    h: new Float64Array(n),
    lambda: options.lambda ?? 1,
    minChild: options.minChildWeight ?? 2,
    cols: new Uint8Array(d),
  };
  const val = rows.validation ?? [];
  const trees: Tree[] = [];
  let bestAuc = val.length ? aucOf(margin, y, val) : Number.NaN;
  let bestTrees = 0;
  for (let t = 0; t < maxTrees; t++) {
    for (const r of rows.fit) {
      const p = 1 / (1 + Math.exp(-margin[r]!));
      s.g[r] = p - (y[r] ? 1 : 0);
      s.h[r] = Math.max(p * (1 - p), 1e-12);
    }
    const sub = rows.fit.filter(() => rng.float() < (options.subsample ?? 0.8));
    for (let j = 0; j < d; j++) s.cols[j] = rng.float() < (options.colsample ?? 0.8) ? 1 : 0;
    const tree = growTree(s, sub, options.depth ?? 3);
    for (let i = 0; i < tree.value.length; i++) tree.value[i] = tree.value[i]! * lr;
    trees.push(tree);
    for (let r = 0; r < n; r++) margin[r] = margin[r]! + treeValue(tree, x, r * d);
    if (val.length) {
      const auc = aucOf(margin, y, val);
      if (auc > bestAuc + 1e-6) {
        bestAuc = auc;
        bestTrees = trees.length;
      } else if (trees.length - bestTrees >= patience) break;
    } else bestTrees = trees.length;
  }
  return { base, learningRate: lr, trees: trees.slice(0, bestTrees), validationAuc: bestAuc };
}

/** Margins (log-odds) of every row of a dense row-major `x` (n x d). */
export function gbdtScores(model: GbdtModel, x: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = new Float64Array(n).fill(model.base);
  for (const t of model.trees) for (let r = 0; r < n; r++) out[r] = out[r]! + treeValue(t, x, r * d);
  return out;
}
