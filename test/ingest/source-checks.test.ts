import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ImportOptions, importTable } from '../../src/ingest/index.ts';
import { AppError, ImportFileError, RepeatedImportError } from '../../src/schema/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { fixture, tempWorkspace, workspaceSnapshot } from '../helpers/workspace.ts';

let ws: Workspace;
let dir: string;
let cleanup: () => void;
beforeEach(async () => {
  ({ ws, dir, cleanup } = await tempWorkspace());
});
afterEach(() => cleanup());

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** The error an import fails with, checked to be an AppError. */
async function failure(options: ImportOptions): Promise<AppError> {
  const err = await importTable(ws, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('errors and reports name the file as the user gave it', () => {
  const hidden = (name: string) => join(dir, 'tmp', `upload-0b6f2c1e-${name}`);

  it.each([
    ['an empty file', '', /file "members\.csv" is empty \(0 bytes\)/],
    ['a header without rows', 'member_id,gender\n', /members\.csv has a header but no data rows/],
    [
      'a wrong-table file',
      'tp_id,age_band\nT1,20s\n',
      /members\.csv cannot be imported into members: required column member_id/,
    ],
    ['bad UTF-8', Buffer.from([0x6d, 0x0a, 0xff, 0xfe, 0x0a]), /cannot tell the encoding of "members\.csv"/],
    [
      'gzip garbage',
      Buffer.from([0x1f, 0x8b, 0x08, 0, 1, 2, 3, 4, 5, 6, 7, 8]),
      /file "members\.csv" is (corrupt|truncated)/,
    ],
  ])('%s', async (_, content, message) => {
    const path = hidden('members.csv');
    writeFileSync(path, content);
    const err = await failure({ table: 'members', source: { kind: 'file', path, label: 'members.csv' } });
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain(dir);
    expect(err.message).not.toContain('upload-0b6f2c1e');
  });

  it('a corrupt Parquet file', async () => {
    const path = hidden('m.parquet');
    writeFileSync(path, Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(64, 7), Buffer.from('PAR1')]));
    const err = await failure({ table: 'members', source: { kind: 'file', path, label: 'm.parquet' } });
    expect(err).toBeInstanceOf(ImportFileError);
    expect(err.message).toMatch(/"m\.parquet"/);
    expect(err.message).not.toContain(dir);
  });

  it('the report and the import log carry the label', async () => {
    const path = hidden('members.csv');
    writeFileSync(path, readFileSync(fixture('members.csv')));
    const report = await importTable(ws, {
      table: 'members',
      source: { kind: 'file', path, label: 'members.csv' },
    });
    expect(report.source).toBe('members.csv');
    expect(await ws.db.rows('SELECT source FROM _imports')).toEqual([{ source: 'members.csv' }]);
  });
});

describe('a file meant for another table is refused', () => {
  const transactions =
    'receipt_id,member_id,store_id,channel,ts,product_id,quantity,unit_price,amount\n' +
    'R1,M1,S1,store,2025-01-05 10:00:00,P1,2,198,396\nR2,M2,S1,ec,2025-01-06 11:00:00,P2,1,98,98\n';

  it('a transactions file imported as members, naming what matched and the table it looks like', async () => {
    const path = write('transactions.csv', transactions);
    const before = await workspaceSnapshot(ws);
    const err = await failure({ table: 'members', source: { kind: 'file', path } });
    expect(err).toBeInstanceOf(ImportFileError);
    expect(err.message).toBe(
      `${path} looks like a transactions file, not members: it names 9 of the 9 transactions columns ` +
        '(receipt_id, member_id, store_id, channel, ts, product_id, quantity, unit_price, amount) but only 1 of the 8 members columns ' +
        '(member_id), and 8 of its 9 columns would be ignored. Import it into transactions, or map its columns explicitly ' +
        '(--map Source=target) to import it into members.',
    );
    expect(await workspaceSnapshot(ws)).toBe(before);
  });

  it('an id_links file imported as members', async () => {
    const path = write('links.csv', 'member_id,tp_id,source,confidence\nM1,T1,login,1\n');
    const err = await failure({ table: 'members', source: { kind: 'file', path } });
    expect(err.message).toMatch(/looks like a id_links file, not members/);
  });

  it('an explicit mapping says the user means it', async () => {
    const path = write('transactions.csv', transactions);
    const report = await importTable(ws, {
      table: 'members',
      source: { kind: 'file', path },
      mapping: { member_id: 'member_id' },
    });
    expect(report).toMatchObject({
      accepted: 2,
      ignoredColumns: [
        'receipt_id',
        'store_id',
        'channel',
        'ts',
        'product_id',
        'quantity',
        'unit_price',
        'amount',
      ],
    });
  });

  it('a file with a few extra columns of its own still imports', async () => {
    const path = write(
      'members_plus.csv',
      'member_id,gender,prefecture,loyalty_rank,note\nM1,女性,東京都,gold,x\n',
    );
    expect(await importTable(ws, { table: 'members', source: { kind: 'file', path } })).toMatchObject({
      accepted: 1,
    });
  });

  it('required columns set only by constants', async () => {
    const path = write('names.csv', 'name,prefecture\n本店,東京都\n支店,大阪府\n');
    const err = await failure({
      table: 'stores',
      source: { kind: 'file', path },
      constants: { store_id: 'S1' },
    });
    expect(err.message).toBe(
      `${path} cannot be imported into stores: none of its required columns comes from the file (store_id is the constant "S1"), ` +
        'so every row would be the same. Map a file column to store_id with --map Source=store_id.',
    );
  });
});

describe('the same bytes are not appended twice', () => {
  it('refuses a repeat with the earlier import id and date, and imports it when allowed', async () => {
    const path = write(
      't.csv',
      'receipt_id,ts,product_id,quantity,unit_price\nR1,2025-01-05 10:00:00,P1,1,100\n',
    );
    const first = await importTable(ws, { table: 'transactions', source: { kind: 'file', path } });
    const sha = createHash('sha256').update(readFileSync(path)).digest('hex');
    expect(first.contentSha256).toBe(sha);
    expect(await ws.db.rows('SELECT content_sha256 FROM _imports')).toEqual([{ content_sha256: sha }]);

    const before = await workspaceSnapshot(ws);
    const err = await failure({ table: 'transactions', source: { kind: 'file', path } });
    expect(err).toBeInstanceOf(RepeatedImportError);
    expect(err.status).toBe(409);
    const [{ at }] = (await ws.db.rows<{ at: string }>(
      `SELECT strftime(started_at, '%Y-%m-%d %H:%M:%S') AS at FROM _imports`,
    )) as [{ at: string }];
    expect(err.message).toBe(
      `${path} has the same content (SHA-256 ${sha.slice(0, 12)}…) as import ${first.importId} into transactions on ${at} UTC; ` +
        'appending it again would add its rows a second time. Pass allowRepeat (--allow-repeat, allowRepeat=true) to import it anyway, ' +
        'or use mode upsert or replace',
    );
    expect(err.toProblem()).toMatchObject({
      earlier: { importId: first.importId, importedAt: at, sha256: sha },
    });
    expect(await workspaceSnapshot(ws)).toBe(before);

    const again = await importTable(ws, {
      table: 'transactions',
      source: { kind: 'file', path },
      allowRepeat: true,
    });
    expect(again).toMatchObject({ accepted: 1, tableRowsAfter: 2 });
  });

  it('another table, or a table emptied by a later replace, takes the same bytes', async () => {
    const members = write('m.csv', 'member_id\nM1\n');
    const other = write('m2.csv', 'member_id\nM2\n');
    await importTable(ws, { table: 'members', source: { kind: 'file', path: members } });
    await expect(
      importTable(ws, { table: 'members', source: { kind: 'file', path: members } }),
    ).rejects.toBeInstanceOf(RepeatedImportError);
    // Replace and upsert are idempotent, so they are never refused.
    await importTable(ws, { table: 'members', source: { kind: 'file', path: members }, mode: 'upsert' });
    await importTable(ws, { table: 'members', source: { kind: 'file', path: other }, mode: 'replace' });
    expect(
      await importTable(ws, { table: 'members', source: { kind: 'file', path: members } }),
    ).toMatchObject({
      accepted: 1,
      tableRowsAfter: 2,
    });
  });
});

describe('options are checked before anything is read', () => {
  it.each([
    [{ mode: 'merge' }, 'mode', /mode "merge" is not valid; use one of append, replace, upsert/],
    [
      { maxRejectedFraction: 2 },
      'maxRejected',
      /maxRejectedFraction must be a number between 0 and 1, got 2/,
    ],
    [{ onDuplicate: 'last' }, 'onDuplicate', /onDuplicate "last" is not valid/],
    [{ table: 'people' }, 'table', /unknown table "people"/],
    [{ mode: 'upsert', table: 'transactions' }, 'mode', /transactions has no key, so it cannot be upserted/],
    [
      { source: { kind: 'file', path: fixture('members.csv'), delimiter: ';;' } },
      'delimiter',
      /single-byte character/,
    ],
  ])('%j', async (override, field, message) => {
    const err = await failure({
      table: 'members',
      source: { kind: 'file', path: fixture('members.csv') },
      ...(override as Partial<ImportOptions>),
    });
    expect(err.status).toBe(422);
    expect(err.field).toBe(field);
    expect(err.message).toMatch(message);
  });
});
