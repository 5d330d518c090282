/**
 * Scoring a model's universe from a snapshot (`src/scale`): the snapshot is found (or built once
 * for the data version and feature spec), every shard is scored on the server's worker threads,
 * the shard histograms merge into the frontier, and a second pass writes the audience's members.
 * Long work: a job whose progress counts shards done; `lookalike.scoreRunStatus` reports a run's
 * shards done and failed (the same files a Cloudflare run writes).
 */
import { z } from 'zod';
import { loadLookalikeModel } from '../../lookalike/index.ts';
import {
  DEFAULT_SHARD_ROWS,
  ensureSnapshot,
  inProcessSteps,
  modelExclusions,
  runStatus,
  type StepRunner,
  scoreSnapshotLocally,
} from '../../scale/index.ts';
import type { TaskRunner } from '../../schema/index.ts';
import type { Workspace } from '../../store/index.ts';
import { ArtifactId, IdList } from '../fields.ts';
import { defineOp, type OpContext, wsOf } from '../operation.ts';

const Roles = ['data_scientist'] as const;

export const ScoreSnapshotInput = z
  .object({
    modelId: ArtifactId.meta({ description: 'the lookalike model to score its universe with' }),
    size: z
      .number()
      .int()
      .min(1)
      .max(10_000_000)
      .default(10_000)
      .meta({ description: 'audience size: the members pass writes the top `size` (default 10,000)' }),
    shardRows: z
      .number()
      .int()
      .min(1_000)
      .max(1_000_000)
      .default(DEFAULT_SHARD_ROWS)
      .meta({ description: 'rows per shard when the snapshot has to be built (default 250,000)' }),
    runId: ArtifactId.optional().meta({ description: 'run id (default: a new sr_… id)' }),
    exclusions: IdList('further IDs to leave out, on top of the model’s').optional(),
  })
  .strict();

/**
 * What every executor of a snapshot run starts from: the model, its snapshot (found, or built
 * once for the data version and spec), the exclusions and the run id.
 */
export async function planSnapshotRun(ctx: OpContext, input: z.output<typeof ScoreSnapshotInput>) {
  const ws = wsOf(ctx);
  const model = await loadLookalikeModel(ws.artifacts, input.modelId);
  ctx.progress(0, 'snapshot');
  const { manifest, built } = await ensureSnapshot(
    ws,
    model.model.spec,
    model.manifest.universe,
    input.shardRows,
  );
  const runId = input.runId ?? `sr_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  return {
    plan: {
      runId,
      snapshot: manifest,
      model: model.model,
      calibration: model.calibration,
      excludedIds: await modelExclusions(ws, model, input.exclusions ?? []),
      targetSize: input.size,
      frontierSteps: 50,
    },
    snapshot: { key: manifest.key, rows: manifest.rows, shards: manifest.shards.length, built },
  };
}

/** Shard steps on the worker pool (task `scale-shard`), or on this thread without one. */
function stepsFor(ws: Workspace, runner: TaskRunner | undefined): StepRunner {
  if (!runner || !('root' in ws.artifacts)) return inProcessSteps(ws.artifacts);
  const root = ws.artifacts.root;
  return async (msg) => {
    await runner.run('scale-shard', { root, msg });
  };
}

export const scoreSnapshotOp = defineOp({
  name: 'lookalike.scoreSnapshot',
  summary: 'Score a model’s universe from its snapshot (built once per data version) on all cores',
  input: ScoreSnapshotInput,
  roles: Roles,
  long: true,
  run: async (ctx, input) => {
    const ws = wsOf(ctx);
    const { plan, snapshot } = await planSnapshotRun(ctx, input);
    const runId = plan.runId;
    const out = await scoreSnapshotLocally(ws.artifacts, plan, stepsFor(ws, ctx.runner), {
      onProgress: (f, message) => ctx.progress(message.startsWith('pass 1') ? f / 2 : 0.5 + f / 2, message),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    return {
      runId,
      snapshot,
      scored: out.cut.scored,
      size: out.members.ids.length,
      frontier: out.cut.frontier,
      status: await runStatus(ws.artifacts, runId),
      members: `scale-runs/${runId}/members.arrow`,
    };
  },
});

export const scoreRunStatusOp = defineOp({
  name: 'lookalike.scoreRunStatus',
  summary: 'Shards done and failed of a snapshot scoring run',
  input: z.object({ runId: ArtifactId }).strict(),
  roles: Roles,
  long: false,
  run: async (ctx, input) => runStatus(wsOf(ctx).artifacts, input.runId),
});
