/**
 * Node's file system behind the `ByteFiles` port (`schema/ports.ts`): streams with backpressure,
 * gunzip, native UTF-8 checks and hashing. The importer and the sample generator reach files only
 * through this, so their parsing stays free of Node built-ins. Not exported from the store barrel:
 * the Worker imports that barrel and has no file system.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { access, mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { ByteFiles, ByteSink } from '../schema/ports.ts';

async function* chunks(
  path: string,
  options: { chunkBytes: number; gunzip?: boolean; onRead?: (bytes: number) => void },
): AsyncGenerator<Buffer> {
  const file = createReadStream(path, { highWaterMark: options.chunkBytes });
  const { onRead } = options;
  if (onRead) file.on('data', (chunk) => onRead(chunk.length));
  try {
    if (!options.gunzip) {
      for await (const chunk of file) yield chunk as Buffer;
      return;
    }
    const gunzip = createGunzip({ chunkSize: options.chunkBytes });
    file.on('error', (err) => gunzip.destroy(err));
    file.pipe(gunzip);
    for await (const chunk of gunzip) yield chunk as Buffer;
  } finally {
    file.destroy();
  }
}

function sink(path: string, bufferBytes?: number): ByteSink {
  const stream = createWriteStream(path, bufferBytes ? { highWaterMark: bufferBytes } : {});
  // An error surfaces on the next write or end; keep the process from crashing in between.
  stream.on('error', () => {});
  return {
    async write(bytes) {
      if (stream.errored) throw stream.errored;
      if (!stream.write(bytes)) await once(stream, 'drain');
    },
    async end() {
      if (stream.errored) throw stream.errored;
      stream.end();
      await once(stream, 'finish');
    },
    destroy: () => stream.destroy(),
  };
}

export const nodeFiles: ByteFiles = {
  async stat(path) {
    const info = await stat(path);
    return { size: info.size, isFile: info.isFile() };
  },
  read: (path) => readFile(path),
  readTextSync: (path) => readFileSync(path, 'utf8'),
  async head(path, length) {
    const handle = await open(path, 'r');
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  },
  chunks,
  sink,
  exists: (path) =>
    access(path).then(
      () => true,
      () => false,
    ),
  list: (dir) => readdir(dir),
  mkdir: async (dir) => {
    await mkdir(dir, { recursive: true });
  },
  mkdirSync: (dir) => {
    mkdirSync(dir, { recursive: true });
  },
  remove: (path) => rm(path, { recursive: true, force: true }),
  removeSync: (path) => rmSync(path, { recursive: true, force: true }),
  renameSync,
  writeTextSync: (path, text) => writeFileSync(path, text),
  join,
  resolve,
  isUtf8: (bytes) => isUtf8(bytes),
  sha256() {
    const hash = createHash('sha256');
    return {
      update: (bytes) => {
        hash.update(bytes);
      },
      hex: () => hash.digest('hex'),
    };
  },
};
