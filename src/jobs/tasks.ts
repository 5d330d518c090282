/**
 * CPU-heavy functions that job handlers run in worker threads, by name. Loaded lazily so a
 * worker pays only for the modules its tasks use.
 */
export type TaskFn = (
  payload: never,
  progress: (fraction: number, message?: string) => void,
) => unknown | Promise<unknown>;

export const TASKS: Readonly<Record<string, () => Promise<TaskFn>>> = {
  /** Sums a Float64Array: a cheap task that proves the pool works end to end. */
  'sum-array': async () => (payload: { values: Float64Array }) => {
    let s = 0;
    for (const v of payload.values) s += v;
    return s;
  },
  /**
   * Chooses k (unless given) and fits k-means for a segmentation: pass it as
   * `runSegmentation(ws, options, { runKmeans: (input) => pool.run('segment-fit', input, [input.values.buffer]) })`.
   */
  'segment-fit': async () => (await import('../segment/fit.ts')).fitSegments as TaskFn,
  /**
   * Trains one lookalike network (logistic or MLP) on typed arrays and returns its weights: pass
   * it as `trainLookalike(ws, options, { trainer: (train, validation, params) =>
   * pool.run('lookalike-train', { train, validation, params }) })`.
   */
  'lookalike-train': async () => {
    const { trainNetwork } = await import('../lookalike/tf-train.ts');
    return ((
      p: {
        train: Parameters<typeof trainNetwork>[0];
        validation: Parameters<typeof trainNetwork>[1];
        params: Parameters<typeof trainNetwork>[2];
      },
      progress: (fraction: number, message?: string) => void,
    ) =>
      trainNetwork(p.train, p.validation, p.params, {
        progress: (f: number) => progress(f, 'training'),
      })) as TaskFn;
  },
  /**
   * Scores CSR rows with a portable model (logits), so universe batches can be scored off the
   * event loop: payload `{ model, x }`, returns a Float32Array.
   */
  'lookalike-score': async () => {
    const { scoreLogits } = await import('../lookalike/kernel.ts');
    return ((p: { model: Parameters<typeof scoreLogits>[0]; x: Parameters<typeof scoreLogits>[1] }) =>
      scoreLogits(p.model, p.x)) as TaskFn;
  },
  /**
   * Retrains a need theme from its corpus and publishes it to `<modelsDir>/<theme>/` (staged, then
   * renamed into place): payload `{ theme, modelsDir, seed? }`, returns the manifest. Tokenizing
   * and TensorFlow.js training both run in the worker.
   */
  'needs-train': async () => {
    const { trainTheme } = await import('../needs/train-theme.ts');
    return (async (
      p: { theme: string; modelsDir: string; seed?: number },
      progress: (fraction: number, message?: string) => void,
    ) => {
      const { manifest, dir, result } = await trainTheme(p.theme, {
        modelsDir: p.modelsDir,
        ...(p.seed !== undefined ? { params: { seed: p.seed } } : {}),
        onProgress: (q) => progress(q.total ? q.done / q.total : 0, q.stage),
      });
      return { theme: p.theme, dir, manifest, seconds: result.seconds };
    }) as TaskFn;
  },
  /** Throws, so tests can see how worker errors surface. */
  'fail-with': async () => (payload: { message: string }) => {
    throw new Error(payload.message);
  },
};
