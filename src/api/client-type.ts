import type { createApp } from './app.ts';

/**
 * The API's type for a typed client: the full app's own type, so it lists exactly the routes the
 * server mounts, with their inputs and response schemas.
 * @example
 * import { hc } from 'hono/client';
 * const api = hc<AppType>('http://127.0.0.1:8787', { headers: { authorization: `Bearer ${key}` } });
 * const res = await api.v1.audiences[':id'].$get({ param: { id: 'au_demo_top_segment' }, query: {} });
 */
export type AppType = ReturnType<typeof createApp>;
