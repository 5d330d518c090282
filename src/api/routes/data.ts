import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { describeTableOp, ImportUploadInput, importUploadOp, listTablesOp } from '../../ops/index.ts';
import { InvalidInputError, TABLE_NAMES } from '../../schema/index.ts';
import type { ApiDeps } from '../app-types.ts';
import type { ApiEnv } from '../auth.ts';
import { allow, need, opContext, routeGroup, submitOp } from '../ops-adapter.ts';
import { problem, problemResponse } from '../problem.ts';
import { bearer, JobAccepted, jobView, pick } from '../schemas.ts';

const TableParam = z.object({
  table: z.enum(TABLE_NAMES).openapi({ param: { name: 'table', in: 'path' }, example: 'transactions' }),
});

const ACCEPTED_TYPES = [
  'text/csv',
  'text/tab-separated-values',
  'text/plain',
  'application/x-ndjson',
  'application/jsonl',
  'application/vnd.apache.parquet',
  'application/vnd.apache.arrow.file',
  'application/vnd.apache.arrow.stream',
  'application/gzip',
  'application/octet-stream',
];

const ImportReportSchema = z
  .object({
    importId: z.string(),
    table: z.enum(TABLE_NAMES),
    source: z.string(),
    format: z.string(),
    encoding: z.string().nullable(),
    mode: z.string(),
    rowsRead: z.number().int(),
    accepted: z.number().int(),
    rejected: z.number().int(),
    duplicatesSkipped: z.number().int(),
    rejections: z.array(z.object({ column: z.string(), reason: z.string(), count: z.number().int() })),
    samples: z.array(
      z.object({
        row: z.number().int(),
        line: z.number().int().nullable(),
        column: z.string(),
        reason: z.string(),
        value: z.string().nullable(),
      }),
    ),
  })
  .passthrough()
  .openapi('ImportReport');

const TableDescriptionSchema = z
  .object({
    table: z.enum(TABLE_NAMES),
    description: z.string(),
    rows: z.number().int(),
    columns: z.array(
      z.object({
        name: z.string(),
        type: z.string(),
        nonNull: z.number().int(),
        distinct: z.number().int(),
        min: z.string().nullable(),
        max: z.string().nullable(),
      }),
    ),
  })
  .openapi('TableDescription');

/**
 * The operation's own fields, as query text: the file is the body, so its options travel in the
 * query string. Defaults and limits are the operation's; only numbers and flags are coerced here.
 */
const { uploadId: _uploadId, label: _label, table: _table, ...uploadFields } = ImportUploadInput.shape;
const ImportQuery = z.object({
  ...uploadFields,
  filename: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: 'original file name; its extension tells the format' }),
  maxRejected: z.coerce.number().pipe(z.number().min(0).max(1)).optional(),
  allowRepeat: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: 'append a file whose exact bytes were already imported into the table' }),
  async: z.enum(['true', 'false']).optional().openapi({ description: 'run as a job whatever the size' }),
});

const tables = createRoute({
  method: 'get',
  path: '/v1/tables',
  tags: ['data'],
  summary: listTablesOp.summary,
  security: bearer,
  middleware: allow(listTablesOp),
  responses: {
    200: {
      description: 'Row counts by table',
      content: { 'application/json': { schema: z.object({ tables: z.record(z.string(), z.number()) }) } },
    },
    ...pick(401, 403, 429),
  },
});

const describeTable = createRoute({
  method: 'get',
  path: '/v1/tables/{table}',
  tags: ['data'],
  summary: describeTableOp.summary,
  security: bearer,
  middleware: allow(describeTableOp),
  request: { params: TableParam },
  responses: {
    200: {
      description: 'Table description',
      content: { 'application/json': { schema: TableDescriptionSchema } },
    },
    ...pick(401, 403, 404, 422, 429),
  },
});

const importRoute = createRoute({
  method: 'post',
  path: '/v1/imports/{table}',
  tags: ['data'],
  summary: 'Upload a file into a table (CSV/TSV, NDJSON, Parquet, Arrow; gzip allowed)',
  description:
    'The body is the file itself. One import is one transaction: rows failing validation are quarantined and reported; ' +
    'a file that cannot be imported changes nothing. Uploads of 16 MiB or more (or `async=true`) run as a job, ' +
    'whose params name the upload by id.',
  security: bearer,
  middleware: allow(importUploadOp),
  request: {
    params: TableParam,
    query: ImportQuery,
    // JSON-like media types are left out of the document's list on purpose: the validator would
    // parse them as JSON, while the importer reads the body as a file.
    body: {
      required: true,
      content: Object.fromEntries(
        ACCEPTED_TYPES.filter((t) => !/json/.test(t)).map((t) => [
          t,
          { schema: z.string().openapi({ format: 'binary' }) },
        ]),
      ),
    },
  },
  responses: {
    200: { description: 'Import report', content: { 'application/json': { schema: ImportReportSchema } } },
    ...JobAccepted,
    ...pick(400, 401, 403, 413, 415, 422, 429),
  },
});

/** Content types outside the list get 415 before the body is read. */
const acceptedTypesOnly: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (c.req.method === 'POST' && !ACCEPTED_TYPES.includes(type)) {
    return problemResponse(
      c,
      problem(
        'unsupported-media-type',
        415,
        `content type "${type || '(none)'}" is not accepted; send the file as one of ${ACCEPTED_TYPES.join(', ')}`,
      ),
    );
  }
  await next();
};

/** Data routes: each an adapter over its operation in `ops/data`. */
export function dataRoutes(deps: ApiDeps) {
  const limit = deps.uploadLimitBytes ?? 512 * 1024 * 1024;
  const asyncBytes = deps.asyncImportBytes ?? 16 * 1024 * 1024;
  const group = routeGroup();
  group.use('/v1/imports/*', acceptedTypesOnly);
  group.use(
    '/v1/imports/*',
    bodyLimit({
      maxSize: limit,
      onError: (c) =>
        problemResponse(
          c,
          problem('payload-too-large', 413, `the upload is larger than the limit of ${limit} bytes`),
        ),
    }),
  );
  return group
    .openapi(tables, async (c) => c.json(await listTablesOp.run(opContext(c, deps), {}), 200))
    .openapi(describeTable, async (c) =>
      c.json(await describeTableOp.run(opContext(c, deps), c.req.valid('param')), 200),
    )
    .openapi(importRoute, async (c) => {
      const { filename, async: runAsync, allowRepeat, maxRejected, ...fields } = c.req.valid('query');
      const body = c.req.raw.body;
      if (!body) throw new InvalidInputError('the request has no body; send the file as the body', 'body');
      const uploads = need(deps.uploads, 'upload store');
      const ctx = opContext(c, deps);
      // Reports and errors name the file as uploaded, never by where the server keeps it.
      const label = filename ?? `upload.${fields.format ?? 'csv'}`;
      const parse = (uploadId: string) =>
        ImportUploadInput.parse({
          ...fields,
          ...(maxRejected === undefined ? {} : { maxRejected }),
          allowRepeat: allowRepeat === 'true',
          table: c.req.valid('param').table,
          label,
          uploadId,
        });
      // Option mistakes answer 422 before the body is read.
      await importUploadOp.precheck?.(ctx, parse('up_pending'));
      const upload = await uploads.save(body, label, limit);
      const input = parse(upload.id);
      if (deps.jobs && (runAsync === 'true' || upload.bytes >= asyncBytes)) {
        try {
          const job = await submitOp(c, deps, importUploadOp, input);
          return c.json(jobView(job), 202, { location: `/v1/jobs/${job.id}` });
        } catch (err) {
          await uploads.remove(upload.id);
          throw err;
        }
      }
      // The operation removes the upload once it has run, whatever the outcome.
      return c.json(await importUploadOp.run(ctx, input), 200);
    });
}

export { ACCEPTED_TYPES };
