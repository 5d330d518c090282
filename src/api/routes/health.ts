import { createRoute, z } from '@hono/zod-openapi';
import type { CoreDeps } from '../app-types.ts';
import { routeGroup } from '../ops-adapter.ts';

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

/** Liveness, on every runtime. */
export function healthRoutes(deps: CoreDeps) {
  return routeGroup().openapi(health, (c) => c.json({ status: 'ok' as const, version: deps.version }, 200));
}
