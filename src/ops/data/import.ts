/**
 * Importing a file into a table: one set of import fields (defaults and limits) for the two ways a
 * file arrives. `data.import` takes a file uploaded to the server (the API; large uploads run as a
 * job whose params name the upload by id, never by a server path); `data.import-file` takes a file
 * of the machine the CLI runs on.
 */
import { z } from 'zod';
import {
  DUPLICATE_POLICIES,
  ENCODINGS,
  type EncodingOption,
  FORMATS,
  IMPORT_MODES,
  type ImportOptions,
  type ImportReport,
  importTable,
  MAX_LABEL_LENGTH,
  parsePairs,
  resolveImportOptions,
} from '../../ingest/index.ts';
import { AppError, TABLE_NAMES, type UploadStore } from '../../schema/index.ts';
import { defineOp, filesOf, type OpContext, wsOf } from '../operation.ts';

const ImportFields = {
  table: z.enum(TABLE_NAMES),
  label: z
    .string()
    .min(1)
    .max(MAX_LABEL_LENGTH)
    .optional()
    .meta({ description: 'the file as the user named it; reports and errors use it' }),
  format: z.enum(FORMATS).optional().meta({ description: 'file format (default: from the file name)' }),
  encoding: z.enum(ENCODINGS as readonly [EncodingOption, ...EncodingOption[]]).default('auto'),
  delimiter: z.string().min(1).max(1).optional().meta({ description: 'field delimiter of a text file' }),
  map: z
    .string()
    .max(4000)
    .optional()
    .meta({ description: 'source=target column pairs, e.g. InvoiceNo=receipt_id,CustomerID=member_id' }),
  set: z.string().max(4000).optional().meta({ description: 'target=value constants, e.g. channel=ec' }),
  mode: z.enum(IMPORT_MODES).default('append'),
  onDuplicate: z.enum(DUPLICATE_POLICIES).default('reject'),
  maxRejected: z.number().min(0).max(1).default(0.5),
  allowRepeat: z
    .boolean()
    .default(false)
    .meta({ description: 'append a file whose exact bytes were already imported into the table' }),
};

export const ImportUploadInput = z
  .object({ ...ImportFields, uploadId: z.string().min(1).max(100).meta({ example: 'up_0123abcd…' }) })
  .strict();
export const ImportFileInput = z.object({ ...ImportFields, path: z.string().min(1).max(4096) }).strict();

type Fields = z.output<typeof ImportUploadInput> | z.output<typeof ImportFileInput>;

function importOptions(input: Fields, path: string): ImportOptions {
  return {
    table: input.table,
    source: {
      kind: 'file',
      path,
      ...(input.label ? { label: input.label } : {}),
      ...(input.format ? { format: input.format } : {}),
      encoding: input.encoding,
      ...(input.delimiter ? { delimiter: input.delimiter } : {}),
    },
    mapping: parsePairs(input.map, 'map'),
    constants: parsePairs(input.set, 'set'),
    mode: input.mode,
    onDuplicate: input.onDuplicate,
    maxRejectedFraction: input.maxRejected,
    allowRepeat: input.allowRepeat,
  };
}

function runImport(ctx: OpContext, options: ImportOptions): Promise<ImportReport> {
  return importTable(wsOf(ctx), {
    ...options,
    onProgress: (p) => ctx.progress(p.fraction, `${p.stage} ${p.rows} rows`),
  });
}

function uploadsOf(ctx: OpContext): UploadStore {
  if (!ctx.uploads) throw new AppError('unavailable', 'this server keeps no uploads', 503);
  return ctx.uploads;
}

export const importUploadOp = defineOp({
  name: 'data.import',
  summary: 'Import a file uploaded to the server into a table (one transaction; bad rows quarantined)',
  input: ImportUploadInput,
  roles: ['data_scientist'],
  long: true,
  // Option mistakes (an unknown pair, upsert on a keyless table) answer 422 before a job is queued.
  precheck: async (_ctx, input) => {
    resolveImportOptions(importOptions(input, input.uploadId));
  },
  run: async (ctx, input): Promise<ImportReport> => {
    const uploads = uploadsOf(ctx);
    const path = uploads.pathOf(input.uploadId);
    try {
      return await runImport(ctx, importOptions(input, path));
    } finally {
      // An upload is imported once, whatever the outcome; a retry uploads again.
      await uploads.remove(input.uploadId);
    }
  },
});

export const importFileOp = defineOp({
  name: 'data.import-file',
  summary: 'Import a file of this machine into a table (one transaction; bad rows quarantined)',
  input: ImportFileInput,
  roles: ['data_scientist'],
  long: true,
  localOnly: true,
  run: (ctx, input) => runImport(ctx, importOptions(input, filesOf(ctx).resolve(input.path))),
});
