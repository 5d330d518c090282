import type { ApiApp, ApiDeps } from './app-types.ts';
import { createCoreApp } from './core.ts';
import { registerAudienceRoutes } from './routes/audiences.ts';
import { registerDataRoutes } from './routes/data.ts';
import { registerExportRoutes } from './routes/exports.ts';
import { registerJobRoutes } from './routes/jobs.ts';
import { registerKeyRoutes } from './routes/keys.ts';
import { registerModelRoutes } from './routes/models.ts';
import { registerNeedRoutes } from './routes/needs.ts';
import { registerSegmentationRoutes } from './routes/segmentations.ts';

/**
 * Builds the full HTTP app (the Node compute server) over the given dependencies. Routes whose
 * dependency is absent are not mounted, so `/openapi.json` always describes exactly what this
 * instance serves.
 *
 * @example
 * const app = createApp({ version: '0.1.0', keys: new MemoryKeyStore(), audit: new MemoryAuditLog() });
 * const res = await app.request('/healthz');
 */
export function createApp(deps: ApiDeps): ApiApp {
  const app = createCoreApp(deps);
  registerExportRoutes(app, deps); // first: its ad-platform gate guards every /v1/audiences route
  registerKeyRoutes(app, deps);
  registerJobRoutes(app, deps);
  registerDataRoutes(app, deps);
  registerSegmentationRoutes(app, deps);
  registerNeedRoutes(app, deps);
  registerModelRoutes(app, deps);
  registerAudienceRoutes(app, deps);
  return app;
}
