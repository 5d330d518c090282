/**
 * The largest request body each route accepts, in one table. Every `/v1` request with a body gets
 * a limit: the route's own, or a small default, so no route can be sent a 200 MB JSON body that
 * the server then parses into memory. File uploads (`/v1/imports/{table}`) have their own,
 * configurable limit in the data routes.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ApiEnv } from './auth.ts';
import { problem, problemResponse } from './problem.ts';

const KB = 1024;
const MB = 1024 * KB;

/** Limit of any body-carrying route not listed below: enough for every small JSON request. */
export const DEFAULT_BODY_LIMIT = 64 * KB;

interface BodyLimit {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI-style path, `{name}` for a segment. */
  path: string;
  maxBytes: number;
}

/** Routes that need more than the default, with what makes them large. */
export const BODY_LIMITS: readonly BodyLimit[] = [
  // Seeds and exclusions may list up to 2,000,000 member IDs.
  { method: 'POST', path: '/v1/lookalike-models', maxBytes: 32 * MB },
  { method: 'POST', path: '/v1/lookalike-models/diagnose', maxBytes: 32 * MB },
  { method: 'POST', path: '/v1/audiences', maxBytes: 32 * MB },
  // 1,000 texts of up to 5,000 characters (3 bytes each in UTF-8, escaped in JSON).
  { method: 'POST', path: '/v1/needs/classify', maxBytes: 16 * MB },
];

/** Bodies the data routes limit themselves (file uploads). */
const OWN_LIMIT = /^\/v1\/imports\//;

function pattern(path: string): RegExp {
  const parts = path.split(/\{[^}]+\}/).map((p) => p.replace(/[.*+?^$()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('[^/]+')}$`);
}

const compiled = BODY_LIMITS.map((l) => ({ ...l, re: pattern(l.path) }));

/** The body limit of a request, in bytes; null when the route limits its own body. */
export function bodyLimitFor(method: string, path: string): number | null {
  if (OWN_LIMIT.test(path)) return null;
  return compiled.find((l) => l.method === method && l.re.test(path))?.maxBytes ?? DEFAULT_BODY_LIMIT;
}

const middlewares = new Map<number, MiddlewareHandler<ApiEnv>>();

function limiter(maxBytes: number): MiddlewareHandler<ApiEnv> {
  let m = middlewares.get(maxBytes);
  if (!m) {
    m = bodyLimit({
      maxSize: maxBytes,
      onError: (c) =>
        problemResponse(
          c,
          problem(
            'payload-too-large',
            413,
            `the request body is larger than this route's limit of ${maxBytes} bytes`,
            {
              limit: maxBytes,
            },
          ),
        ),
    });
    middlewares.set(maxBytes, m);
  }
  return m;
}

/** Applies each route's body limit (before the body is read: a declared length is checked at once). */
export function bodyLimits(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return next();
    const max = bodyLimitFor(method, c.req.path);
    if (max === null) return next();
    return limiter(max)(c, next);
  };
}
