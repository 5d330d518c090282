import type { MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { type Principal, verifyApiKey } from '../ops/keys/api-keys.ts';
import type { ApiKeyStore, Role } from '../schema/index.ts';
import { AuthFailureLimiter, type ClientAddress, unknownClient } from './auth-failures.ts';
import { problem, problemResponse } from './problem.ts';

export type ApiEnv = { Variables: { principal: Principal } };

/**
 * Reads the bearer key and sets `principal`; 401 with a reason when it is missing or not valid,
 * 429 once the client's address has failed too often (see `auth-failures.ts`).
 */
export function authenticate(
  keys: ApiKeyStore,
  failures: AuthFailureLimiter = new AuthFailureLimiter(),
  clientAddress: ClientAddress = unknownClient,
): MiddlewareHandler<ApiEnv> {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const address = clientAddress(c);
    const wait = failures.retryAfter(address);
    if (wait > 0) {
      return problemResponse(
        c,
        problem('rate-limited', 429, `too many failed authentications from this address; retry in ${wait} s`),
        { 'retry-after': String(wait) },
      );
    }
    const header = c.req.header('authorization');
    const challenge = { 'www-authenticate': 'Bearer realm="lookalike"' };
    if (!header) {
      return problemResponse(
        c,
        problem('unauthorized', 401, 'missing Authorization header; send "Authorization: Bearer <API key>"'),
        challenge,
      );
    }
    const [scheme, token] = header.split(/\s+/, 2);
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      return problemResponse(
        c,
        problem('unauthorized', 401, 'the Authorization header must be "Bearer <API key>"'),
        challenge,
      );
    }
    const principal = await verifyApiKey(keys, token);
    if (!principal) {
      failures.fail(address);
      return problemResponse(
        c,
        problem('unauthorized', 401, 'the API key is not valid or has been revoked'),
        challenge,
      );
    }
    c.set('principal', principal);
    await next();
  });
}

/** 403 unless the caller has one of `roles` (admin passes every check). */
export function requireRole(...roles: Role[]): MiddlewareHandler<ApiEnv> {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const { role } = c.get('principal');
    if (role !== 'admin' && !roles.includes(role)) {
      return problemResponse(
        c,
        problem('forbidden', 403, `a ${role} key cannot do this; it needs the role ${roles.join(' or ')}`, {
          role,
          required: roles,
        }),
      );
    }
    await next();
  });
}
