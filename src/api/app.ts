import type { ApiDeps } from './app-types.ts';
import { createCoreApp } from './core.ts';
import { need } from './ops-adapter.ts';
import { audienceRoutes } from './routes/audiences.ts';
import { backtestRoutes } from './routes/backtests.ts';
import { dataRoutes } from './routes/data.ts';
import { exportRoutes } from './routes/exports.ts';
import { jobRoutes } from './routes/jobs.ts';
import { keyRoutes } from './routes/keys.ts';
import { ladderRoutes } from './routes/ladders.ts';
import { modelLifecycleRoutes } from './routes/model-lifecycle.ts';
import { modelRoutes } from './routes/models.ts';
import { needRoutes } from './routes/needs.ts';
import { opsRoutes } from './routes/ops.ts';
import { scoreRoutes } from './routes/score.ts';
import { segmentationRoutes } from './routes/segmentations.ts';
import { studioRoutes } from './routes/studio.ts';

/**
 * Builds the full HTTP app (the Node compute server) over the given dependencies. Route groups are
 * chained, so the app's type carries every route (it is the typed client's `AppType`); a route whose
 * dependency this server lacks answers 503 naming it.
 *
 * @example
 * const app = createApp({ version: '0.1.0', keys: new MemoryKeyStore(), audit: new MemoryAuditLog() });
 * const res = await app.request('/healthz');
 */
export function createApp(deps: ApiDeps) {
  return (
    createCoreApp(deps)
      // First: its ad-platform gate guards every /v1/audiences route mounted after it.
      .route('/', exportRoutes(deps))
      .route('/', dataRoutes(deps))
      .route('/', audienceRoutes(deps))
      .route(
        '/',
        scoreRoutes(() => need(deps.workspace, 'workspace').artifacts),
      )
      .route('/', keyRoutes(deps))
      .route('/', jobRoutes(deps))
      .route('/', segmentationRoutes(deps))
      // Before modelRoutes: /v1/lookalike-models/compare must not be read as a model id.
      .route('/', modelLifecycleRoutes(deps))
      .route('/', modelRoutes(deps))
      .route('/', backtestRoutes(deps))
      .route('/', needRoutes(deps))
      .route('/', ladderRoutes(deps))
      .route('/', opsRoutes(deps))
      .route('/', studioRoutes(deps))
  );
}
