/**
 * Checks every JSON response against the schema its route declares (tests turn it on with
 * `checkResponses`): the OpenAPI document and the typed client are only as true as these
 * schemas, so a handler that returns another shape fails loudly instead of drifting.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { describeIssues } from '../ops/parse.ts';
import type { ApiEnv } from './auth.ts';

type Schemas = Map<string, Map<number, z.ZodType>>;

function schemasOf(app: OpenAPIHono<ApiEnv>): Schemas {
  const out: Schemas = new Map();
  for (const def of app.openAPIRegistry.definitions) {
    if (def.type !== 'route') continue;
    const byStatus = new Map<number, z.ZodType>();
    for (const [status, response] of Object.entries(def.route.responses ?? {})) {
      const content = (response as { content?: Record<string, { schema?: unknown }> }).content ?? {};
      for (const [type, media] of Object.entries(content)) {
        if (
          /^application\/(problem\+)?json/.test(type) &&
          media.schema &&
          typeof (media.schema as z.ZodType).safeParse === 'function'
        )
          byStatus.set(Number(status), media.schema as z.ZodType);
      }
    }
    const path = def.route.path.replaceAll(/\{([^}]+)\}/g, ':$1');
    out.set(`${def.route.method.toUpperCase()} ${path}`, byStatus);
  }
  return out;
}

/** Middleware that throws (a 500 in tests) when a JSON response does not match its declared schema. */
export function checkResponses(app: OpenAPIHono<ApiEnv>): MiddlewareHandler<ApiEnv> {
  let schemas: Schemas | null = null;
  return async (c, next) => {
    await next();
    const type = c.res.headers.get('content-type') ?? '';
    if (!/^application\/(problem\+)?json/.test(type) || c.res.status === 204) return;
    schemas ??= schemasOf(app);
    const route = `${c.req.method} ${c.req.routePath}`;
    const schema = schemas.get(route)?.get(c.res.status);
    if (!schema) {
      if (schemas.has(route) && c.res.status < 300)
        throw new Error(`${route} answered ${c.res.status}, a status its route does not declare`);
      return;
    }
    const result = schema.safeParse(await c.res.clone().json());
    if (!result.success) {
      throw new Error(
        `${route} answered ${c.res.status} with a body that does not match its schema: ${describeIssues(result.error.issues, 'body')}`,
      );
    }
  };
}
