import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ImportReport, importTable } from '../../src/ingest/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { tempWorkspace } from '../helpers/workspace.ts';

let ws: Workspace;
let dir: string;
let cleanup: () => void;
beforeEach(async () => {
  ({ ws, dir, cleanup } = await tempWorkspace());
});
afterEach(() => cleanup());

const ROWS = 300_000;
/** Rows (1-based) given a bad value, spread over several DuckDB row groups and threads. */
const BAD_ROWS = new Map<number, string>([
  [7, 'quantity'],
  [122_881, 'ts'],
  [150_000, 'unit_price'],
  [233_333, 'quantity'],
  [299_999, 'ts'],
]);

/** A transactions file whose row r names itself in receipt_id, so misnumbered rows show. */
function transactionsLines(): string[] {
  const lines = ['receipt_id,member_id,store_id,channel,ts,product_id,quantity,unit_price,amount'];
  for (let r = 1; r <= ROWS; r++) {
    const bad = BAD_ROWS.get(r);
    const ts = bad === 'ts' ? 'yesterday' : `2025-0${1 + (r % 9)}-1${r % 10} 10:00:00`;
    const quantity = bad === 'quantity' ? 'many' : String(1 + (r % 3));
    const price = bad === 'unit_price' ? '-5' : '100';
    lines.push(`R${r},M${r % 1000},S1,store,${ts},P${r % 50},${quantity},${price},`);
  }
  return lines;
}

async function importLines(name: string, text: string): Promise<ImportReport> {
  const path = join(dir, name);
  writeFileSync(path, text);
  return importTable(ws, { table: 'transactions', source: { kind: 'file', path }, mode: 'replace' });
}

const quarantine = (id: string) =>
  ws.db.rows(
    `SELECT row_number, column_name, reason, value FROM _quarantine WHERE import_id = $id ORDER BY row_number`,
    {
      id,
    },
  );
const receiptsOfRows = () =>
  ws.db.rows<{ bad: number }>(
    `SELECT count(*) AS bad FROM transactions WHERE CAST(substr(receipt_id, 2) AS BIGINT) IN (${[...BAD_ROWS.keys()].join(', ')})`,
  );

describe('DuckDB reading a plain CSV directly numbers rows as the normaliser does', () => {
  it('the same 300,000 rows, read directly and through the normaliser (CRLF), quarantine the same rows and lines', async () => {
    const lines = transactionsLines();
    const direct = await importLines('plain.csv', `${lines.join('\n')}\n`);
    const directRows = await quarantine(direct.importId);
    expect(await receiptsOfRows()).toEqual([{ bad: 0 }]);
    const normalised = await importLines('windows.csv', `${lines.join('\r\n')}\r\n`);

    expect(direct.reader).toBe('duckdb');
    expect(normalised.reader).toBe('normaliser');
    for (const r of [direct, normalised])
      expect(r).toMatchObject({ rowsRead: ROWS, accepted: ROWS - BAD_ROWS.size, rejected: BAD_ROWS.size });
    expect(directRows.map((q) => [q.row_number, q.column_name])).toEqual([...BAD_ROWS.entries()]);
    expect(await quarantine(normalised.importId)).toEqual(directRows);
    expect(direct.samples).toEqual(normalised.samples);
    // Line = row + 1 (the header is line 1); each bad row's record names its own receipt.
    expect(direct.samples.map((s) => [s.row, s.line])).toEqual([...BAD_ROWS.keys()].map((r) => [r, r + 1]));
    const records = await ws.db.rows<{ row_number: number; record: string }>(
      `SELECT row_number, record FROM _quarantine WHERE import_id = $id ORDER BY row_number`,
      { id: direct.importId },
    );
    for (const q of records) expect(JSON.parse(q.record).receipt_id).toBe(`R${q.row_number}`);
  });

  it('falls back to the normaliser when DuckDB cannot read the file faithfully', async () => {
    const lines = transactionsLines().slice(0, 2001);
    // A short row: DuckDB's strict reader fails, the normaliser quarantines the row.
    const short = [...lines];
    short[1000] = 'R1000,M1,S1';
    const a = await importLines('short.csv', `${short.join('\n')}\n`);
    expect(a).toMatchObject({ reader: 'normaliser', rowsRead: 2000, rejected: 2 });
    expect(a.samples.find((s) => s.row === 1000)).toMatchObject({
      line: 1001,
      column: '(row)',
      reason: 'row has 3 fields, the header has 9',
    });
    // A blank line, which DuckDB would skip silently and shift every later line number.
    const blank = [...lines.slice(0, 500), '', ...lines.slice(500)];
    const b = await importLines('blank.csv', `${blank.join('\n')}\n`);
    expect(b).toMatchObject({ reader: 'normaliser', rowsRead: 2000, blankLines: 1 });
    expect(b.samples[0]).toMatchObject({ row: 7, line: 8 });
    // A line over the direct reader's 1 MiB.
    const long = [...lines];
    long[42] = long[42]!.replace('S1', `S${'x'.repeat(1_100_000)}`);
    const c = await importLines('long.csv', `${long.join('\n')}\n`);
    expect(c).toMatchObject({ reader: 'normaliser', rowsRead: 2000 });
    expect(c.samples.find((s) => s.row === 42)).toMatchObject({
      column: 'store_id',
      reason: 'id is longer than 256 characters',
    });
  });
});
