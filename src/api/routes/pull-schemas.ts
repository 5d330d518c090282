/**
 * Response schemas of the pull routes (both runtimes): shared audiences and pull descriptions.
 * Imports nothing Node-only, so the Worker bundles it.
 */
import { z } from '@hono/zod-openapi';
import { ID_FORMS, PLATFORMS } from '../../export/index.ts';

const IdKind = z.enum(['third_party', 'member']);

export const ReleaseCountsSchema = z
  .object({
    audience: z.number().int(),
    consentExcluded: z.number().int(),
    noIdentifier: z.number().int(),
    duplicates: z.number().int(),
  })
  .openapi('ReleaseCounts', { description: 'who the release left out, and why' });

export const ReleaseErrorSchema = z.object({ revision: z.number().int(), error: z.string(), at: z.string() });

export const SharedAudienceSchema = z
  .object({
    id: z.string(),
    destination: z.string(),
    sharedAt: z.string(),
    sharedBy: z.string().nullable(),
    revision: z.number().int().nullable().openapi({ description: 'the newest release (null: none yet)' }),
    version: z
      .string()
      .nullable()
      .openapi({ description: 'ETag value of a full pull of that release', example: '3-9f2c0d1e4b5a6c7d' }),
    size: z.number().int().nullable(),
    idKind: IdKind.nullable(),
    idForm: z.enum(ID_FORMS).nullable(),
    platform: z.enum(PLATFORMS).nullable(),
    purposes: z.array(z.string()),
    counts: ReleaseCountsSchema.nullable(),
    releasedAt: z.string().nullable(),
    lastPulled: z
      .object({ revision: z.number().int(), since: z.number().int().nullable(), at: z.string() })
      .nullable(),
    lastReleaseError: ReleaseErrorSchema.nullable(),
    export: z.string().openapi({ example: '/v1/audiences/au_1/export' }),
  })
  .openapi('SharedAudience');

export const PullDescriptionSchema = z
  .object({
    audienceId: z.string(),
    destination: z.string().nullable(),
    revision: z.number().int(),
    etag: z.string(),
    idForm: z.enum(ID_FORMS),
    rows: z.number().int(),
    counts: ReleaseCountsSchema.nullable(),
    formats: z.array(z.enum(['csv', 'ndjson', 'arrow'])),
    columns: z.array(z.string()),
    delta: z
      .object({ since: z.number().int(), etag: z.string(), add: z.number().int(), remove: z.number().int() })
      .nullable(),
    deltaFrom: z.array(z.number().int()),
  })
  .openapi('ExportDescription');
