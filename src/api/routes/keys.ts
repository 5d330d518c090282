import { createRoute, z } from '@hono/zod-openapi';
import {
  auditLogOp,
  CreateKeyInput,
  createKeyOp,
  listKeysOp,
  type OpContext,
  revokeKeyOp,
} from '../../ops/index.ts';
import type { CoreDeps } from '../app-types.ts';
import { allow, routeGroup } from '../ops-adapter.ts';
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
  summary: createKeyOp.summary,
  security: bearer,
  middleware: allow(createKeyOp),
  request: { body: { required: true, content: { 'application/json': { schema: CreateKeyInput } } } },
  responses: {
    201: {
      description: 'Created; `key` is the secret, returned only now',
      content: { 'application/json': { schema: KeySchema.extend({ key: z.string() }) } },
    },
    ...pick(400, 401, 403, 413, 415, 422, 429),
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/keys',
  tags: ['admin'],
  summary: listKeysOp.summary,
  security: bearer,
  middleware: allow(listKeysOp),
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
  summary: revokeKeyOp.summary,
  security: bearer,
  middleware: allow(revokeKeyOp),
  request: { params: z.object({ keyId: z.string().min(1).max(100) }) },
  responses: {
    200: { description: 'Revoked', content: { 'application/json': { schema: KeySchema } } },
    ...pick(401, 403, 404, 429),
  },
});

const audit = createRoute({
  method: 'get',
  path: '/v1/audit',
  tags: ['admin'],
  summary: auditLogOp.summary,
  security: bearer,
  middleware: allow(auditLogOp),
  request: {
    query: z.object({
      keyId: z.string().min(1).max(100).optional(),
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

/** Key and audit routes: every runtime has keys and an audit log, so these need no workspace. */
export function keyRoutes(deps: CoreDeps) {
  const ctx = (): OpContext => ({
    keys: deps.keys,
    audit: deps.audit,
    needModelsDir: '',
    progress: () => undefined,
  });
  return routeGroup()
    .openapi(create, async (c) => c.json(await createKeyOp.run(ctx(), c.req.valid('json')), 201))
    .openapi(list, async (c) => c.json(await listKeysOp.run(ctx(), {}), 200))
    .openapi(revoke, async (c) => c.json(await revokeKeyOp.run(ctx(), c.req.valid('param')), 200))
    .openapi(audit, async (c) => c.json(await auditLogOp.run(ctx(), c.req.valid('query')), 200));
}
