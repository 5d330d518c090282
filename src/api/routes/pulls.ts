/**
 * Pull routes for ad platforms, the same on Node and on the Worker: the pull itself (it streams
 * bytes, so it is a route handler, but every rule of it (which release, ID form, release minimum,
 * ETag, cursor, delta) is decided by `answerPull` in `export/pull.ts`), its description, the
 * shared-audience list, and the gate that keeps ad_platform keys inside their destination. This
 * file imports nothing Node-only: the Worker bundles it.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import {
  answerPull,
  CONTENT_TYPES,
  DEFAULT_EXPORT_MIN_SIZE,
  describePull,
  EXPORT_FORMATS,
  getShare,
  sharedAudience,
  sharedAudiences,
} from '../../export/index.ts';
import { type AuditLog, NotFoundError } from '../../schema/index.ts';
import type { ArtifactStore } from '../../store/artifacts.ts';
import { type ApiEnv, requireRole } from '../auth.ts';
import { routeGroup } from '../ops-adapter.ts';
import { problem, problemResponse } from '../problem.ts';
import { bearer, pick } from '../schemas.ts';
import { PullDescriptionSchema, SharedAudienceSchema } from './pull-schemas.ts';

/** What the read routes need; Node's `ApiDeps` and the Worker's deps both fit. */
export interface ExportReadDeps {
  audit: AuditLog;
  /** Where audiences, shares and releases are read (the workspace's artifacts, or R2). */
  artifacts: ArtifactStore;
  /** Smallest audience released to a destination (default 100). */
  exportMinSize?: number | undefined;
}

type StoreOf = () => ArtifactStore;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const nameParam = (name: string, example: string) =>
  z
    .string()
    .regex(NAME, 'use 1-100 letters, digits, "_", "-" or "."')
    .openapi({ param: { name, in: 'path' }, example });
const IdParam = z.object({ id: nameParam('id', 'au_demo_top_segment') });
const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });
const header = (description: string, example?: string) => ({
  description,
  schema: { type: 'string' as const, ...(example ? { example } : {}) },
});

const PULL_HEADERS = {
  ETag: header(
    'Names this version of the pull (a delta has its own); send it back in If-None-Match to get 304 while nothing changed',
    'W/"3-9f2c0d1e4b5a6c7d"',
  ),
  'X-Total-Count': header('Rows of the whole pull (all pages)'),
  'X-Page-Offset': header('Rows of the pull before this page'),
  'X-Page-Rows': header('Rows in this page'),
  'X-Next-Cursor': header('Opaque cursor of the next page; absent on the last page'),
  Link: header('`<…&cursor=…>; rel="next"` while more pages remain'),
  'X-Audience-Revision': header('The revision this pull carries'),
  'X-Id-Form': header('How IDs are written: tp_id, hmac_sha256, sha256_email or sha256_phone'),
  'X-Delta-Since': header('Delta pulls: the revision the changes are counted from'),
  'Cache-Control': header('private, no-cache'),
};

const ExportQuery = z.object({
  format: z.enum(EXPORT_FORMATS).default('ndjson'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .optional()
    .openapi({ description: 'Rows per page; the whole pull (streamed) when absent' }),
  cursor: z.string().max(500).optional().openapi({
    description: 'Opaque: from the previous page (`X-Next-Cursor`, or the `Link: rel="next"` header)',
  }),
  since: z.coerce.number().int().min(1).optional().openapi({
    description:
      'A revision the caller holds: the pull lists what changed since, each row with op `add` or `remove` (removed rows have no score or rank)',
  }),
  destination: z.string().regex(NAME).optional().openapi({
    description: 'Marketers and admins: preview the pull as this destination receives it',
  }),
});

export const listShared = createRoute({
  method: 'get',
  path: '/v1/shares',
  operationId: 'listSharedAudiences',
  tags: ['exports'],
  summary:
    'Audiences shared with the caller (an ad_platform key: its destination; marketers: every destination, or one)',
  security: bearer,
  middleware: [requireRole('marketer', 'ad_platform')] as const,
  request: { query: z.object({ destination: z.string().regex(NAME).optional() }) },
  responses: {
    200: {
      description: 'Shared audiences at their newest release, with the last revision each destination pulled',
      content: json(z.object({ audiences: z.array(SharedAudienceSchema) })),
    },
    ...pick(401, 403, 422, 429),
  },
});

const sharedList = createRoute({
  method: 'get',
  path: '/v1/audiences',
  operationId: 'listAudiences',
  tags: ['audiences'],
  summary: 'Audiences shared with the caller’s destination (an ad_platform key), or every shared audience',
  security: bearer,
  middleware: [requireRole('ad_platform', 'marketer')] as const,
  responses: {
    200: {
      description: 'Shared audiences',
      content: json(z.object({ audiences: z.array(SharedAudienceSchema) })),
    },
    ...pick(401, 403, 429),
  },
});

const sharedGet = createRoute({
  method: 'get',
  path: '/v1/audiences/{id}',
  operationId: 'getAudience',
  tags: ['audiences'],
  summary: 'A shared audience as the caller’s destination receives it',
  security: bearer,
  middleware: [requireRole('ad_platform')] as const,
  request: { params: IdParam },
  responses: {
    200: { description: 'The shared view', content: json(SharedAudienceSchema) },
    ...pick(401, 403, 404, 429),
  },
});

const exportRoute = createRoute({
  method: 'get',
  path: '/v1/audiences/{id}/export',
  operationId: 'exportAudience',
  tags: ['exports'],
  summary:
    'Pull an audience: streamed CSV, NDJSON or Arrow, cursor-paginated, full or as a delta since a revision',
  description:
    'An ad_platform key pulls its destination’s newest release: IDs in the destination’s form (HMAC-SHA-256 with its ' +
    'own secret, or the platform’s normalised e-mail or phone SHA-256; third-party IDs as they are only where the ' +
    'destination asked), members without its consent purposes left out, in ID order. A marketer previews a ' +
    'destination’s release with `destination=`, or pulls a third-party audience as it is, in rank order; member IDs ' +
    'never leave but through a release. `since=<revision>` sends what changed (op `add` or `remove`) with its own ETag. ' +
    'Send the ETag back in If-None-Match to get 304. A cursor is bound to one version: after a refresh, restart (422). ' +
    'Pulls below the release minimum (default 100 people) are refused. An ad_platform key gets 404 for any audience ' +
    'not shared with its destination. CSV cells a spreadsheet would run as a formula are quoted and prefixed with a ' +
    'single quote (OWASP); NDJSON and Arrow carry IDs byte for byte. The last revision a destination pulled completely ' +
    'is recorded (GET /v1/shares shows it).',
  security: bearer,
  middleware: [requireRole('ad_platform', 'marketer')] as const,
  request: { params: IdParam, query: ExportQuery },
  responses: {
    200: {
      description: 'One page: columns id, score, rank (and op for deltas).',
      headers: PULL_HEADERS,
      content: {
        [CONTENT_TYPES.csv]: { schema: z.string() },
        [CONTENT_TYPES.ndjson]: { schema: z.string() },
        [CONTENT_TYPES.arrow]: { schema: z.string().openapi({ format: 'binary' }) },
      },
    },
    304: {
      description: 'Not modified: the version in If-None-Match is current',
      headers: { ETag: PULL_HEADERS.ETag, 'Cache-Control': PULL_HEADERS['Cache-Control'] },
    },
    ...pick(401, 403, 404, 409, 422, 429),
  },
});

const exportInfo = createRoute({
  method: 'get',
  path: '/v1/audiences/{id}/export/info',
  operationId: 'describeExport',
  tags: ['exports'],
  summary:
    'What a pull gives: revision, ETag, rows, who the release left out, and a delta’s adds and removes',
  security: bearer,
  middleware: [requireRole('ad_platform', 'marketer')] as const,
  request: { params: IdParam, query: ExportQuery.pick({ since: true, destination: true }) },
  responses: {
    200: { description: 'The description of the pull', content: json(PullDescriptionSchema) },
    ...pick(401, 403, 404, 409, 422, 429),
  },
});

/**
 * Keeps ad_platform keys inside their destination on every `/v1/audiences` path, whoever serves
 * the route: an audience not shared with the key is 404 (the same answer as one that does not
 * exist), and a shared one can be read and pulled, not changed or analysed.
 */
export function adPlatformGate(storeOf: StoreOf): MiddlewareHandler<ApiEnv> {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const p = c.get('principal');
    if (p?.role !== 'ad_platform') return next();
    const parts = new URL(c.req.url).pathname.split('/').filter(Boolean).slice(2);
    if (parts.length === 0) {
      if (c.req.method === 'GET') return next();
    } else {
      const id = decodeURIComponent(parts[0]!);
      if (!(await getShare(storeOf(), p.destination ?? '', id))) throw new NotFoundError('audience', id);
      const readable =
        parts.length === 1 ||
        (parts[1] === 'export' && (parts.length === 2 || (parts.length === 3 && parts[2] === 'info')));
      if (c.req.method === 'GET' && readable) return next();
    }
    return problemResponse(
      c,
      problem(
        'forbidden',
        403,
        'an ad_platform key can only list the audiences shared with its destination and read or pull them',
        { role: p.role },
      ),
    );
  });
}

async function audit(
  log: AuditLog,
  c: Context<ApiEnv>,
  status: number,
  resource: string,
  detail: Record<string, unknown>,
) {
  const p = c.get('principal');
  await log
    .record({
      at: new Date().toISOString(),
      keyId: p.keyId,
      role: p.role,
      action: 'export',
      resource,
      status,
      detail: JSON.stringify(detail),
    })
    .catch((err: unknown) => console.error('audit log write failed', err));
}

/** The read routes both runtimes serve: pulls and their descriptions, behind the ad-platform gate. */
export function readRoutes(audit_: AuditLog, storeOf: StoreOf, exportMinSize: number | undefined) {
  const minSize = exportMinSize ?? DEFAULT_EXPORT_MIN_SIZE;
  const group = routeGroup();
  // Hono's `/*` also matches `/v1/audiences` itself.
  group.use('/v1/audiences/*', adPlatformGate(storeOf));
  return group
    .openapi(exportRoute, async (c) => {
      const p = c.get('principal');
      const answer = await answerPull(
        storeOf(),
        { keyId: p.keyId, role: p.role, destination: p.destination },
        c.req.valid('param').id,
        c.req.valid('query'),
        { minSize, ifNoneMatch: c.req.header('if-none-match'), url: c.req.url },
      );
      await audit(audit_, c, answer.status, answer.audit.resource, answer.audit.detail);
      if (answer.status === 304) return c.body(null, 304, answer.headers);
      return c.body(answer.body, 200, answer.headers);
    })
    .openapi(exportInfo, async (c) => {
      const p = c.get('principal');
      const q = c.req.valid('query');
      const described = await describePull(
        storeOf(),
        { keyId: p.keyId, role: p.role, destination: p.destination },
        c.req.valid('param').id,
        { since: q.since, destination: q.destination },
        minSize,
      );
      return c.json(described, 200);
    });
}

/**
 * The Worker's routes: the read routes, the shared list and the shared views of `/v1/audiences`
 * (shares and releases are made on the Node side and synced).
 */
export function workerExportRoutes(deps: ExportReadDeps) {
  const store = deps.artifacts;
  return readRoutes(deps.audit, () => store, deps.exportMinSize)
    .openapi(listShared, async (c) => {
      const p = c.get('principal');
      const wanted = p.role === 'ad_platform' ? (p.destination ?? '') : c.req.valid('query').destination;
      return c.json({ audiences: await sharedAudiences(store, wanted) }, 200);
    })
    .openapi(sharedList, async (c) => {
      const p = c.get('principal');
      return c.json(
        {
          audiences: await sharedAudiences(
            store,
            p.role === 'ad_platform' ? (p.destination ?? '') : undefined,
          ),
        },
        200,
      );
    })
    .openapi(sharedGet, async (c) => {
      const p = c.get('principal');
      const { id } = c.req.valid('param');
      const view = await sharedAudience(store, p.destination ?? '', id);
      if (!view) throw new NotFoundError('audience', id);
      return c.json(view, 200);
    });
}
