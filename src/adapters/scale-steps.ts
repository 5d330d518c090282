/**
 * The local executor's step runner: each shard step of a scoring run runs in the worker pool,
 * reading and writing the workspace's artifact folder, so a run uses every core the pool has.
 */
import type { StepRunner } from '../scale/index.ts';
import type { TaskRunner } from '../schema/index.ts';

/**
 * @param pool - the worker pool (its size is how many shards score at once).
 * @param artifactsRoot - the folder of the workspace's artifact store (`FsArtifactStore.root`).
 * @example
 * await scoreSnapshotLocally(ws.artifacts, input, poolSteps(pool, ws.artifacts.root));
 */
export function poolSteps(pool: TaskRunner, artifactsRoot: string): StepRunner {
  return async (msg) => {
    await pool.run('scale-shard', { root: artifactsRoot, msg });
  };
}
