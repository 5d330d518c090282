import { z } from 'zod';
import {
  clearClassifierCache,
  DEFAULT_TRAIN_PARAMS,
  type NeedModelManifest,
  trainTheme,
} from '../../needs/index.ts';
import { RandomSeed } from '../fields.ts';
import { defineOp } from '../operation.ts';
import { ThemeId } from './classify.ts';
import { needFilesOf, requireTrainable } from './context.ts';

export const RetrainInput = z
  .object({
    theme: ThemeId,
    seed: RandomSeed.default(DEFAULT_TRAIN_PARAMS.seed).meta({
      description: `random seed of training (default ${DEFAULT_TRAIN_PARAMS.seed}, the shipped models' seed)`,
    }),
  })
  .strict()
  .meta({ id: 'NeedModelRequest' });

/** What a retraining reports; never the server folder it published to (jobs are shown to clients). */
export interface RetrainResult {
  theme: string;
  version: string;
  seconds: number;
  metrics: NeedModelManifest['metrics'];
  location: string;
}

export const retrainNeedsOp = defineOp({
  name: 'needs.retrain',
  summary: "Retrain a theme's need classifier from its labelled corpus and publish it to the workspace",
  input: RetrainInput,
  roles: ['data_scientist'],
  long: true,
  precheck: async (ctx, input) => requireTrainable(needFilesOf(ctx), input.theme),
  run: async (ctx, input): Promise<RetrainResult> => {
    const files = needFilesOf(ctx);
    requireTrainable(files, input.theme);
    ctx.progress(0, `training ${input.theme}`);
    const runner = ctx.runner;
    // Tokenizing and TensorFlow.js training both run on a worker thread when there is one.
    const out = runner
      ? await runner.run<{ manifest: NeedModelManifest; seconds: number }>(
          'needs-train',
          { theme: input.theme, modelsDir: ctx.needModelsDir, seed: input.seed },
          {
            onProgress: (f, msg) => ctx.progress(f * 0.95, msg),
            ...(ctx.signal ? { signal: ctx.signal } : {}),
          },
        )
      : await trainTheme(files, input.theme, {
          modelsDir: ctx.needModelsDir,
          params: { seed: input.seed },
          onProgress: (q) => ctx.progress(q.total ? (0.95 * q.done) / q.total : 0, q.stage),
        }).then((r) => ({ manifest: r.manifest, seconds: r.result.seconds }));
    // The model was published (maybe by a worker): this thread's cached classifiers are stale.
    clearClassifierCache();
    return {
      theme: input.theme,
      version: out.manifest.version,
      seconds: out.seconds,
      metrics: out.manifest.metrics,
      location: '/v1/needs/themes',
    };
  },
});
