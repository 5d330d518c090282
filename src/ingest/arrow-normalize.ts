import * as arrow from 'apache-arrow';
import { csvField, ImportFileError } from '../schema/index.ts';
import { nodeFiles } from '../store/node-files.ts';
import { type BadRecord, checkHeader, type NormalizedFile, StagingWriter } from './csv-normalize.ts';
import { RAW_SAMPLE_BYTES, RECORD_LIMIT_BYTES, tooLongReason } from './limits.ts';

function formatCell(type: arrow.DataType, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (arrow.DataType.isDate(type)) return new Date(Number(value)).toISOString().slice(0, 10);
  if (arrow.DataType.isTimestamp(type))
    return new Date(Number(value)).toISOString().slice(0, 19).replace('T', ' ');
  if (value instanceof Date) return value.toISOString().slice(0, 19).replace('T', ' ');
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? String(v) : v));
}

/** Reads an Arrow IPC file or stream into the staging CSV, batch by batch. */
export async function normalizeArrow(
  path: string,
  outPath: string,
  options: { label: string; onRows?: (rows: number) => void },
): Promise<NormalizedFile> {
  const { label } = options;
  let reader: arrow.RecordBatchReader;
  try {
    reader = arrow.RecordBatchReader.from(await nodeFiles.read(path));
    reader.open();
  } catch (err) {
    throw new ImportFileError(
      `file "${label}" is not an Arrow IPC file or stream (${(err as Error).message})`,
      'file',
    );
  }
  const fields = reader.schema?.fields ?? [];
  if (fields.length === 0) throw new ImportFileError(`Arrow file "${label}" has no columns`, 'file');
  // A corrupt schema can decode a field without a name: reported as an empty column name.
  const header = fields.map((f) => (typeof f.name === 'string' ? f.name : ''));
  checkHeader(header, label);
  const writer = new StagingWriter(outPath);
  writer.push(`_row,_line,${header.map((_, i) => `c${i}`).join(',')}\n`);
  let rows = 0;
  const bad: BadRecord[] = [];
  try {
    for (const batch of reader) {
      const columns = fields.map((_, i) => batch.getChildAt(i)!);
      for (let r = 0; r < batch.numRows; r++) {
        rows++;
        const cells = columns.map((col, i) => csvField(formatCell(fields[i]!.type, col?.get(r)))).join(',');
        const size = cells.length * 3 > RECORD_LIMIT_BYTES ? Buffer.byteLength(cells) : cells.length;
        if (size > RECORD_LIMIT_BYTES) {
          bad.push({
            row: rows,
            line: null,
            reason: tooLongReason(size),
            raw: cells.slice(0, RAW_SAMPLE_BYTES),
          });
          continue;
        }
        writer.push(`${rows},,${cells}\n`);
      }
      await writer.maybeFlush();
      options.onRows?.(rows);
    }
  } catch (err) {
    throw new ImportFileError(
      `Arrow file "${label}" is truncated or corrupt after ${rows} rows (${(err as Error).message})`,
      'file',
    );
  } finally {
    await writer.close();
  }
  return { header, rows, bad, blankLines: 0 };
}
