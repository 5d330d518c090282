import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ApiDeps, DataService, SavedUpload } from '../api/index.ts';
import { importTable } from '../ingest/index.ts';
import { AppError } from '../schema/index.ts';
import type { Workspace } from '../store/index.ts';

/** Streams an HTTP body to the workspace tmp folder, stopping at `limitBytes`. */
async function saveUpload(
  ws: Workspace,
  body: ReadableStream<Uint8Array>,
  filename: string,
  limitBytes: number,
): Promise<SavedUpload> {
  const safe = basename(filename).replace(/[^A-Za-z0-9._-]/g, '_') || 'upload';
  const path = join(ws.tmpDir, `upload-${randomUUID()}-${safe}`);
  let bytes = 0;
  const counted = Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>).on(
    'data',
    (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limitBytes)
        counted.destroy(
          new AppError(
            'payload-too-large',
            `the upload is larger than the limit of ${limitBytes} bytes`,
            413,
          ),
        );
    },
  );
  try {
    await pipeline(counted, createWriteStream(path));
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
  return { path, bytes, cleanup: () => rm(path, { force: true }) };
}

export function workspaceDataService(ws: Workspace): DataService {
  return {
    rowCounts: () => ws.rowCounts(),
    describe: (table) => ws.describe(table),
    saveUpload: (body, filename, limit) => saveUpload(ws, body, filename, limit),
    importFile: async (options) => {
      // Uploads live in the workspace tmp folder; whoever imports one (route or job) removes it.
      try {
        return await importTable(ws, options);
      } finally {
        if (options.source.kind === 'file' && options.source.path.startsWith(ws.tmpDir))
          await rm(options.source.path, { force: true });
      }
    },
  };
}

const TYPES: Record<string, string> = { '.css': 'text/css', '.js': 'text/javascript', '.png': 'image/png' };

/** Serves swagger-ui's files from node_modules. */
export function swaggerAssets(): NonNullable<ApiDeps['docsAsset']> {
  const dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  return async (file) => {
    try {
      return {
        body: new Uint8Array(await readFile(join(dir, file))),
        type: TYPES[extname(file)] ?? 'application/octet-stream',
      };
    } catch {
      return null;
    }
  };
}
