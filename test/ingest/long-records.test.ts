import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importTable } from '../../src/ingest/index.ts';
import { ImportFileError } from '../../src/schema/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { tempWorkspace, workspaceSnapshot } from '../helpers/workspace.ts';

let ws: Workspace;
let dir: string;
let cleanup: () => void;
beforeEach(async () => {
  ({ ws, dir, cleanup } = await tempWorkspace());
});
afterEach(() => cleanup());

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const texts = (path: string) =>
  importTable(ws, { table: 'texts', source: { kind: 'file', path }, maxRejectedFraction: 1 });

/** `n` bytes of Japanese text (3 bytes a character). */
const japanese = (bytes: number) => 'あ'.repeat(Math.round(bytes / 3));

describe('every record is accepted or quarantined, however long', () => {
  it('a 3 MB record is read and rejected for its length, with its line; the other rows are imported', async () => {
    const path = write('t3.csv', `text_id,body\nT1,short\nT2,${japanese(3e6)}\nT3,also short\n`);
    const report = await texts(path);
    expect(report).toMatchObject({ rowsRead: 3, accepted: 2, rejected: 1 });
    expect(report.samples).toEqual([
      {
        row: 2,
        line: 3,
        column: 'body',
        reason: 'text is longer than 20000 characters',
        value: expect.any(String),
      },
    ]);
  });

  it('a 60 MB record is quarantined with its size and line, not dropped', async () => {
    const path = write('t60.csv', `text_id,body\nT1,${japanese(60e6)}\nT2,fine\n`);
    const report = await texts(path);
    expect(report).toMatchObject({ rowsRead: 2, accepted: 1, rejected: 1, duplicatesSkipped: 0 });
    expect(report.samples).toEqual([
      {
        row: 1,
        line: 2,
        column: '(row)',
        reason: 'record is 60.0 MB, longer than the 8 MB limit',
        value: expect.stringMatching(/^T1,あ+/),
      },
    ]);
    const [q] = await ws.db.rows<{ n: number; len: number }>(
      `SELECT count(*) AS n, max(strlen(value)) AS len FROM _quarantine WHERE import_id = $id`,
      { id: report.importId },
    );
    expect(q).toEqual({ n: 1, len: expect.any(Number) });
    expect(q!.len).toBeLessThanOrEqual(500);
  });

  it('a file whose only row is 60 MB reports it as read and rejected', async () => {
    const path = write('only.csv', `text_id,body\nT1,${japanese(60e6)}\n`);
    const before = await workspaceSnapshot(ws);
    await expect(texts(path).then((r) => r)).resolves.toMatchObject({
      rowsRead: 1,
      accepted: 0,
      rejected: 1,
    });
    // With the default limit (half the rows may fail), the same file is refused and changes nothing.
    const again = write('only2.csv', `text_id,body\nT9,${japanese(60e6)}\n`);
    const snapshot = await workspaceSnapshot(ws);
    expect(snapshot).not.toBe(before);
    await expect(importTable(ws, { table: 'texts', source: { kind: 'file', path: again } })).rejects.toThrow(
      /1 of 1 rows \(100\.0%\) failed validation.*\(row\): record is 60\.0 MB, longer than the 8 MB limit/,
    );
    expect(await workspaceSnapshot(ws)).toBe(snapshot);
  });

  it('a 9 MB quoted record with newlines inside is quarantined, and the rows after it keep their line numbers', async () => {
    const body = `"${'い'.repeat(3_000_000)}\n${'う'.repeat(100)}\n"`;
    const path = write('quoted.csv', `text_id,body\nT1,${body}\nT2,"x, y"\nT3,${'z'.repeat(30_000)}\n`);
    const report = await texts(path);
    expect(report).toMatchObject({ rowsRead: 3, accepted: 1, rejected: 2, reader: 'normaliser' });
    expect(report.samples.map((s) => [s.row, s.line, s.reason])).toEqual([
      [1, 2, 'record is 9.0 MB, longer than the 8 MB limit'],
      [3, 6, 'text is longer than 20000 characters'],
    ]);
  });

  it('a quote opened and never closed, swallowing the rest of the file, fails the file', async () => {
    const rest = Array.from({ length: 200_000 }, (_, i) => `T${i},text number ${i}`).join('\n');
    const path = write('open.csv', `text_id,body\nT0,"broken\n${rest}\n${'x'.repeat(5_000_000)}\n`);
    await expect(texts(path)).rejects.toThrow(
      /the quoted field opened in the record at line 2 is never closed, so the rest of the file \(\d+\.\d MB, longer than the 8 MB limit\) would be one record/,
    );
  });

  it('an NDJSON line over the limit is quarantined with its line', async () => {
    const big = JSON.stringify({ text_id: 'T2', body: japanese(9e6) });
    const path = write('t.ndjson', `{"text_id":"T1","body":"ok"}\n${big}\n{"text_id":"T3","body":"ok"}\n`);
    const report = await texts(path);
    expect(report).toMatchObject({ rowsRead: 3, accepted: 2, rejected: 1 });
    expect(report.samples[0]).toMatchObject({
      row: 2,
      line: 2,
      reason: 'record is 9.0 MB, longer than the 8 MB limit',
    });
  });
});

describe('NDJSON with very many distinct keys', () => {
  it('one object with 40,000 keys fails the file at once with a clear reason', async () => {
    const wide = JSON.stringify(
      Object.fromEntries([['member_id', 'M1'], ...Array.from({ length: 40_000 }, (_, i) => [`k${i}`, i])]),
    );
    const path = write('wide.ndjson', `${wide}\n`);
    const before = await workspaceSnapshot(ws);
    const attempt = importTable(ws, { table: 'members', source: { kind: 'file', path } });
    await expect(attempt).rejects.toBeInstanceOf(ImportFileError);
    await expect(attempt).rejects.toThrow(
      /its JSON objects have more than 1000 distinct keys by line 1; at most 1000 columns can be imported \(keys start member_id, k0, k1, k2, k3, \.\.\.\)/,
    );
    expect(await workspaceSnapshot(ws)).toBe(before);
  });

  it('40,000 lines each with a key of its own: refused once the first objects exceed the column limit', async () => {
    const lines = Array.from({ length: 40_000 }, (_, i) =>
      JSON.stringify({ member_id: `M${i}`, [`k${i}`]: 1 }),
    );
    const path = write('sparse.ndjson', `${lines.join('\n')}\n`);
    await expect(importTable(ws, { table: 'members', source: { kind: 'file', path } })).rejects.toThrow(
      /more than 1000 distinct keys by line 1000;/,
    );
  });

  it('keys beyond the first 1,000 objects are listed as ignored, the rest counted', async () => {
    const lines = Array.from({ length: 1_100 }, (_, i) =>
      JSON.stringify(i < 1_000 ? { member_id: `M${i}` } : { member_id: `M${i}`, [`extra${i}`]: i }),
    );
    const report = await importTable(ws, {
      table: 'members',
      source: { kind: 'file', path: write('late.ndjson', `${lines.join('\n')}\n`) },
    });
    expect(report.accepted).toBe(1_100);
    expect(report.ignoredColumns).toHaveLength(51);
    expect(report.ignoredColumns.at(-1)).toBe('(and 50 more keys)');
  });
});
