/**
 * Ad-platform exports (DESIGN §5): marketers share an audience with a destination; an
 * `ad_platform` key, bound to one destination, lists and pulls only what is shared with it
 * (everything else is 404, so it learns nothing about other audiences). Pulls stream CSV, NDJSON
 * or Arrow, paginate with cursors bound to one audience version, answer 304 to a matching
 * If-None-Match, send deltas since a revision, and are audited one entry per pull.
 *
 * The same routes serve Node (over the workspace's artifacts) and the Worker (over R2): this file
 * imports nothing Node-only.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import {
  allShares,
  CONTENT_TYPES,
  checkIdType,
  checkReleaseSize,
  DEFAULT_EXPORT_MIN_SIZE,
  deleteShare,
  EXPORT_FORMATS,
  type ExportableAudience,
  exportedIdSet,
  exportPage,
  exportSource,
  findAudience,
  getShare,
  ID_TYPES,
  type IdType,
  naturalIdType,
  putShare,
  type Share,
  sharesOfAudience,
  sharesOfDestination,
} from '../../export/index.ts';
import { type AuditLog, InvalidInputError, NotFoundError } from '../../schema/index.ts';
import type { ArtifactStore } from '../../store/artifacts.ts';
import type { ApiApp } from '../app-types.ts';
import { type ApiEnv, requireRole } from '../auth.ts';
import { problem, problemResponse } from '../problem.ts';
import { bearer, pick } from '../schemas.ts';

/** What the export routes need; Node's `ApiDeps` and the Worker's deps both fit. */
export interface ExportDeps {
  audit: AuditLog;
  /** Audiences and shares; Node falls back to the workspace's artifact store. */
  artifacts?: ArtifactStore | undefined;
  workspace?: { artifacts: ArtifactStore } | undefined;
  /** Smallest audience released to a destination (default 100). */
  exportMinSize?: number | undefined;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

const IdParam = z.object({
  id: z
    .string()
    .regex(NAME, 'use 1-100 letters, digits, "_", "-" or "."')
    .openapi({ param: { name: 'id', in: 'path' }, example: 'au_20260401_1a2b3c4d' }),
});

const ShareSchema = z
  .object({
    destination: z.string().openapi({ example: 'dsp-tokyo' }),
    audienceId: z.string(),
    idType: z.enum(ID_TYPES),
    sharedBy: z.string().nullable(),
    sharedAt: z.string(),
  })
  .openapi('Share');

const ShareRequest = z
  .object({
    destination: z
      .string()
      .regex(NAME, 'use 1-100 letters, digits, "_", "-" or "."')
      .openapi({ example: 'dsp-tokyo' }),
    idType: z.enum(ID_TYPES).openapi({
      description:
        '`tp_id`: third-party IDs as they are (audiences of third-party IDs only); `sha256`: SHA-256 hex of the trimmed, lower-cased ID (member IDs only ever leave this way)',
    }),
  })
  .openapi('ShareRequest');

const SharedAudienceSchema = z
  .object({
    id: z.string(),
    revision: z.number().int(),
    version: z.string().openapi({ description: 'ETag of the current content', example: '2-3f9a0c1b2d4e' }),
    size: z.number().int(),
    idKind: z.enum(['third_party', 'member']),
    idType: z.enum(ID_TYPES),
    destination: z.string(),
    createdAt: z.string(),
    sharedAt: z.string(),
    export: z.string().openapi({ example: '/v1/audiences/au_1/export?format=csv' }),
  })
  .openapi('SharedAudience');

const ExportQuery = z.object({
  format: z.enum(EXPORT_FORMATS).default('ndjson'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .optional()
    .openapi({ description: 'Rows per page; the whole audience (streamed) when absent' }),
  cursor: z
    .string()
    .max(500)
    .optional()
    .openapi({ description: 'From the previous page (`X-Next-Cursor` or the `Link: rel="next"` header)' }),
  since: z.coerce.number().int().min(1).optional().openapi({
    description:
      'Revision the caller already holds: the pull lists IDs added since (change=added) and removed (change=removed)',
  }),
  destination: z.string().regex(NAME).optional().openapi({
    description: 'Marketers and admins: preview the export as this destination receives it',
  }),
});

const jsonContent = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });

const createShare = createRoute({
  method: 'post',
  path: '/v1/audiences/{id}/shares',
  tags: ['exports'],
  summary: 'Share an audience with a destination (an ad platform) in the ID form it needs',
  security: bearer,
  middleware: [requireRole('marketer'), requireJson()] as const,
  request: { params: IdParam, body: { content: jsonContent(ShareRequest), required: true } },
  responses: {
    200: { description: 'The share, replacing an earlier one', content: jsonContent(ShareSchema) },
    201: { description: 'The new share', content: jsonContent(ShareSchema) },
    ...pick(400, 401, 403, 404, 415, 422, 429),
  },
});

const listAudienceShares = createRoute({
  method: 'get',
  path: '/v1/audiences/{id}/shares',
  tags: ['exports'],
  summary: 'Destinations an audience is shared with',
  security: bearer,
  middleware: [requireRole('marketer')] as const,
  request: { params: IdParam },
  responses: {
    200: { description: 'Shares', content: jsonContent(z.object({ shares: z.array(ShareSchema) })) },
    ...pick(401, 403, 404, 429),
  },
});

const removeShare = createRoute({
  method: 'delete',
  path: '/v1/audiences/{id}/shares/{destination}',
  tags: ['exports'],
  summary: 'Stop sharing an audience with a destination (its key then gets 404 at once)',
  security: bearer,
  middleware: [requireRole('marketer')] as const,
  request: {
    params: IdParam.extend({
      destination: z
        .string()
        .regex(NAME)
        .openapi({ param: { name: 'destination', in: 'path' }, example: 'dsp-tokyo' }),
    }),
  },
  responses: { 204: { description: 'Unshared' }, ...pick(401, 403, 404, 429) },
});

const listShared = createRoute({
  method: 'get',
  path: '/v1/shares',
  tags: ['exports'],
  summary:
    'Audiences shared with the caller (an ad_platform key: its destination only; marketers: every destination, or one)',
  security: bearer,
  middleware: [requireRole('marketer', 'ad_platform')] as const,
  request: { query: z.object({ destination: z.string().regex(NAME).optional() }) },
  responses: {
    200: {
      description: 'Shared audiences at their current revision',
      content: jsonContent(z.object({ audiences: z.array(SharedAudienceSchema) })),
    },
    ...pick(401, 403, 422, 429),
  },
});

const exportRoute = createRoute({
  method: 'get',
  path: '/v1/audiences/{id}/export',
  tags: ['exports'],
  summary: 'Pull an audience: streamed CSV, NDJSON or Arrow, cursor-paginated, with deltas',
  description:
    'IDs leave as the share says: third-party IDs as they are, or SHA-256 of the trimmed, lower-cased ID; member IDs ' +
    'only ever hashed. `ETag` names the audience version; send it back in `If-None-Match` to get 304 while nothing ' +
    'changed. A cursor is bound to one version: if the audience is refreshed mid-pull, restart (422). Audiences below ' +
    'the minimum release size (default 100) are never exported. An ad_platform key gets 404 for any audience not ' +
    'shared with its destination.',
  security: bearer,
  middleware: [requireRole('ad_platform', 'marketer')] as const,
  request: { params: IdParam, query: ExportQuery },
  responses: {
    200: {
      description:
        'One page: columns id, score, rank (and change for deltas). Headers: ETag, X-Total-Count (rows of the whole pull), ' +
        'X-Next-Cursor and Link rel="next" while more pages remain, X-Audience-Revision, X-Id-Type.',
      content: {
        [CONTENT_TYPES.csv]: { schema: z.string() },
        [CONTENT_TYPES.ndjson]: { schema: z.string() },
        [CONTENT_TYPES.arrow]: { schema: z.string().openapi({ format: 'binary' }) },
      },
    },
    304: { description: 'Not modified: the version in If-None-Match is current' },
    ...pick(401, 403, 404, 422, 429),
  },
});

/** 415 unless the body is JSON (before the validator, which would otherwise ignore other types). */
export function requireJson(): MiddlewareHandler<ApiEnv> {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i.test(type)) {
      return problemResponse(
        c,
        problem(
          'unsupported-media-type',
          415,
          `send the body as application/json, not ${type ? `"${type}"` : 'without a Content-Type'}`,
        ),
      );
    }
    await next();
  });
}

/** Does an If-None-Match header name this version (weak comparison, RFC 9110 §13.1.2)? */
export function etagMatches(header: string | undefined, version: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === `"${version}"`);
}

function sharedView(share: Share, audience: ExportableAudience) {
  return {
    id: audience.id,
    revision: audience.revision,
    version: audience.version,
    size: audience.manifest.size,
    idKind: audience.manifest.idKind,
    idType: share.idType,
    destination: share.destination,
    createdAt: audience.manifest.createdAt,
    sharedAt: share.sharedAt,
    export: `/v1/audiences/${audience.id}/export`,
  };
}

async function sharedAudiences(store: ArtifactStore, shares: readonly Share[]) {
  const out: ReturnType<typeof sharedView>[] = [];
  for (const share of shares) {
    const audience = await findAudience(store, share.audienceId);
    if (audience) out.push(sharedView(share, audience));
  }
  return out;
}

/**
 * Keeps ad_platform keys inside their destination on every `/v1/audiences` path, whoever serves
 * the route: the list shows shared audiences only, an audience not shared with the key is 404
 * (the same answer as one that does not exist), and a shared one can be read and exported, not
 * changed.
 */
function adPlatformGate(store: ArtifactStore): MiddlewareHandler<ApiEnv> {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const p = c.get('principal');
    if (p?.role !== 'ad_platform') return next();
    const parts = new URL(c.req.url).pathname.split('/').filter(Boolean).slice(2);
    const destination = p.destination ?? '';
    const forbidden = () =>
      problemResponse(
        c,
        problem(
          'forbidden',
          403,
          'an ad_platform key can only list the audiences shared with its destination and read or export them',
          { role: p.role },
        ),
      );
    if (parts.length === 0) {
      if (c.req.method !== 'GET') return forbidden();
      return c.json({
        audiences: await sharedAudiences(store, await sharesOfDestination(store, destination)),
      });
    }
    const id = decodeURIComponent(parts[0]!);
    const share = await getShare(store, destination, id);
    const audience = share ? await findAudience(store, id) : null;
    if (!share || !audience) throw new NotFoundError('audience', id);
    if (c.req.method === 'GET' && parts.length === 1) return c.json(sharedView(share, audience));
    if (c.req.method === 'GET' && parts.length === 2 && parts[1] === 'export') return next();
    return forbidden();
  });
}

async function auditExport(
  audit: AuditLog,
  c: Context<ApiEnv>,
  status: number,
  detail: Record<string, unknown>,
): Promise<void> {
  const p = c.get('principal');
  await audit
    .record({
      at: new Date().toISOString(),
      keyId: p.keyId,
      role: p.role,
      action: 'export',
      resource: `audiences/${String(detail.audienceId)}@${String(detail.revision)}`,
      status,
      detail: JSON.stringify(detail),
    })
    .catch((err: unknown) => console.error('audit log write failed', err));
}

/** The route definitions of this module, for the typed client (`AppType`). */
export const exportsRoutes = {
  createShare,
  listAudienceShares,
  removeShare,
  listShared,
  exportRoute,
} as const;

/**
 * Mounts shares, the shared-audience list, the export route and the ad-platform gate on
 * `/v1/audiences`. Mounted before other audience routes, so the gate sees every request.
 *
 * @param app - the app (Node or Worker).
 * @param deps - audit log, artifact store (or workspace), minimum release size.
 * @param options - `manageShares: false` leaves out creating and removing shares (the Worker's
 *   read path).
 */
export function registerExportRoutes(
  app: ApiApp,
  deps: ExportDeps,
  options: { manageShares?: boolean } = {},
): void {
  const store = deps.artifacts ?? deps.workspace?.artifacts;
  if (!store) return;
  const minSize = deps.exportMinSize ?? DEFAULT_EXPORT_MIN_SIZE;

  // Hono's `/*` also matches `/v1/audiences` itself.
  app.use('/v1/audiences/*', adPlatformGate(store));

  if (options.manageShares !== false) {
    app.openapi(createShare, async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const audience = await findAudience(store, id);
      if (!audience) throw new NotFoundError('audience', id);
      const idType = checkIdType(audience.manifest, body.idType);
      checkReleaseSize(audience.manifest, minSize);
      const existed = (await getShare(store, body.destination, id)) !== null;
      const share: Share = {
        destination: body.destination,
        audienceId: id,
        idType,
        sharedBy: c.get('principal').keyId,
        sharedAt: new Date().toISOString(),
      };
      await putShare(store, share);
      return c.json(share, existed ? 200 : 201);
    });

    app.openapi(removeShare, async (c) => {
      const { id, destination } = c.req.valid('param');
      if (!(await deleteShare(store, destination, id))) {
        throw new NotFoundError('share', `${id} → ${destination}`);
      }
      return c.body(null, 204);
    });
  }

  app.openapi(listAudienceShares, async (c) => {
    const { id } = c.req.valid('param');
    const shares = await sharesOfAudience(store, id);
    if (shares.length === 0 && !(await findAudience(store, id))) throw new NotFoundError('audience', id);
    return c.json({ shares }, 200);
  });

  app.openapi(listShared, async (c) => {
    const p = c.get('principal');
    const wanted = p.role === 'ad_platform' ? (p.destination ?? '') : c.req.valid('query').destination;
    const shares = wanted === undefined ? await allShares(store) : await sharesOfDestination(store, wanted);
    return c.json({ audiences: await sharedAudiences(store, shares) }, 200);
  });

  app.openapi(exportRoute, async (c) => {
    const p = c.get('principal');
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    let destination: string | null = null;
    let idType: IdType;
    let audience: ExportableAudience | null;
    if (p.role === 'ad_platform') {
      // Same answer for "not shared" and "does not exist".
      destination = p.destination;
      const share = destination ? await getShare(store, destination, id) : null;
      audience = share ? await findAudience(store, id) : null;
      if (!share || !audience) throw new NotFoundError('audience', id);
      idType = share.idType;
    } else {
      audience = await findAudience(store, id);
      if (!audience) throw new NotFoundError('audience', id);
      if (q.destination) {
        const share = await getShare(store, q.destination, id);
        if (!share) throw new NotFoundError('share', `${id} → ${q.destination}`);
        destination = q.destination;
        idType = share.idType;
      } else idType = naturalIdType(audience.manifest);
    }
    checkIdType(audience.manifest, idType);
    checkReleaseSize(audience.manifest, minSize);

    const etag = `W/"${audience.version}"`;
    const base = {
      audienceId: id,
      revision: audience.revision,
      version: audience.version,
      destination,
      idType,
      format: q.format,
      since: q.since ?? null,
    };
    if (etagMatches(c.req.header('if-none-match'), audience.version)) {
      await auditExport(deps.audit, c, 304, { ...base, rows: 0 });
      return c.body(null, 304, { etag, 'cache-control': 'private, no-cache' });
    }

    let previous: Set<string> | undefined;
    if (q.since !== undefined) {
      if (q.since > audience.revision) {
        throw new InvalidInputError(
          `since must be a revision you already hold; the latest revision of audience "${id}" is ${audience.revision}, got ${q.since}`,
          'since',
        );
      }
      const before = await findAudience(store, id, q.since);
      if (!before) {
        throw new InvalidInputError(`audience "${id}" has no revision ${q.since}`, 'since');
      }
      previous = await exportedIdSet(before, idType);
    }
    // A cursor is valid only for the same content, ID form and delta base.
    const snapshot = `${id}:${audience.version}:${idType}${q.since ? `:since-${q.since}` : ''}`;
    const page = exportPage(await exportSource(audience, idType, snapshot), {
      format: q.format,
      limit: q.limit,
      cursor: q.cursor,
      previous,
    });
    const headers: Record<string, string> = {
      'content-type': CONTENT_TYPES[q.format],
      etag,
      'cache-control': 'private, no-cache',
      'x-total-count': String(page.total),
      'x-page-offset': String(page.offset),
      'x-page-rows': String(page.rows),
      'x-audience-revision': String(audience.revision),
      'x-id-type': idType,
    };
    if (page.nextCursor) {
      headers['x-next-cursor'] = page.nextCursor;
      const next = new URL(c.req.url);
      next.searchParams.set('cursor', page.nextCursor);
      headers.link = `<${next.pathname}${next.search}>; rel="next"`;
    }
    await auditExport(deps.audit, c, 200, {
      ...base,
      offset: page.offset,
      rows: page.rows,
      total: page.total,
    });
    return c.body(page.body, 200, headers) as never;
  });
}
