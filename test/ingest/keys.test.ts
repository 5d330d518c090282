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

/** A clean members file: `rows` rows over `keys` distinct IDs (in order, repeating), `prefecture` on every row. */
function membersFile(name: string, rows: number, keys = rows, prefecture = '東京都'): string {
  const lines = ['member_id,gender,birth_date,prefecture'];
  for (let i = 0; i < rows; i++)
    lines.push(`M${String(i % keys).padStart(7, '0')},female,1980-01-01,${prefecture}`);
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const stored = async () =>
  (
    await ws.db.rows<{ n: number; d: number }>(
      'SELECT count(*) AS n, count(DISTINCT member_id) AS d FROM members',
    )
  )[0];

describe('the key rule holds at any size', () => {
  // Far beyond one DuckDB row group (122,880 rows): on the old pipeline the second import of
  // 124,000 keys stored every row twice.
  const ROWS = 300_000;

  it('a second append of the same 300,000 keys is rejected row by row, and nothing is stored twice', async () => {
    const first = await importTable(ws, {
      table: 'members',
      source: { kind: 'file', path: membersFile('a.csv', ROWS) },
    });
    expect(first).toMatchObject({ rowsRead: ROWS, accepted: ROWS, rejected: 0 });
    const same = membersFile('b.csv', ROWS, ROWS, '大阪府');
    const before = await workspaceSnapshot(ws);
    await expect(importTable(ws, { table: 'members', source: { kind: 'file', path: same } })).rejects.toThrow(
      /300000 of 300000 rows \(100\.0%\) failed validation.*member_id: key \(member_id=M\d+\) is already in the workspace/,
    );
    expect(await workspaceSnapshot(ws)).toBe(before);

    const report = await importTable(ws, {
      table: 'members',
      source: { kind: 'file', path: same },
      maxRejectedFraction: 1,
    });
    expect(report).toMatchObject({ rowsRead: ROWS, accepted: 0, rejected: ROWS, tableRowsAfter: ROWS });
    expect(await stored()).toEqual({ n: ROWS, d: ROWS });
    const [q] = await ws.db.rows<{ n: number; d: number }>(
      `SELECT count(*) AS n, count(DISTINCT row_number) AS d FROM _quarantine WHERE import_id = $id`,
      { id: report.importId },
    );
    expect(q).toEqual({ n: ROWS, d: ROWS });
  });

  it('repeats within one 300,000-row file are found: rejected, or skipped under keep-first', async () => {
    const file = membersFile('dups.csv', ROWS, ROWS / 2);
    const rejected = await importTable(ws, {
      table: 'members',
      source: { kind: 'file', path: file },
      maxRejectedFraction: 1,
      mode: 'replace',
    });
    expect(rejected).toMatchObject({
      rowsRead: ROWS,
      accepted: ROWS / 2,
      rejected: ROWS / 2,
      duplicatesSkipped: 0,
    });
    expect(rejected.samples[0]).toMatchObject({
      row: ROWS / 2 + 1,
      line: ROWS / 2 + 2,
      reason: 'duplicate key (member_id=M0000000): also on row 1',
    });
    const kept = await importTable(ws, {
      table: 'members',
      source: { kind: 'file', path: file },
      onDuplicate: 'keep-first',
      mode: 'replace',
    });
    expect(kept).toMatchObject({
      rowsRead: ROWS,
      accepted: ROWS / 2,
      rejected: 0,
      duplicatesSkipped: ROWS / 2,
    });
    expect(await stored()).toEqual({ n: ROWS / 2, d: ROWS / 2 });
  });

  it('a file row both repeated in the file and already stored counts once, so the report adds up', async () => {
    await importTable(ws, { table: 'members', source: { kind: 'file', path: membersFile('one.csv', 1) } });
    const report = await importTable(ws, {
      table: 'members',
      source: { kind: 'file', path: membersFile('two.csv', 4, 2, '京都府') },
      onDuplicate: 'keep-first',
      maxRejectedFraction: 1,
    });
    // Rows 1 and 3 are M0000000 (stored), rows 2 and 4 M0000001 (new): 3 and 4 repeat rows 1 and 2.
    expect(report).toMatchObject({ rowsRead: 4, accepted: 1, rejected: 1, duplicatesSkipped: 2 });
    expect(await stored()).toEqual({ n: 2, d: 2 });
  });

  it('upsert and replace keep keys unique on a keyed table', async () => {
    await importTable(ws, { table: 'members', source: { kind: 'file', path: membersFile('u1.csv', 1000) } });
    const upsert = await importTable(ws, {
      table: 'members',
      source: { kind: 'file', path: membersFile('u2.csv', 1500, 1500, '大阪府') },
      mode: 'upsert',
    });
    expect(upsert).toMatchObject({ accepted: 1500, tableRowsBefore: 1000, tableRowsAfter: 1500 });
    expect(await ws.db.rows(`SELECT count(*) AS n FROM members WHERE prefecture = '大阪府'`)).toEqual([
      { n: 1500 },
    ]);
    const replace = await importTable(ws, {
      table: 'members',
      source: { kind: 'file', path: membersFile('u3.csv', 10) },
      mode: 'replace',
    });
    expect(replace).toMatchObject({ accepted: 10, tableRowsAfter: 10 });
    await expect(ws.db.run(`INSERT INTO members (member_id) VALUES ('M0000001')`)).rejects.toThrow(
      /primary key/,
    );
  });

  it('an import that would exceed the reject limit leaves no trace', async () => {
    await importTable(ws, { table: 'members', source: { kind: 'file', path: membersFile('x.csv', 10) } });
    const before = await workspaceSnapshot(ws);
    await expect(
      importTable(ws, {
        table: 'members',
        source: { kind: 'file', path: membersFile('y.csv', 10, 10, '沖縄県') },
      }),
    ).rejects.toBeInstanceOf(ImportFileError);
    expect(await workspaceSnapshot(ws)).toBe(before);
  });
});

describe('a dated table keeps the latest decision of a key within one file', () => {
  // M1's withdrawal comes first and M2's after its grant: row order must not decide which stands.
  const consents = [
    'member_id,purpose,granted,updated_at',
    'M1,ad_targeting,false,2026-03-01',
    'M1,ad_targeting,true,2026-01-01',
    'M2,ad_targeting,true,2026-01-01',
    'M2,ad_targeting,false,2026-03-01',
    'M3,ad_targeting,true,2026-02-01',
  ];
  const importConsents = async (onDuplicate: 'reject' | 'keep-first') => {
    const path = join(dir, 'consents.csv');
    writeFileSync(path, `${consents.join('\n')}\n`);
    const report = await importTable(ws, { table: 'consents', source: { kind: 'file', path }, onDuplicate });
    const rows = await ws.db.rows<{ member_id: string; granted: boolean }>(
      'SELECT member_id, granted FROM consents ORDER BY member_id',
    );
    const reasons = await ws.db.rows<{ row_number: number; reason: string }>(
      'SELECT row_number, reason FROM _quarantine WHERE import_id = $1 ORDER BY row_number',
      [report.importId],
    );
    return { report, rows, reasons };
  };
  const latest = [
    { member_id: 'M1', granted: false },
    { member_id: 'M2', granted: false },
    { member_id: 'M3', granted: true },
  ];

  it('keep-first skips the older rows and names the kept one', async () => {
    const { report, rows, reasons } = await importConsents('keep-first');
    expect([report.rowsRead, report.accepted, report.rejected, report.duplicatesSkipped]).toEqual([
      5, 3, 0, 2,
    ]);
    expect(rows).toEqual(latest);
    expect(reasons).toEqual([
      {
        row_number: 2,
        reason:
          'duplicate key (member_id=M1, purpose=ad_targeting): skipped, the row 1 (the latest updated_at) was kept',
      },
      {
        row_number: 3,
        reason:
          'duplicate key (member_id=M2, purpose=ad_targeting): skipped, the row 4 (the latest updated_at) was kept',
      },
    ]);
  });

  it('reject rejects the older rows and stores the latest', async () => {
    const { report, rows, reasons } = await importConsents('reject');
    expect([report.accepted, report.rejected, report.duplicatesSkipped]).toEqual([3, 2, 0]);
    expect(rows).toEqual(latest);
    expect(reasons.map((r) => [r.row_number, r.reason])).toEqual([
      [2, 'duplicate key (member_id=M1, purpose=ad_targeting): also on row 1'],
      [3, 'duplicate key (member_id=M2, purpose=ad_targeting): also on row 4'],
    ]);
  });
});
