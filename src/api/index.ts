/**
 * @module api
 * The HTTP API (Hono): one `createApp(deps)` for every runtime, bearer API keys with roles,
 * problem+json errors, an OpenAPI 3.1 document at `/openapi.json` and docs at `/docs`.
 *
 * @example
 * const app = createApp({ version, keys, audit, jobs, data });
 * const res = await app.request('/v1/tables', { headers: { authorization: `Bearer ${key}` } });
 */

export type { Principal } from '../ops/keys/api-keys.ts';
export {
  constantTimeEqual,
  createApiKey,
  MemoryAuditLog,
  MemoryKeyStore,
  revokeApiKey,
  verifyApiKey,
} from '../ops/keys/api-keys.ts';
export { createApp } from './app.ts';
export type { ApiApp, ApiDeps, CoreDeps, NeedsDeps } from './app-types.ts';
export type { ApiEnv } from './auth.ts';
export type { AppType } from './client-type.ts';
export { createCoreApp, OPENAPI_INFO } from './core.ts';
export type { RateLimits } from './rate-limit.ts';
export { DEFAULT_RATE_LIMITS } from './rate-limit.ts';
export { ACCEPTED_TYPES } from './routes/data.ts';
