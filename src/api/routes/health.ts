import { createRoute, z } from '@hono/zod-openapi';
import type { ApiApp, CoreDeps } from '../app-types.ts';

const health = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['system'],
  summary: 'Liveness',
  responses: {
    200: {
      description: 'The server is up',
      content: { 'application/json': { schema: z.object({ status: z.literal('ok'), version: z.string() }) } },
    },
  },
});

/** The route definitions of this module, for the typed client (`AppType`). */
export const healthRoutes = { health } as const;

export function registerHealthRoutes(app: ApiApp, deps: CoreDeps): void {
  app.openapi(health, (c) => c.json({ status: 'ok' as const, version: deps.version }, 200));
}
