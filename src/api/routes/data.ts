import { createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import {
  DUPLICATE_POLICIES,
  ENCODINGS,
  type EncodingOption,
  FORMATS,
  IMPORT_MODES,
  type ImportOptions,
  parsePairs,
} from '../../ingest/index.ts';
import { defineJob } from '../../jobs/index.ts';
import { InvalidInputError, TABLE_NAMES, type TableName } from '../../schema/index.ts';
import type { ApiApp, ApiDeps, DataService } from '../app-types.ts';
import { requireRole } from '../auth.ts';
import { problem, problemResponse } from '../problem.ts';
import { bearer, JobAccepted, pick } from '../schemas.ts';

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
    format: z.string(),
    encoding: z.string().nullable(),
    mode: z.enum(IMPORT_MODES),
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

const tables = createRoute({
  method: 'get',
  path: '/v1/tables',
  tags: ['data'],
  summary: 'Workspace tables and their row counts',
  security: bearer,
  middleware: [requireRole('data_scientist', 'marketer')] as const,
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
  summary: 'Columns of a table with counts and ranges',
  security: bearer,
  middleware: [requireRole('data_scientist')] as const,
  request: { params: TableParam },
  responses: {
    200: {
      description: 'Table description',
      content: { 'application/json': { schema: z.object({}).passthrough() } },
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
    'a file that cannot be imported changes nothing. Uploads of 16 MiB or more (or `async=true`) run as a job.',
  security: bearer,
  middleware: [requireRole('data_scientist')] as const,
  request: {
    params: TableParam,
    query: z.object({
      filename: z
        .string()
        .max(200)
        .optional()
        .openapi({ description: 'original file name; its extension tells the format' }),
      format: z.enum(FORMATS).optional(),
      encoding: z.enum(ENCODINGS as [string, ...string[]]).default('auto'),
      map: z
        .string()
        .max(4000)
        .optional()
        .openapi({ description: 'source=target pairs, e.g. InvoiceNo=receipt_id,CustomerID=member_id' }),
      set: z
        .string()
        .max(4000)
        .optional()
        .openapi({ description: 'target=value constants, e.g. channel=ec' }),
      mode: z.enum(IMPORT_MODES).default('append'),
      onDuplicate: z.enum(DUPLICATE_POLICIES).default('reject'),
      maxRejected: z.coerce.number().min(0).max(1).default(0.5),
      async: z.enum(['true', 'false']).optional(),
    }),
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

/** Job handler for large imports. */
export const importJob = (data: DataService) =>
  defineJob(async (params: ImportOptions & { upload: { path: string } }, ctx) => {
    const { upload: _upload, ...options } = params;
    return data.importFile({
      ...options,
      onProgress: (p) => ctx.progress(p.fraction * 0.9, `${p.stage} ${p.rows} rows`),
    });
  });

/** The route definitions of this module, for the typed client (`AppType`). */
export const dataRoutes = { tables, describeTable, importRoute } as const;

export function registerDataRoutes(app: ApiApp, deps: ApiDeps): void {
  const data = deps.data;
  if (!data) return;
  const limit = deps.uploadLimitBytes ?? 512 * 1024 * 1024;
  const asyncBytes = deps.asyncImportBytes ?? 16 * 1024 * 1024;

  app.openapi(tables, async (c) => c.json({ tables: await data.rowCounts() }, 200));
  app.openapi(describeTable, async (c) =>
    c.json((await data.describe(c.req.valid('param').table)) as never, 200),
  );

  // Content types outside the list get 415 before the body is read.
  app.use('/v1/imports/*', async (c, next) => {
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
  });
  app.use(
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
  app.openapi(importRoute, async (c) => {
    const { table } = c.req.valid('param');
    const q = c.req.valid('query');
    const body = c.req.raw.body;
    if (!body) throw new InvalidInputError('the request has no body; send the file as the body', 'body');
    const filename = q.filename ?? `upload.${q.format ?? 'csv'}`;
    const upload = await data.saveUpload(body, filename, limit);
    const options: ImportOptions = {
      table: table as TableName,
      source: { kind: 'file', path: upload.path, encoding: q.encoding as EncodingOption },
      mapping: parsePairs(q.map, 'map'),
      constants: parsePairs(q.set, 'set'),
      mode: q.mode,
      onDuplicate: q.onDuplicate,
      maxRejectedFraction: q.maxRejected,
    };
    if (q.format && options.source.kind === 'file') options.source.format = q.format;
    if (deps.jobs && (q.async === 'true' || upload.bytes >= asyncBytes)) {
      const job = await deps.jobs.submit(
        'import',
        { ...options, upload: { path: upload.path } },
        c.get('principal').keyId,
      );
      // The job owns the upload now; its file is removed with the workspace tmp folder.
      return c.json(job, 202, { location: `/v1/jobs/${job.id}` }) as never;
    }
    try {
      const report = await data.importFile(options);
      return c.json(report as never, 200);
    } finally {
      await upload.cleanup();
    }
  });
}

export { ACCEPTED_TYPES };
