import { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiApp, CoreDeps } from './app-types.ts';
import { auditTrail } from './audit.ts';
import { type ApiEnv, authenticate } from './auth.ts';
import { notFound, onError, validationHook } from './problem.ts';
import { rateLimit } from './rate-limit.ts';
import { registerDocsRoutes } from './routes/docs.ts';
import { registerHealthRoutes } from './routes/health.ts';

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
 * The part every runtime shares: problem+json errors, the OpenAPI document, docs, health, and
 * bearer authentication, rate limits and the audit trail on `/v1/*`. Runtimes add their routes.
 */
export function createCoreApp(deps: CoreDeps): ApiApp {
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
  return app;
}
