/**
 * Buffered CSV file writing: rows are appended as strings and written in ~1 MB chunks with
 * backpressure, to a `.partial` file that is renamed only when the whole workspace succeeded.
 */

/** Rows are UTF-8 encoded straight into chunk buffers: short-lived row strings die young, and
 * nothing large survives to the old generation (joined strings and ropes did, and GC dominated). */
const CHUNK_BYTES = 1 << 20;
/** The stream may hold a few chunks, so generation continues while the disk catches up. */
const STREAM_BUFFER = 1 << 23;
const NEWLINE = 0x0a;

import { type ByteSink, csvField } from '../schema/index.ts';
import { nodeFiles } from '../store/node-files.ts';

export { csvField };

export class CsvSink {
  rows = 0;
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private pos = 0;
  /** Chunks filled since the last flush. */
  private ready: Buffer[] = [];
  private readonly stream: ByteSink;
  readonly tempPath: string;

  constructor(
    readonly path: string,
    header: readonly string[],
  ) {
    this.tempPath = `${path}.partial`;
    // A write error surfaces on the next flush/close (the sink keeps it until then).
    this.stream = nodeFiles.sink(this.tempPath, STREAM_BUFFER);
    this.put(header.map(csvField).join(','));
  }

  /** Appends one row; `line` is already a CSV record without the trailing newline. */
  line(line: string): void {
    this.put(line);
    this.rows++;
  }

  private put(line: string): void {
    // 3 bytes per UTF-16 unit bounds the UTF-8 size (surrogate pairs take 4 bytes for 2 units).
    if (this.pos + 3 * line.length + 1 > this.chunk.length) {
      this.ready.push(this.chunk.subarray(0, this.pos));
      this.chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, 3 * line.length + 1));
      this.pos = 0;
    }
    this.pos += this.chunk.write(line, this.pos);
    this.chunk[this.pos++] = NEWLINE;
  }

  get full(): boolean {
    return this.ready.length > 0;
  }

  async flush(): Promise<void> {
    if (this.pos > 0) {
      this.ready.push(this.chunk.subarray(0, this.pos));
      this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      this.pos = 0;
    }
    const ready = this.ready;
    this.ready = [];
    for (const b of ready) await this.stream.write(b);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.stream.end();
  }

  /** Moves the finished file into place. */
  commit(): void {
    nodeFiles.renameSync(this.tempPath, this.path);
  }

  abort(): void {
    this.stream.destroy();
    nodeFiles.removeSync(this.tempPath);
  }
}

/** Whether any sink should be flushed: a sync check, so hot loops only await when there is work. */
export function anyFull(sinks: readonly CsvSink[]): boolean {
  for (const s of sinks) if (s.full) return true;
  return false;
}

/** Flushes whichever sinks have a full buffer; call between entities in the hot loops. */
export async function flushFull(sinks: readonly CsvSink[]): Promise<void> {
  for (const s of sinks) if (s.full) await s.flush();
}
