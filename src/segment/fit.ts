/**
 * The CPU-heavy part of a segmentation as one pure function of typed arrays: choose k (unless
 * given) and fit k-means. It takes and returns only structured-clonable values, so a job can run
 * it in a worker thread (`segment-fit` in jobs/tasks.ts) and the event loop stays free.
 */
import { InvalidInputError } from '../schema/index.ts';
import { kmeans } from './kmeans.ts';
import { type KSelection, type SelectKOptions, selectK } from './select-k.ts';

export interface SegmentFitInput {
  /** The matrix in clustering space, row-major. */
  values: Float64Array;
  rows: number;
  cols: number;
  /** A fixed k, or undefined to choose one over `kRange`. */
  k?: number;
  kRange: [number, number];
  seed: number;
  /** Rows the final fit is seeded and fitted on before all rows refine it. */
  sampleSize: number;
  /** k-means starts of the final fit. */
  nInit: number;
  selection?: Omit<SelectKOptions, 'seed'>;
}

export interface SegmentFitOutput {
  k: number;
  labels: Int32Array;
  centroids: Float64Array;
  inertia: number;
  iterations: number;
  converged: boolean;
  selection: KSelection | null;
}

/**
 * Chooses k (when not given) by sample silhouette, then fits k-means on all rows.
 *
 * @param input the scaled matrix and fit parameters
 * @param onProgress called with a fraction in [0, 1] (silhouette scan up to 0.7, final fit after)
 * @returns labels, centroids and the k-selection figures
 * @throws InvalidInputError when k or the range does not fit the row count
 * @example
 * const out = fitSegments({ values, rows, cols, kRange: [2, 12], seed: 1, sampleSize: 50_000, nInit: 4 });
 */
export function fitSegments(
  input: SegmentFitInput,
  onProgress?: (fraction: number) => void,
): SegmentFitOutput {
  const data = { values: input.values, rows: input.rows, cols: input.cols };
  let selection: KSelection | null = null;
  let k = input.k;
  if (k === undefined) {
    const [lo, hi] = input.kRange;
    if (hi > input.rows) {
      throw new InvalidInputError(
        `kRange max (${hi}) is larger than the number of members (${input.rows})`,
        'kRange',
      );
    }
    selection = selectK(data, [lo, hi], { ...input.selection, seed: input.seed });
    k = selection.k;
  }
  onProgress?.(0.7);
  const fit = kmeans(data, k, { seed: input.seed, nInit: input.nInit, sampleSize: input.sampleSize });
  onProgress?.(1);
  return {
    k,
    labels: fit.labels,
    centroids: fit.centroids,
    inertia: fit.inertia,
    iterations: fit.iterations,
    converged: fit.converged,
    selection,
  };
}
