/** API keys and the audit trail: the admin's operations, on the key store the API authenticates with. */
import { z } from 'zod';
import { type ApiKeyStore, AppError, type AuditLog, NotFoundError, ROLES } from '../../schema/index.ts';
import { defineOp, type OpContext } from '../operation.ts';
import { createApiKey, publicKey, revokeApiKey } from './api-keys.ts';

function keysOf(ctx: OpContext): ApiKeyStore {
  if (!ctx.keys) throw new AppError('unavailable', 'this runtime has no API key store', 503);
  return ctx.keys;
}

function auditOf(ctx: OpContext): AuditLog {
  if (!ctx.audit) throw new AppError('unavailable', 'this runtime has no audit log', 503);
  return ctx.audit;
}

export const CreateKeyInput = z
  .object({
    name: z.string().trim().min(1).max(100).meta({ description: 'who or what the key is for' }),
    role: z.enum(ROLES),
    destination: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .optional()
      .meta({ description: 'required for ad_platform keys: the destination they read (e.g. dsp-tokyo)' }),
  })
  .strict();

export const createKeyOp = defineOp({
  name: 'keys.create',
  summary: 'Create an API key (the key is shown once; only its SHA-256 is stored)',
  input: CreateKeyInput,
  roles: ['admin'],
  long: false,
  run: async (ctx, input) => {
    const { key, record } = await createApiKey(keysOf(ctx), input);
    return { ...publicKey(record), key };
  },
});

export const listKeysOp = defineOp({
  name: 'keys.list',
  summary: 'API keys with role, destination and state (never their secrets)',
  input: z.object({}).strict(),
  roles: ['admin'],
  long: false,
  run: async (ctx) => ({ keys: (await keysOf(ctx).list()).map(publicKey) }),
});

export const revokeKeyOp = defineOp({
  name: 'keys.revoke',
  summary: 'Revoke an API key; it fails on its next request',
  input: z.object({ keyId: z.string().min(1).max(100) }).strict(),
  roles: ['admin'],
  long: false,
  run: async (ctx, input) => {
    const keys = keysOf(ctx);
    await revokeApiKey(keys, input.keyId);
    const record = await keys.get(input.keyId);
    if (!record) throw new NotFoundError('API key', input.keyId);
    return publicKey(record);
  },
});

export const auditLogOp = defineOp({
  name: 'audit.list',
  summary: 'Audit log: who created, read and exported what',
  input: z
    .object({
      keyId: z.string().min(1).max(100).optional(),
      limit: z.number().int().min(1).max(1000).default(100),
    })
    .strict(),
  roles: ['admin'],
  long: false,
  run: async (ctx, input) => ({
    entries: await auditOf(ctx).list(
      input.keyId ? { keyId: input.keyId, limit: input.limit } : { limit: input.limit },
    ),
  }),
});
