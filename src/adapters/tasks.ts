/**
 * CPU-heavy functions that run in the pool's worker threads, by name. Loaded lazily so a thread
 * pays only for the modules its tasks use (TF.js, kuromoji's 320 MB dictionary).
 */
export type TaskFn = (
  payload: never,
  progress: (fraction: number, message?: string) => void,
) => unknown | Promise<unknown>;

export const TASKS: Readonly<Record<string, () => Promise<TaskFn>>> = {
  /**
   * Loads the named tasks' modules on this thread, then waits until `threads` warm tasks have
   * arrived (a counter in shared memory), so `threads` of them at once land on as many distinct
   * threads (a thread runs one task at a time). Returns this thread's ID. See `WorkerPool.warm`.
   */
  warm: async () => {
    const { threadId } = await import('node:worker_threads');
    return (async (p: { names: string[]; arrived: Int32Array; threads: number; timeoutMs: number }) => {
      for (const name of p.names) {
        const load = TASKS[name];
        if (!load)
          throw new Error(`unknown worker task "${name}"; tasks are ${Object.keys(TASKS).join(', ')}`);
        await load();
      }
      Atomics.add(p.arrived, 0, 1);
      const until = performance.now() + p.timeoutMs;
      while (Atomics.load(p.arrived, 0) < p.threads && performance.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      return threadId;
    }) as TaskFn;
  },
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
   * Runs the members-universe exact logistic's cross-validated fits (`crossFitIrls`): payload
   * `{ data, folds, grid, penaltyScale? }`, reporting a fraction per fold. Tens of Newton fits
   * would otherwise hold the server's event loop for tens of seconds.
   */
  'lookalike-crossfit': async () => {
    const { crossFitIrls } = await import('../lookalike/irls-train.ts');
    return ((
      p: {
        data: Parameters<typeof crossFitIrls>[0];
        folds: Uint8Array;
        grid: number[];
        penaltyScale?: Float64Array;
      },
      progress: (fraction: number, message?: string) => void,
    ) =>
      crossFitIrls(p.data, p.folds, p.grid, p.penaltyScale, (f) =>
        progress(f, 'cross-validating'),
      )) as TaskFn;
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
   * Runs one shard step of a scoring run (`scale/run.ts`) on the artifact folder `root`:
   * payload `{ root, msg }`; results are files in the run, so nothing comes back.
   */
  'scale-shard': async () => {
    const { runShardPass } = await import('../scale/run.ts');
    const { FsArtifactStore } = await import('../store/fs-artifacts.ts');
    const stores = new Map<string, InstanceType<typeof FsArtifactStore>>();
    return (async (p: { root: string; msg: Parameters<typeof runShardPass>[1] }) => {
      const store = stores.get(p.root) ?? new FsArtifactStore(p.root);
      stores.set(p.root, store);
      await runShardPass(store, p.msg);
    }) as TaskFn;
  },
  /**
   * Scores rows `[from, to)` of a CSR into `out[from .. to)` (probabilities, or logits) with the
   * kernel: the unit of all-cores scoring. With `x` and `out` in SharedArrayBuffers the threads
   * share the rows and the output without copying. Returns the thread's scoring time in ms.
   */
  'lookalike-score-rows': async () => {
    const { logitsRange, probabilitiesRange } = await import('../lookalike/kernel.ts');
    return ((p: {
      model: Parameters<typeof logitsRange>[0];
      x: Parameters<typeof logitsRange>[1];
      out: Float32Array;
      from: number;
      to: number;
      probabilities: boolean;
    }) => {
      const t = performance.now();
      const score = p.probabilities ? probabilitiesRange : logitsRange;
      score(p.model, p.x, p.out.subarray(p.from, p.to), p.from, p.to);
      return performance.now() - t;
    }) as TaskFn;
  },
  /**
   * Retrains a need theme from its corpus and publishes it to `<modelsDir>/<theme>/` (staged, then
   * renamed into place): payload `{ theme, modelsDir, seed? }`, returns the manifest. Tokenizing
   * and TensorFlow.js training both run in the worker.
   */
  'needs-train': async () => {
    const { trainTheme } = await import('../needs/train-theme.ts');
    const { nodeNeedFiles } = await import('./need-files.ts');
    return (async (
      p: { theme: string; modelsDir: string; seed?: number },
      progress: (fraction: number, message?: string) => void,
    ) => {
      const { manifest, dir, result } = await trainTheme(nodeNeedFiles, p.theme, {
        modelsDir: p.modelsDir,
        ...(p.seed !== undefined ? { params: { seed: p.seed } } : {}),
        onProgress: (q) => progress(q.total ? q.done / q.total : 0, q.stage),
      });
      return { theme: p.theme, dir, manifest, seconds: result.seconds };
    }) as TaskFn;
  },
  /** Tokenizes sentences with kuromoji: payload `{ sentences }`, returns one token list per sentence. */
  tokenize: async () => {
    const { tokenizeKuromoji } = await import('../needs/tokenize/kuromoji.ts');
    return ((p: { sentences: string[] }) => tokenizeKuromoji(p.sentences)) as TaskFn;
  },
  /** Reports progress every few milliseconds until stopped from outside (tests of cancellation). */
  'spin-with-progress':
    async () =>
    async (_payload: Record<string, never>, progress: (fraction: number, message?: string) => void) => {
      for (let i = 0; ; i++) {
        progress(0.5, `spinning ${i}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
  /** Throws, so tests can see how worker errors surface. */
  'fail-with': async () => (payload: { message: string }) => {
    throw new Error(payload.message);
  },
};
