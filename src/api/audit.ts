import type { MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AuditLog } from '../schema/index.ts';
import type { ApiEnv } from './auth.ts';

/**
 * Records who did what: every authenticated request except job polling, with its status.
 * Writing the entry never fails or delays the request.
 */
export function auditTrail(log: AuditLog): MiddlewareHandler<ApiEnv> {
  return createMiddleware<ApiEnv>(async (c, next) => {
    await next();
    const path = new URL(c.req.url).pathname;
    if (c.req.method === 'GET' && path.startsWith('/v1/jobs')) return;
    const p = c.get('principal');
    if (!p) return;
    // Not awaited: the response does not wait for the audit write. The store group-commits
    // entries moments later, and reads of the log wait for pending entries; a crash in between
    // can lose the last few milliseconds of entries, never a response's data.
    void log
      .record({
        at: new Date().toISOString(),
        keyId: p.keyId,
        role: p.role,
        action: `${c.req.method} ${c.req.routePath}`,
        resource: path,
        status: c.res.status,
      })
      .catch((err: unknown) => console.error('audit log write failed', err));
  });
}
