import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ImportOptions, importTable } from '../../src/ingest/index.ts';
import { ImportFileError } from '../../src/schema/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { fixture, tempWorkspace, workspaceSnapshot } from '../helpers/workspace.ts';

let ws: Workspace;
let cleanup: () => void;
beforeEach(async () => {
  ({ ws, cleanup } = await tempWorkspace());
});
afterEach(() => cleanup());

const file = (name: string, extra: Partial<Extract<ImportOptions['source'], { kind: 'file' }>> = {}) =>
  ({ kind: 'file', path: fixture(name), ...extra }) as const;

const EXPECTED_MEMBERS = [
  {
    member_id: 'M0001',
    gender: 'female',
    birth_date: '1985-04-12',
    prefecture: '東京都',
    home_store_id: 'S001',
    registered_at: '2019-03-01',
  },
  {
    member_id: 'M0002',
    gender: 'male',
    birth_date: '1972-11-30',
    prefecture: '神奈川県',
    home_store_id: 'S002',
    registered_at: '2018-07-15',
  },
  {
    member_id: 'M0003',
    gender: 'female',
    birth_date: '1999-01-05',
    prefecture: '大阪府',
    home_store_id: 'S003',
    registered_at: '2021-01-20',
  },
  {
    member_id: 'M0004',
    gender: null,
    birth_date: '1960-02-29',
    prefecture: '北海道',
    home_store_id: 'S001',
    registered_at: '2020-01-01',
  },
  {
    member_id: 'M0005',
    gender: 'male',
    birth_date: '1990-12-31',
    prefecture: '千葉県, 船橋市',
    home_store_id: 'S002',
    registered_at: '2022-05-05',
  },
];

// The columns of these fixtures (the contact columns email and phone are tested in contact-columns.test.ts).
const members = () =>
  ws.db.rows(
    'SELECT member_id, gender, birth_date, prefecture, home_store_id, registered_at FROM members ORDER BY member_id',
  );

describe('importTable: formats and encodings', () => {
  it.each([
    ['members.csv', 'utf-8'],
    ['members_bom.csv', 'utf-8'],
    ['members_sjis.csv', 'shift_jis'],
    ['members.csv.gz', 'utf-8'],
    ['members.ndjson', 'utf-8'],
  ])('imports %s (%s) to the same typed rows', async (name, encoding) => {
    const report = await importTable(ws, { table: 'members', source: file(name) });
    expect(report).toMatchObject({ rowsRead: 5, accepted: 5, rejected: 0, encoding });
    expect(await members()).toEqual(EXPECTED_MEMBERS);
  });

  it.each(['members.parquet', 'members.arrow'])('imports %s to the same typed rows', async (name) => {
    const report = await importTable(ws, { table: 'members', source: file(name) });
    expect(report).toMatchObject({ rowsRead: 5, accepted: 5, rejected: 0 });
    expect(await members()).toEqual(EXPECTED_MEMBERS);
  });

  it('reads Shift_JIS when told so explicitly', async () => {
    const report = await importTable(ws, {
      table: 'members',
      source: file('members_sjis.csv', { encoding: 'shift_jis' }),
    });
    expect(report.accepted).toBe(5);
    expect((await members())[1]!.prefecture).toBe('神奈川県');
  });
});

describe('importTable: files that cannot be imported change nothing', () => {
  beforeEach(async () => {
    await importTable(ws, { table: 'members', source: file('members.csv') });
  });

  const failsCleanly = async (options: ImportOptions, message: string | RegExp) => {
    const before = await workspaceSnapshot(ws);
    const attempt = importTable(ws, options);
    await expect(attempt).rejects.toBeInstanceOf(ImportFileError);
    await expect(importTable(ws, options)).rejects.toThrow(message);
    expect(await workspaceSnapshot(ws)).toBe(before);
  };

  it('a truncated gzip file', () =>
    failsCleanly(
      { table: 'members', source: file('members_truncated.csv.gz'), mode: 'replace' },
      /is truncated: its gzip stream ends before the end marker/,
    ));

  it('the wrong encoding', () =>
    failsCleanly(
      { table: 'members', source: file('members_sjis.csv', { encoding: 'utf-8' }), mode: 'replace' },
      /is not valid UTF-8 at line 2 \(byte 0x/,
    ));

  it('an encoding that changes after the sniffed start', () =>
    failsCleanly(
      { table: 'members', source: file('members_mixed_encoding.csv'), mode: 'replace' },
      /is not valid UTF-8 at line 1502 .*if it is Shift_JIS, pass encoding shift_jis/,
    ));

  it('a file without a required column, naming what is missing and what was found', () =>
    failsCleanly(
      { table: 'transactions', source: file('members.csv') },
      'cannot be imported into transactions: required columns receipt_id, ts, product_id, quantity, unit_price are missing. Found columns: member_id, gender, birth_date, prefecture, home_store_id, registered_at. It looks like a members file.',
    ));

  it('a file for another table', () =>
    failsCleanly(
      { table: 'tp_profiles', source: file('members.csv') },
      /required column tp_id is missing\. Found columns: member_id/,
    ));

  it('a mapping from a column the file does not have', () =>
    failsCleanly(
      { table: 'members', source: file('members.csv'), mapping: { CustomerID: 'member_id' } },
      'mapping "CustomerID=member_id": ',
    ));

  it('a file that does not exist', () =>
    failsCleanly(
      { table: 'members', source: { kind: 'file', path: fixture('nope.csv') } },
      /nope\.csv" does not exist/,
    ));

  it('a file where most rows are bad', () =>
    failsCleanly(
      { table: 'members', source: file('members_bad.csv'), mode: 'replace', maxRejectedFraction: 0.2 },
      /5 of 7 rows \(71\.4%\) failed validation, more than the allowed 20%, so nothing was imported/,
    ));
});

describe('importTable: row-level problems are quarantined with row, column and reason', () => {
  it('bad enum, bad date, missing key, duplicate key and a short row', async () => {
    const report = await importTable(ws, {
      table: 'members',
      source: file('members_bad.csv'),
      maxRejectedFraction: 1,
    });
    expect(report).toMatchObject({ rowsRead: 7, accepted: 2, rejected: 5, duplicatesSkipped: 0 });
    const q = await ws.db.rows(
      'SELECT row_number, column_name, reason, value FROM _quarantine ORDER BY row_number, column_name',
    );
    expect(q).toEqual([
      {
        row_number: 2,
        column_name: 'gender',
        reason: '"robot" is not one of female, male, unknown',
        value: 'robot',
      },
      {
        row_number: 3,
        column_name: 'birth_date',
        reason: '"1999-13-45" is not a date (expected YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD)',
        value: '1999-13-45',
      },
      { row_number: 4, column_name: 'member_id', reason: 'missing value', value: null },
      {
        row_number: 5,
        column_name: 'member_id',
        reason: 'duplicate key (member_id=M0001): also on row 1',
        value: 'member_id=M0001',
      },
      {
        row_number: 6,
        column_name: '(row)',
        reason: 'row has 4 fields, the header has 6',
        value: 'M0006,女性,1985-04-12,東京都',
      },
    ]);
    expect((await members()).map((m) => m.member_id)).toEqual(['M0001', 'M0007']);
    const [record] = await ws.db.rows(`SELECT record FROM _quarantine WHERE row_number = 2`);
    expect(JSON.parse(record!.record as string)).toMatchObject({ member_id: 'M0002', gender: 'robot' });
  });

  it('a file cut off mid-row keeps the complete rows and flags the cut one', async () => {
    const report = await importTable(ws, { table: 'members', source: file('members_truncated.csv') });
    expect(report).toMatchObject({ rowsRead: 6, accepted: 5, rejected: 1 });
    expect(report.samples[0]).toMatchObject({
      row: 6,
      line: 7,
      column: '(row)',
      reason:
        'row has 3 fields, the header has 6: the file ends in the middle of this row, it looks truncated',
    });
  });

  it('keep-first skips later duplicates and reports them separately', async () => {
    const report = await importTable(ws, {
      table: 'members',
      source: file('members_bad.csv'),
      onDuplicate: 'keep-first',
      maxRejectedFraction: 1,
    });
    expect(report).toMatchObject({ accepted: 2, rejected: 4, duplicatesSkipped: 1 });
  });
});

describe('importTable: keys against what the workspace holds', () => {
  beforeEach(async () => {
    await importTable(ws, { table: 'members', source: file('members.csv') });
  });

  it('append rejects keys that already exist, and leaves the existing rows alone', async () => {
    const report = await importTable(ws, {
      table: 'members',
      source: file('members_sjis.csv'),
      maxRejectedFraction: 1,
    });
    expect(report).toMatchObject({ accepted: 0, rejected: 5, tableRowsBefore: 5, tableRowsAfter: 5 });
    expect(report.samples[0]!.reason).toBe(
      'key (member_id=M0001) is already in the workspace; import with mode upsert to update it or replace to reload the table',
    );
  });

  it('upsert replaces rows with the same key and adds new ones', async () => {
    const report = await importTable(ws, {
      table: 'members',
      source: file('members_bad.csv'),
      mode: 'upsert',
      maxRejectedFraction: 1,
    });
    expect(report).toMatchObject({ accepted: 2, tableRowsBefore: 5, tableRowsAfter: 6 });
  });

  it('replace makes the file the whole table', async () => {
    const report = await importTable(ws, {
      table: 'members',
      source: file('members_bad.csv'),
      mode: 'replace',
      maxRejectedFraction: 1,
    });
    expect(report).toMatchObject({ accepted: 2, tableRowsAfter: 2 });
  });
});

describe('importTable: transactions', () => {
  it('maps Online Retail columns, coerces float IDs, accepts returns and rejects what breaks the rules', async () => {
    const report = await importTable(ws, {
      table: 'transactions',
      source: file('transactions.csv'),
      mapping: {
        InvoiceNo: 'receipt_id',
        StockCode: 'product_id',
        Quantity: 'quantity',
        InvoiceDate: 'ts',
        UnitPrice: 'unit_price',
        CustomerID: 'member_id',
      },
      constants: { channel: 'ec' },
      maxRejectedFraction: 1,
    });
    expect(report).toMatchObject({
      rowsRead: 7,
      accepted: 4,
      rejected: 3,
      ignoredColumns: ['Description', 'Country'],
    });
    expect(report.rejections.map((r) => [r.column, r.reason])).toEqual([
      ['quantity', 'quantity is 0: a line must sell or return at least one unit'],
      ['ts', 'is not a date-time (expected YYYY-MM-DD HH:MM:SS)'],
      ['unit_price', 'is below the minimum 0'],
    ]);
    const rows = await ws.db.rows(
      'SELECT receipt_id, member_id, channel, quantity, amount FROM transactions ORDER BY receipt_id, product_id',
    );
    expect(rows).toEqual([
      { receipt_id: '536365', member_id: '17850', channel: 'ec', quantity: 6, amount: 20.34 },
      { receipt_id: '536365', member_id: '17850', channel: 'ec', quantity: 6, amount: 15.3 },
      { receipt_id: '536414', member_id: null, channel: 'ec', quantity: 56, amount: 0 },
      { receipt_id: 'C536379', member_id: '14527', channel: 'ec', quantity: -1, amount: -27.5 },
    ]);
  });

  it('accepts negative amounts on returns and rejects amounts whose sign contradicts the quantity', async () => {
    const report = await importTable(ws, {
      table: 'transactions',
      source: file('transactions_amounts.csv'),
      maxRejectedFraction: 1,
    });
    expect(report).toMatchObject({ accepted: 4, rejected: 1 });
    expect(report.samples).toEqual([
      {
        row: 4,
        line: 5,
        column: 'quantity,amount',
        reason: 'amount and quantity have opposite signs: a return needs both negative, a sale both positive',
        value: '1.0,-500.0',
      },
    ]);
    const rows = await ws.db.rows(
      'SELECT receipt_id, channel, ts, unit_price, amount FROM transactions ORDER BY receipt_id',
    );
    expect(rows).toEqual([
      { receipt_id: 'R1', channel: 'store', ts: '2025-01-05 10:00:00', unit_price: 198, amount: 396 },
      { receipt_id: 'R2', channel: 'store', ts: '2025-01-06 10:00:00', unit_price: 198, amount: -198 },
      { receipt_id: 'R3', channel: 'ec', ts: '2025-01-07 21:15:00', unit_price: 1280, amount: 1280 },
      { receipt_id: 'R5', channel: 'store', ts: '2025-01-08 09:00:00', unit_price: 100, amount: 300 },
    ]);
  });

  it('logs every import', async () => {
    const report = await importTable(ws, {
      table: 'transactions',
      source: file('transactions_amounts.csv'),
      maxRejectedFraction: 1,
    });
    const [log] = await ws.db.rows('SELECT * FROM _imports');
    expect(log).toMatchObject({
      import_id: report.importId,
      table_name: 'transactions',
      rows_read: 5,
      accepted: 4,
      rejected: 1,
    });
  });
});
