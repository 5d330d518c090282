/**
 * Job handlers of the domain work the API starts: segmentation, lookalike training, need-model
 * retraining and audience materialisation. CPU-heavy steps run in worker threads of `pool`
 * (k-means, TensorFlow.js training, tokenising and training a need classifier); the DuckDB work
 * stays on this thread's async connection. Every artifact is published by the domain layer with
 * write-then-rename, so a failed or cancelled job leaves nothing half-written.
 */
import { type CreateAudienceOptions, createAudience } from '../audience/index.ts';
import {
  type NetworkTrainer,
  type TrainedNetwork,
  type TrainLookalikeOptions,
  trainLookalike,
} from '../lookalike/index.ts';
import {
  clearClassifierCache,
  type NeedModelManifest,
  type TokenizerPool,
  trainTheme,
} from '../needs/index.ts';
import { runSegmentation, type SegmentationOptions, type SegmentFitOutput } from '../segment/index.ts';
import type { Workspace } from '../store/index.ts';
import { defineJob, type JobContext, type JobHandler } from './job.ts';
import type { WorkerPool } from './worker-pool.ts';

/** Job kinds of the domain work, as the routes submit them. */
export const DOMAIN_JOBS = {
  segmentation: 'segmentation',
  lookalike: 'lookalike-train',
  needs: 'needs-train',
  audience: 'audience',
} as const;

export interface DomainJobOptions {
  /** Worker threads for the heavy steps; without one they run on this thread (tests, CLI). */
  pool?: WorkerPool;
  /** Where retrained need models are published (`<dir>/<theme>/`). */
  needModelsDir: string;
  /** Tokenizer threads for the need mix of new audiences (otherwise this thread tokenizes). */
  tokenizers?: TokenizerPool;
  /** Pins the TF.js backend of lookalike training (tests pin 'wasm'). */
  lookalikeBackend?: TrainLookalikeOptions['backend'];
}

export interface NeedsTrainParams {
  theme: string;
  seed?: number;
}

export interface NeedsTrainResult {
  theme: string;
  dir: string;
  version: string;
  seconds: number;
  metrics: NeedModelManifest['metrics'];
  location: string;
}

/** Progress that also stops the domain code at its next report once the job is cancelled. */
const reporter = (ctx: JobContext) => (fraction: number, message: string) => {
  ctx.throwIfCancelled();
  ctx.progress(fraction, message);
};

export function segmentationJob(ws: Workspace, pool?: WorkerPool): JobHandler {
  return defineJob(async (params: SegmentationOptions, ctx) => {
    const m = await runSegmentation(ws, params, {
      progress: reporter(ctx),
      ...(pool
        ? {
            runKmeans: (input) =>
              pool.run<SegmentFitOutput>('segment-fit', input, [input.values.buffer as ArrayBuffer]),
          }
        : {}),
    });
    return {
      segmentationId: m.id,
      k: m.params.k,
      members: m.data.members,
      location: `/v1/segmentations/${m.id}`,
    };
  });
}

/** Trains each candidate network on a worker thread; the data are copied, since every candidate reads them. */
export function poolTrainer(pool: WorkerPool): NetworkTrainer {
  return (train, validation, params, hooks) =>
    pool.run<TrainedNetwork>('lookalike-train', { train, validation, params }, [], (f, msg) =>
      hooks?.progress?.(f, msg),
    );
}

export function lookalikeJob(ws: Workspace, options: DomainJobOptions): JobHandler {
  return defineJob(async (params: TrainLookalikeOptions, ctx) => {
    const { id, manifest } = await trainLookalike(
      ws,
      { ...(options.lookalikeBackend ? { backend: options.lookalikeBackend } : {}), ...params },
      {
        progress: reporter(ctx),
        signal: ctx.signal,
        ...(options.pool ? { trainer: poolTrainer(options.pool) } : {}),
      },
    );
    return {
      modelId: id,
      architecture: manifest.architecture,
      diagnostics: manifest.diagnostics,
      location: `/v1/lookalike-models/${id}`,
    };
  });
}

export function needsTrainJob(options: DomainJobOptions): JobHandler {
  return defineJob(async (params: NeedsTrainParams, ctx): Promise<NeedsTrainResult> => {
    ctx.progress(0, `training ${params.theme}`);
    const out = options.pool
      ? await options.pool.run<{ dir: string; manifest: NeedModelManifest; seconds: number }>(
          'needs-train',
          { theme: params.theme, modelsDir: options.needModelsDir, seed: params.seed },
          [],
          (f, msg) => ctx.progress(f * 0.95, msg),
        )
      : await trainTheme(params.theme, {
          modelsDir: options.needModelsDir,
          ...(params.seed !== undefined ? { params: { seed: params.seed } } : {}),
          onProgress: (q) => ctx.progress(q.total ? (0.95 * q.done) / q.total : 0, q.stage),
        }).then((r) => ({ dir: r.dir, manifest: r.manifest, seconds: r.result.seconds }));
    // The worker published the model; this thread's cached classifiers are now stale.
    clearClassifierCache();
    return {
      theme: params.theme,
      dir: out.dir,
      version: out.manifest.version,
      seconds: out.seconds,
      metrics: out.manifest.metrics,
      location: `/v1/needs/themes`,
    };
  });
}

export function audienceJob(ws: Workspace, tokenizers?: TokenizerPool): JobHandler {
  return defineJob(async (params: CreateAudienceOptions, ctx) => {
    // The need mix tokenizes texts: on the server's tokenizer threads, not the request thread.
    const options =
      tokenizers && params.needMix !== false
        ? { ...params, needMix: { ...params.needMix, pool: tokenizers } }
        : params;
    const a = await createAudience(ws, options, { progress: reporter(ctx), signal: ctx.signal });
    const m = a.manifest;
    return {
      audienceId: m.id,
      size: m.size,
      reached: m.reached,
      expectedPrecision: m.expectedPrecision,
      ci: m.ci,
      location: `/v1/audiences/${m.id}`,
    };
  });
}

/**
 * Every domain job handler by kind, for a `JobQueue` over `ws`.
 *
 * @example
 * const jobs = new JobQueue(store, { ...domainJobs(ws, { pool, needModelsDir }), import: importJob(data) });
 */
export function domainJobs(ws: Workspace, options: DomainJobOptions): Record<string, JobHandler> {
  return {
    [DOMAIN_JOBS.segmentation]: segmentationJob(ws, options.pool),
    [DOMAIN_JOBS.lookalike]: lookalikeJob(ws, options),
    [DOMAIN_JOBS.needs]: needsTrainJob(options),
    [DOMAIN_JOBS.audience]: audienceJob(ws, options.tokenizers),
  };
}
