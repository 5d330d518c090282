import type { ApiApp } from './app-types.ts';
import { audiencesRoutes as audiences } from './routes/audiences.ts';
import { dataRoutes as data } from './routes/data.ts';
import { exportsRoutes as exports } from './routes/exports.ts';
import { healthRoutes as health } from './routes/health.ts';
import { jobsRoutes as jobs } from './routes/jobs.ts';
import { keysRoutes as keys } from './routes/keys.ts';
import { modelsRoutes as models } from './routes/models.ts';
import { needsRoutes as needs } from './routes/needs.ts';
import { segmentationsRoutes as segmentations } from './routes/segmentations.ts';

const handler = null as never;

/**
 * Never called: the return type of this chain carries every route's path, method, input and
 * response schemas, which `createApp` cannot (it mounts routes conditionally on its
 * dependencies). The chain lists the same route definitions the modules register.
 */
export function typedRoutes(app: ApiApp) {
  return app
    .openapi(health.health, handler)
    .openapi(keys.create, handler)
    .openapi(keys.list, handler)
    .openapi(keys.revoke, handler)
    .openapi(keys.audit, handler)
    .openapi(jobs.get, handler)
    .openapi(jobs.list, handler)
    .openapi(jobs.events, handler)
    .openapi(jobs.cancel, handler)
    .openapi(data.tables, handler)
    .openapi(data.describeTable, handler)
    .openapi(data.importRoute, handler)
    .openapi(segmentations.train, handler)
    .openapi(segmentations.list, handler)
    .openapi(segmentations.get, handler)
    .openapi(segmentations.affinity, handler)
    .openapi(segmentations.siteVisitors, handler)
    .openapi(needs.classify, handler)
    .openapi(needs.themes, handler)
    .openapi(needs.retrain, handler)
    .openapi(needs.mix, handler)
    .openapi(models.train, handler)
    .openapi(models.diagnose, handler)
    .openapi(models.list, handler)
    .openapi(models.get, handler)
    .openapi(models.frontier, handler)
    .openapi(models.explain, handler)
    .openapi(audiences.create, handler)
    .openapi(audiences.list, handler)
    .openapi(audiences.get, handler)
    .openapi(audiences.relax, handler)
    .openapi(exports.createShare, handler)
    .openapi(exports.listAudienceShares, handler)
    .openapi(exports.removeShare, handler)
    .openapi(exports.listShared, handler)
    .openapi(exports.exportRoute, handler);
}

/**
 * The API's type for a typed client:
 * @example
 * import { hc } from 'hono/client';
 * const api = hc<AppType>('http://127.0.0.1:8787', { headers: { authorization: `Bearer ${key}` } });
 * const res = await api.v1.audiences[':id'].$get({ param: { id: 'au_demo_top_segment' }, query: {} });
 */
export type AppType = ReturnType<typeof typedRoutes>;
