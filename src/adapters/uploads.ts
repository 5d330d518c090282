/**
 * The Node upload store: HTTP bodies streamed into a folder (the workspace's tmp folder, which the
 * workspace empties when it opens), named by a random id that is also the file name's prefix.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { AppError, NotFoundError, type UploadStore } from '../schema/index.ts';

const ID = /^up_[0-9a-f]{32}$/;

/**
 * @example
 * const uploads = folderUploads(ws.tmpDir);
 * const { id } = await uploads.save(request.body, 'members.csv', 512 * 1024 * 1024);
 */
export function folderUploads(dir: string): UploadStore {
  const find = (id: string): string | undefined => {
    if (!ID.test(id)) return undefined;
    const name = existsSync(dir) ? readdirSync(dir).find((f) => f.startsWith(`${id}-`)) : undefined;
    return name ? join(dir, name) : undefined;
  };
  return {
    async save(body, filename, limitBytes) {
      const id = `up_${randomUUID().replaceAll('-', '')}`;
      // The original name is kept (made safe) so the importer can tell the format by its extension.
      const safe = basename(filename).replace(/[^A-Za-z0-9._-]/g, '_') || 'upload';
      const path = join(dir, `${id}-${safe}`);
      let bytes = 0;
      const counted = Readable.fromWeb(body as NodeReadableStream<Uint8Array>).on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > limitBytes)
          counted.destroy(
            new AppError(
              'payload-too-large',
              `the upload is larger than the limit of ${limitBytes} bytes`,
              413,
            ),
          );
      });
      try {
        await pipeline(counted, createWriteStream(path));
      } catch (err) {
        await rm(path, { force: true });
        throw err;
      }
      return { id, bytes };
    },
    pathOf(id) {
      const path = find(id);
      if (!path) throw new NotFoundError('upload', id, 'uploads are removed once imported');
      return path;
    },
    async remove(id) {
      const path = find(id);
      if (path) await rm(path, { force: true });
    },
  };
}
