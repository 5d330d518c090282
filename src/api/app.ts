import { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiApp, ApiDeps } from './app-types.ts';
import { auditTrail } from './audit.ts';
import { type ApiEnv, authenticate } from './auth.ts';
import { notFound, onError, validationHook } from './problem.ts';
import { rateLimit } from './rate-limit.ts';
import { registerDataRoutes } from './routes/data.ts';
import { registerDocsRoutes } from './routes/docs.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerJobRoutes } from './routes/jobs.ts';
import { registerKeyRoutes } from './routes/keys.ts';

export const OPENAPI_INFO = {
  openapi: '3.1.0',
  info: {
    title: 'Lookalike audience and segmentation engine',
    description:
      'Segments members from ID-POS data, learns third-party affinities, trains lookalike scorers and serves audiences ' +
      'with calibrated size/precision estimates. Errors are application/problem+json (RFC 9457).',
  },
};

/**
 * Builds the HTTP app over the given dependencies; the same factory serves Node (all routes)
 * and, with fewer dependencies, Cloudflare Workers. Routes whose dependency is absent are not
 * mounted, so `/openapi.json` always describes exactly what this instance serves.
 *
 * @example
 * const app = createApp({ version: '0.1.0', keys: new MemoryKeyStore(), audit: new MemoryAuditLog() });
 * const res = await app.request('/healthz');
 */
export function createApp(deps: ApiDeps): ApiApp {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook as never });
  app.onError(onError);
  app.notFound(notFound);
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'API key: `Authorization: Bearer lk_…`',
  });

  registerHealthRoutes(app, deps);
  registerDocsRoutes(app, deps);
  app.get('/openapi.json', (c) =>
    c.json(
      app.getOpenAPI31Document({ ...OPENAPI_INFO, info: { ...OPENAPI_INFO.info, version: deps.version } }),
    ),
  );

  app.use('/v1/*', authenticate(deps.keys), rateLimit(deps.rateLimits), auditTrail(deps.audit));
  registerKeyRoutes(app, deps);
  registerJobRoutes(app, deps);
  registerDataRoutes(app, deps);
  return app;
}
