import type { ArtifactStore } from '../store/artifacts.ts';
import type { ApiApp, CoreDeps } from './app-types.ts';
import { createCoreApp } from './core.ts';

/** What the Worker has: artifacts in R2, keys from its configuration, no DuckDB, no job queue. */
export interface WorkerDeps extends CoreDeps {
  artifacts: ArtifactStore;
}

/**
 * The read path for ad platforms and posted-profile scoring, for Cloudflare Workers. It imports
 * nothing Node-only (no DuckDB, kuromoji, arquero expressions or tfjs-node); the workerd test
 * bundles it to prove that.
 */
export function createWorkerApp(deps: WorkerDeps): ApiApp {
  return createCoreApp(deps);
}
