import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeFiles } from '../../src/store/node-files.ts';

const dir = mkdtempSync(join(tmpdir(), 'node-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

describe('nodeFiles (the ByteFiles port on Node)', () => {
  const text = '会員ID,名前\n'.repeat(5_000);

  it('a sink writes what chunks read back, in chunks no larger than asked', async () => {
    const path = join(dir, 'round.csv');
    const sink = nodeFiles.sink(path, 1024);
    for (let i = 0; i < 10; i++) await sink.write(Buffer.from(text.slice(i * 100, (i + 1) * 100)));
    await sink.end();
    const sizes: number[] = [];
    let read = 0;
    const bytes = await collect(
      (async function* () {
        for await (const c of nodeFiles.chunks(path, { chunkBytes: 256, onRead: (n) => (read += n) })) {
          sizes.push(c.length);
          yield c;
        }
      })(),
    );
    expect(bytes.toString('utf8')).toBe(text.slice(0, 1000));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(256);
    expect(read).toBe(Buffer.byteLength(text.slice(0, 1000)));
  });

  it('gunzips on request and counts the compressed bytes read', async () => {
    const path = join(dir, 'table.csv.gz');
    const gz = gzipSync(text);
    writeFileSync(path, gz);
    let read = 0;
    const bytes = await collect(
      nodeFiles.chunks(path, { chunkBytes: 4096, gunzip: true, onRead: (n) => (read += n) }),
    );
    expect(bytes.toString('utf8')).toBe(text);
    expect(read).toBe(gz.length);
  });

  it('keeps the runtime error code of a missing file and of a truncated gzip stream', async () => {
    await expect(nodeFiles.stat(join(dir, 'none.csv'))).rejects.toMatchObject({ code: 'ENOENT' });
    const path = join(dir, 'cut.csv.gz');
    writeFileSync(path, gzipSync(text).subarray(0, 200));
    await expect(collect(nodeFiles.chunks(path, { chunkBytes: 64, gunzip: true }))).rejects.toMatchObject({
      code: 'Z_BUF_ERROR',
    });
  });

  it('reads heads, stats, lists, renames and removes', async () => {
    const path = join(dir, 'small.txt');
    nodeFiles.writeTextSync(path, 'PAR1xyz');
    expect(Buffer.from(await nodeFiles.head(path, 4)).toString('latin1')).toBe('PAR1');
    expect(Buffer.from(await nodeFiles.head(path, 64)).length).toBe(7);
    expect(await nodeFiles.stat(path)).toEqual({ size: 7, isFile: true });
    expect(await nodeFiles.stat(dir)).toMatchObject({ isFile: false });
    const moved = nodeFiles.join(dir, 'sub', 'moved.txt');
    nodeFiles.mkdirSync(nodeFiles.join(dir, 'sub'));
    nodeFiles.renameSync(path, moved);
    expect(await nodeFiles.exists(path)).toBe(false);
    expect(await nodeFiles.list(nodeFiles.join(dir, 'sub'))).toEqual(['moved.txt']);
    expect(nodeFiles.readTextSync(moved)).toBe('PAR1xyz');
    await nodeFiles.remove(nodeFiles.join(dir, 'sub'));
    expect(await nodeFiles.exists(moved)).toBe(false);
    await nodeFiles.remove(nodeFiles.join(dir, 'sub')); // already gone: no error
  });

  it('hashes streamed content as node:crypto does, and tells valid UTF-8 from broken', () => {
    const h = nodeFiles.sha256();
    h.update(Buffer.from('会員'));
    h.update(Buffer.from('ID'));
    expect(h.hex()).toBe(createHash('sha256').update('会員ID').digest('hex'));
    expect(nodeFiles.isUtf8(Buffer.from('会員'))).toBe(true);
    expect(nodeFiles.isUtf8(Buffer.from('会員').subarray(0, 2))).toBe(false);
  });

  it('an ended sink leaves exactly the bytes written', async () => {
    const path = join(dir, 'exact.bin');
    const sink = nodeFiles.sink(path);
    await sink.write(Uint8Array.of(1, 2, 3));
    await sink.write(Uint8Array.of(4));
    await sink.end();
    expect([...readFileSync(path)]).toEqual([1, 2, 3, 4]);
  });
});
