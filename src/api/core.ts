import { OpenAPIHono } from '@hono/zod-openapi';
import type { CoreDeps } from './app-types.ts';
import { auditTrail } from './audit.ts';
import { type ApiEnv, authenticate } from './auth.ts';
import { AuthFailureLimiter } from './auth-failures.ts';
import { bodyLimits } from './body-limits.ts';
import { finishDocument } from './openapi-doc.ts';
import { problemOnInvalid } from './ops-adapter.ts';
import { notFound, onError } from './problem.ts';
import { rateLimit } from './rate-limit.ts';
import { noNulInJson, wellFormedUrl } from './request-text.ts';
import { checkResponses } from './response-check.ts';
import { registerDocsRoutes } from './routes/docs.ts';
import { healthRoutes } from './routes/health.ts';

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
export function createCoreApp(deps: CoreDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: problemOnInvalid });
  app.onError(onError);
  app.notFound(notFound);
  app.use('*', wellFormedUrl());
  if (deps.checkResponses) app.use('*', checkResponses(app));
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'API key: `Authorization: Bearer lk_…`',
  });
  registerDocsRoutes(app, deps);
  app.get('/openapi.json', (c) =>
    c.json(
      finishDocument(
        app.getOpenAPI31Document({ ...OPENAPI_INFO, info: { ...OPENAPI_INFO.info, version: deps.version } }),
        new URL(c.req.url).origin,
      ),
    ),
  );
  const failures = new AuthFailureLimiter(deps.authFailureLimits);
  app.use(
    '/v1/*',
    authenticate(deps.keys, failures, deps.clientAddress),
    rateLimit(deps.rateLimits),
    bodyLimits(),
    noNulInJson(),
    auditTrail(deps.audit),
  );
  // Chained last so the returned app's type carries the route (the typed client's `AppType`).
  return app.route('/', healthRoutes(deps));
}
