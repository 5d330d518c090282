import type { ArtifactStore } from '../store/artifacts.ts';
import type { CoreDeps } from './app-types.ts';
import { createCoreApp } from './core.ts';
import { workerExportRoutes } from './routes/pulls.ts';
import { scoreRoutes } from './routes/score.ts';

/** What the Worker has: artifacts in R2, keys from its configuration, no DuckDB, no job queue. */
export interface WorkerDeps extends CoreDeps {
  artifacts: ArtifactStore;
  /** Smallest audience released to a destination (default 100). */
  exportMinSize?: number;
}

/**
 * The read path for ad platforms and posted-profile scoring, for Cloudflare Workers: health,
 * the same pull routes and ad-platform rules as Node (shares and releases read from R2; they are
 * made on the Node side and synced by `lookalike worker-sync`), and scoring with exported models
 * under the same roles as Node. It imports nothing Node-only (no DuckDB, kuromoji, arquero
 * expressions or tfjs-node); the bundle test proves that.
 *
 * @example
 * const app = createWorkerApp({ version: '0.1.0', keys, audit, artifacts: new R2ArtifactStore(env.ARTIFACTS) });
 * await app.request('/v1/audiences/au_1/export?format=csv', { headers: { authorization: `Bearer ${key}` } });
 */
export function createWorkerApp(deps: WorkerDeps) {
  return createCoreApp(deps)
    .route('/', workerExportRoutes(deps))
    .route(
      '/',
      scoreRoutes(() => deps.artifacts),
    );
}
