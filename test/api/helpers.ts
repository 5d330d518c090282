import {
  type ApiDeps,
  createApiKey,
  createApp,
  MemoryAuditLog,
  MemoryKeyStore,
} from '../../src/api/index.ts';
import type { Role } from '../../src/schema/index.ts';

export interface TestApi {
  app: ReturnType<typeof createApp>;
  keys: Record<Role, string>;
  deps: ApiDeps;
  audit: MemoryAuditLog;
  call: (path: string, init?: RequestInit & { key?: Role | string | null }) => Promise<Response>;
}

/** An app over memory stores with one key per role (`ad_platform` bound to destination "dsp-a"). */
export async function testApi(extra: Partial<ApiDeps> = {}): Promise<TestApi> {
  const store = new MemoryKeyStore();
  const audit = new MemoryAuditLog();
  const keys = {} as Record<Role, string>;
  for (const role of ['admin', 'data_scientist', 'marketer', 'ad_platform'] as const) {
    keys[role] = (
      await createApiKey(store, { name: role, role, destination: role === 'ad_platform' ? 'dsp-a' : null })
    ).key;
  }
  const deps: ApiDeps = { version: 'test', keys: store, audit, checkResponses: true, ...extra };
  const app = createApp(deps);
  const call = (path: string, init: RequestInit & { key?: Role | string | null } = {}) => {
    const { key = 'admin', ...rest } = init;
    const headers = new Headers(rest.headers);
    if (key) headers.set('authorization', `Bearer ${key in keys ? keys[key as Role] : key}`);
    return Promise.resolve(app.request(path, { ...rest, headers }));
  };
  return { app, keys, deps, audit, call };
}

export const json = (body: unknown): RequestInit => ({
  method: 'POST',
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json' },
});
