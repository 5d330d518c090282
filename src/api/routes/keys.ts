import { createRoute, z } from '@hono/zod-openapi';
import { NotFoundError } from '../../schema/index.ts';
import type { ApiApp, ApiDeps } from '../app-types.ts';
import { requireRole } from '../auth.ts';
import { createApiKey, publicKey, revokeApiKey } from '../keys.ts';
import { bearer, pick, RoleSchema } from '../schemas.ts';

const KeySchema = z
  .object({
    keyId: z.string(),
    name: z.string(),
    role: RoleSchema,
    destination: z.string().nullable(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi('ApiKey');

const create = createRoute({
  method: 'post',
  path: '/v1/keys',
  tags: ['admin'],
  summary: 'Create an API key (the key is shown once)',
  security: bearer,
  middleware: [requireRole('admin')] as const,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({
            name: z.string().min(1).max(100),
            role: RoleSchema,
            destination: z
              .string()
              .min(1)
              .max(100)
              .optional()
              .openapi({ description: 'required for ad_platform keys' }),
          }),
        },
      },
    },
  },
  responses: {
    201: {
      description: 'Created; `key` is the secret, returned only now',
      content: { 'application/json': { schema: KeySchema.extend({ key: z.string() }) } },
    },
    ...pick(400, 401, 403, 415, 422, 429),
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/keys',
  tags: ['admin'],
  summary: 'List API keys (never their secrets)',
  security: bearer,
  middleware: [requireRole('admin')] as const,
  responses: {
    200: {
      description: 'Keys',
      content: { 'application/json': { schema: z.object({ keys: z.array(KeySchema) }) } },
    },
    ...pick(401, 403, 429),
  },
});

const revoke = createRoute({
  method: 'delete',
  path: '/v1/keys/{keyId}',
  tags: ['admin'],
  summary: 'Revoke an API key; it fails at once',
  security: bearer,
  middleware: [requireRole('admin')] as const,
  request: { params: z.object({ keyId: z.string().min(1) }) },
  responses: {
    200: { description: 'Revoked', content: { 'application/json': { schema: KeySchema } } },
    ...pick(401, 403, 404, 429),
  },
});

const audit = createRoute({
  method: 'get',
  path: '/v1/audit',
  tags: ['admin'],
  summary: 'Audit log: who created, read and exported what',
  security: bearer,
  middleware: [requireRole('admin')] as const,
  request: {
    query: z.object({
      keyId: z.string().optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
  },
  responses: {
    200: {
      description: 'Most recent first',
      content: {
        'application/json': {
          schema: z.object({
            entries: z.array(
              z.object({
                at: z.string(),
                keyId: z.string().nullable(),
                role: RoleSchema.nullable(),
                action: z.string(),
                resource: z.string(),
                status: z.number(),
                detail: z.string().optional(),
              }),
            ),
          }),
        },
      },
    },
    ...pick(401, 403, 422, 429),
  },
});

/** The route definitions of this module, for the typed client (`AppType`). */
export const keysRoutes = { create, list, revoke, audit } as const;

export function registerKeyRoutes(app: ApiApp, deps: ApiDeps): void {
  app.openapi(create, async (c) => {
    const body = c.req.valid('json');
    const { key, record } = await createApiKey(deps.keys, body);
    return c.json({ ...publicKey(record), key }, 201);
  });
  app.openapi(list, async (c) => c.json({ keys: (await deps.keys.list()).map(publicKey) }, 200));
  app.openapi(revoke, async (c) => {
    const { keyId } = c.req.valid('param');
    await revokeApiKey(deps.keys, keyId);
    const record = await deps.keys.get(keyId);
    if (!record) throw new NotFoundError('API key', keyId);
    return c.json(publicKey(record), 200);
  });
  app.openapi(audit, async (c) => {
    const { keyId, limit } = c.req.valid('query');
    return c.json({ entries: await deps.audit.list(keyId ? { keyId, limit } : { limit }) }, 200);
  });
}
