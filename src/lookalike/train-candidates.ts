/**
 * The candidate models of a lookalike training run: a logistic model and an MLP trained on the
 * same seed-vs-universe rows, and the rule that keeps one of them.
 */
import { type Csr, selectRows, toDense } from '../features/csr.ts';
import { throwIfAborted } from '../schema/index.ts';
import type { CandidateMetrics } from './artifact.ts';
import { compareAucs } from './auc-compare.ts';
import { denseLogits } from './dense-logits.ts';
import { ITEM_PREFIX } from './feature-spec.ts';
import {
  ALWAYS_TRAIN,
  type CrossFitted,
  concatNetworkData,
  crossFitIrls,
  DENSE_PENALTY,
  IRLS_C_GRID,
  IRLS_FOLDS,
  memberPenaltyScale,
} from './irls-train.ts';
import type { Architecture } from './kernel.ts';
import { permutation, Rng } from './rng.ts';
import type { NetworkData, TrainHooks as NetworkHooks, NetworkParams, TrainedNetwork } from './tf-train.ts';
import type { ArchitectureParams, TrainLookalikeOptions, Universe } from './types.ts';
import { aucOn, validationHalves } from './validation-halves.ts';

/**
 * Runs the cross-fitted exact logistic (`crossFitIrls`); the default runs in-process, a job passes
 * a worker-pool runner so the fits leave the event loop.
 */
export type CrossFitter = (
  data: NetworkData,
  folds: Uint8Array,
  grid: readonly number[],
  penaltyScale: Float64Array | undefined,
  hooks?: NetworkHooks,
) => Promise<CrossFitted>;

const inProcessCrossFitter: CrossFitter = async (data, folds, grid, penaltyScale, hooks) =>
  crossFitIrls(data, folds, grid, penaltyScale, (f) => hooks?.progress?.(f, 'cross-validating'));

/** Runs one network training; the default runs in-process, a job passes a worker-pool runner. */
export type NetworkTrainer = (
  train: NetworkData,
  validation: NetworkData,
  params: NetworkParams,
  hooks?: NetworkHooks,
) => Promise<TrainedNetwork>;

export const DEFAULT_ARCHITECTURES: Readonly<Record<Architecture, ArchitectureParams>> = {
  logistic: { hidden: [], epochs: 10, learningRate: 0.02, l2: 1e-5, batchSize: 512 },
  mlp: { hidden: [32], epochs: 10, learningRate: 0.005, l2: 1e-5, batchSize: 512 },
};

/** Validation AUC difference under which the simpler model wins. */
export const TIE_AUC = 0.002;

export type Candidate = CandidateMetrics & {
  layers: TrainedNetwork['layers'];
  /**
   * Out-of-fold logits of the calibration rows (`pCal`, `uCal`) of a cross-fitted candidate,
   * which the calibration uses in place of the final model's scores: that model saw them.
   */
  outOfFold?: { heldOut: Float32Array; unlabelled: Float32Array };
  /** Logits of the validation rows (seed rows first), in `CandidateRun.validation`'s order. */
  validationLogits: Float32Array;
};

/** Row indices of each role in the training matrix (sorted within each role). */
export type TrainingRows = Record<
  'pTrain' | 'pVal' | 'pCal' | 'uTrain' | 'uVal' | 'uCal' | 'nTrain',
  Uint32Array
>;

export function networkData(
  x: Csr,
  rows: Uint32Array,
  y: number,
  w: number,
  rowWeights?: Float32Array,
): NetworkData {
  const sub = selectRows(x, rows);
  return {
    x: toDense(sub),
    y: new Float32Array(rows.length).fill(y),
    w: rowWeights ? Float32Array.from(rowWeights, (v) => v * w) : new Float32Array(rows.length).fill(w),
    n: rows.length,
    d: x.cols,
  };
}

async function defaultTrainer(
  train: NetworkData,
  validation: NetworkData,
  params: NetworkParams,
  hooks?: NetworkHooks,
) {
  const { trainNetwork } = await import('./tf-train.ts');
  return trainNetwork(train, validation, params, hooks);
}

/**
 * The members-universe logistic candidate, fitted exactly (see `irls-train.ts`) on unweighted
 * rows: Newton's method needs no balancing of the seed against the universe (the stochastic
 * trainers do), and the unweighted likelihood ranked future buyers better on Online Retail (our
 * lift@10% over the baseline's 1.034 with seed rows weighted 2-4x, 1.082 unweighted; docs/backtests.md).
 * The penalty is chosen by `IRLS_FOLDS`-fold cross-validation over every seed and
 * unlabelled row, and the model is the mean of the fold models (see `crossFitIrls`): no seed row
 * is held out of every fit. The calibration uses the out-of-fold logits of the calibration rows
 * instead (cross-fitting), and the reported validation AUC is the out-of-fold AUC on the
 * validation rows, the rows the MLP is judged on. The calibration keeps to its quarter of the
 * seed although every seed row has an out-of-fold logit: with all of them, the narrower
 * confidence radius let best-bin estimation pick a bin above the whole universe on strongly
 * separated seeds (a positive share of 0, and intervals of [0, 1]). With `columnNames`, the
 * non-item columns are penalised `DENSE_PENALTY` times harder (see there).
 */
async function exactLogistic(
  x: Csr,
  rows: TrainingRows,
  params: ArchitectureParams,
  columnNames: readonly string[] | undefined,
  randomSeed: number,
  crossFitter: CrossFitter,
  hooks: NetworkHooks,
): Promise<Candidate> {
  const started = performance.now();
  // Rows in role order (seed train, validation, calibration; then the unlabelled the same way;
  // then negatives), so each role's out-of-fold logits are one contiguous range.
  const all = concatNetworkData([
    networkData(x, rows.pTrain, 1, 1),
    networkData(x, rows.pVal, 1, 1),
    networkData(x, rows.pCal, 1, 1),
    networkData(x, rows.uTrain, 0, 1),
    networkData(x, rows.uVal, 0, 1),
    networkData(x, rows.uCal, 0, 1),
    ...(rows.nTrain.length ? [networkData(x, rows.nTrain, 0, 1)] : []),
  ]);
  const seed = rows.pTrain.length + rows.pVal.length + rows.pCal.length;
  const unlabelled = rows.uTrain.length + rows.uVal.length + rows.uCal.length;
  const rng = new Rng(randomSeed, 5);
  const folds = new Uint8Array(all.n).fill(ALWAYS_TRAIN);
  // Stratified: each fold holds a fifth of the seed and a fifth of the unlabelled rows.
  permutation(seed, rng).forEach((r, k) => {
    folds[r] = k % IRLS_FOLDS;
  });
  permutation(unlabelled, rng).forEach((r, k) => {
    folds[seed + r] = k % IRLS_FOLDS;
  });
  const fit = await crossFitter(
    all,
    folds,
    IRLS_C_GRID,
    columnNames ? memberPenaltyScale(columnNames, ITEM_PREFIX) : undefined,
    hooks,
  );
  const oof = (from: number, length: number) =>
    Float32Array.from(fit.outOfFold.subarray(from, from + length));
  const pVal = oof(rows.pTrain.length, rows.pVal.length);
  const uVal = oof(seed + rows.uTrain.length, rows.uVal.length);
  // Measured on the half of the validation rows a network reports on, so the architecture
  // rule compares the two candidates on the same rows.
  const val = Float32Array.from([...pVal, ...uVal]);
  const { report } = validationHalves(val.map((_, i) => (i < pVal.length ? 1 : 0)));
  return {
    architecture: 'logistic',
    params,
    validationAuc: aucOn(val, report),
    validationLogits: val,
    bestEpoch: fit.bestEpoch,
    validationAucByEpoch: fit.validationAuc,
    trainLoss: fit.trainLoss,
    seconds: (performance.now() - started) / 1000,
    penalty: {
      grid: [...IRLS_C_GRID],
      c: fit.c,
      folds: IRLS_FOLDS,
      ...(columnNames ? { denseMultiplier: DENSE_PENALTY } : {}),
    },
    layers: fit.layers,
    outOfFold: {
      heldOut: oof(rows.pTrain.length + rows.pVal.length, rows.pCal.length),
      unlabelled: oof(seed + rows.uTrain.length + rows.uVal.length, rows.uCal.length),
    },
  };
}

export interface CandidateRun {
  options: TrainLookalikeOptions;
  universe: Universe;
  randomSeed: number;
  x: Csr;
  rows: TrainingRows;
  /** Names of `x`'s columns; the exact logistic penalises non-item columns harder (`DENSE_PENALTY`). */
  columnNames?: readonly string[];
  /** The weighted rows the stochastic trainers fit. */
  train: NetworkData;
  validation: NetworkData;
  trainer?: NetworkTrainer;
  crossFitter?: CrossFitter;
  signal?: AbortSignal;
  /** Progress within training, 0..1, with the stage's name. */
  progress: (fraction: number, stage: string) => void;
}

/** Trains every requested architecture; returns the candidates and the TF.js backend used. */
export async function trainCandidates(
  run: CandidateRun,
): Promise<{ candidates: Candidate[]; backend: string }> {
  const { options } = run;
  const archs = (Object.keys(DEFAULT_ARCHITECTURES) as Architecture[]).filter(
    (a) => !options.architectures || a in options.architectures,
  );
  const trainer = run.trainer ?? defaultTrainer;
  const candidates: Candidate[] = [];
  let backend = '';
  for (const [k, arch] of archs.entries()) {
    throwIfAborted(run.signal, 'training');
    const params: ArchitectureParams = {
      ...DEFAULT_ARCHITECTURES[arch],
      ...(options.architectures?.[arch] ?? {}),
    };
    run.progress(k / archs.length, `training ${arch}`);
    const hooks: NetworkHooks = {
      ...(run.signal ? { signal: run.signal } : {}),
      progress: (f) => run.progress((k + f) / archs.length, `training ${arch}`),
    };
    if (arch === 'logistic' && run.universe === 'members') {
      candidates.push(
        await exactLogistic(
          run.x,
          run.rows,
          params,
          run.columnNames,
          run.randomSeed,
          run.crossFitter ?? inProcessCrossFitter,
          hooks,
        ),
      );
      throwIfAborted(run.signal, 'training');
      continue;
    }
    const started = performance.now();
    const net = await trainer(
      run.train,
      run.validation,
      {
        hidden: params.hidden,
        epochs: params.epochs,
        batchSize: params.batchSize,
        learningRate: params.learningRate,
        l2: params.l2,
        seed: run.randomSeed + k,
        ...(options.backend ? { backend: options.backend } : {}),
      },
      hooks,
    );
    throwIfAborted(run.signal, 'training');
    backend = net.backend;
    candidates.push({
      architecture: arch,
      params,
      validationAuc: net.validationAuc[net.bestEpoch - 1] ?? Number.NaN,
      bestEpoch: net.bestEpoch,
      validationAucByEpoch: net.validationAuc,
      trainLoss: net.trainLoss,
      seconds: (performance.now() - started) / 1000,
      layers: net.layers,
      validationLogits: denseLogits(net.layers, run.validation.x, run.validation.n, run.validation.d),
    });
  }
  return { candidates: withComparisons(candidates, run.validation.y), backend };
}

/**
 * Each network candidate's validation AUC against the logistic candidate's on the rows both
 * report on (the `report` half), with DeLong's standard error of the difference.
 */
function withComparisons(candidates: Candidate[], y: Float32Array): Candidate[] {
  const logistic = candidates.find((c) => c.architecture === 'logistic');
  const { report } = validationHalves(y);
  if (!logistic || !report.pos.length || !report.neg.length) return candidates;
  return candidates.map((c) => {
    if (c === logistic) return c;
    const d = compareAucs(c.validationLogits, logistic.validationLogits, report);
    return { ...c, versusLogistic: { difference: d.difference, se: d.se } };
  });
}

/**
 * The highest validation AUC, except that logistic regression is kept unless the other candidate
 * is ahead by at least `TIE_AUC` and by more than one standard error of the difference
 * (`versusLogistic.se`, DeLong's, on the same validation rows): the simpler model is kept when
 * the data cannot tell the two apart (the one-standard-error rule).
 */
export function chooseCandidate<C extends CandidateMetrics>(candidates: readonly C[]): C {
  const sorted = [...candidates].sort((a, b) => b.validationAuc - a.validationAuc);
  const best = sorted[0]!;
  const logistic = candidates.find((c) => c.architecture === 'logistic');
  if (!logistic || best === logistic) return best;
  const gap = best.validationAuc - logistic.validationAuc;
  return gap < TIE_AUC || gap <= (best.versusLogistic?.se ?? 0) ? logistic : best;
}
