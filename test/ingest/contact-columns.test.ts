import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importTable } from '../../src/ingest/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { tempWorkspace } from '../helpers/workspace.ts';

let ws: Workspace;
let cleanup: () => void;
const dir = mkdtempSync(join(tmpdir(), 'contact-columns-'));
beforeAll(async () => {
  ({ ws, cleanup } = await tempWorkspace());
});
afterAll(() => {
  cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** Imports `member_id,email,phone` rows and returns what was stored and what was quarantined. */
async function importContacts(rows: readonly (readonly [string, string, string])[]) {
  const path = join(dir, `members-${Math.random().toString(36).slice(2)}.csv`);
  const quote = (v: string) => `"${v.replaceAll('"', '""')}"`;
  writeFileSync(path, `member_id,email,phone\n${rows.map((r) => r.map(quote).join(',')).join('\n')}\n`);
  const report = await importTable(ws, {
    table: 'members',
    source: { kind: 'file', path },
    mode: 'replace',
    maxRejectedFraction: 1,
  });
  const stored = await ws.db.rows<{ member_id: string; email: string | null; phone: string | null }>(
    'SELECT member_id, email, phone FROM members ORDER BY member_id',
  );
  const rejected = await ws.db.rows<{ column_name: string; reason: string; value: string }>(
    `SELECT column_name, reason, value FROM _quarantine WHERE import_id = $1 ORDER BY row_number`,
    [report.importId],
  );
  return { stored, rejected };
}

describe('contact columns of members', () => {
  it('stores e-mail trimmed and lower-cased, Gmail addresses untouched (dots are a destination rule)', async () => {
    const { stored, rejected } = await importContacts([
      ['M1', '  John_Smith@Gmail.com ', ''],
      ['M2', 'Jane.Doe+shop@GMAIL.COM', ''],
      ['M3', 'ｙｕｋｉ＠ＥＸＡＭＰＬＥ．ｊｐ', ''],
      ['M4', '', ''],
    ]);
    expect(rejected).toEqual([
      {
        column_name: 'email',
        reason: expect.stringContaining('half-width letters'),
        value: 'ｙｕｋｉ＠ＥＸＡＭＰＬＥ．ｊｐ',
      },
    ]);
    expect(stored).toEqual([
      { member_id: 'M1', email: 'john_smith@gmail.com', phone: null },
      { member_id: 'M2', email: 'jane.doe+shop@gmail.com', phone: null },
      { member_id: 'M4', email: null, phone: null },
    ]);
  });

  it('accepts full-width ＠ and ． in otherwise ASCII addresses', async () => {
    const { stored } = await importContacts([['M1', 'Hanako＠Example．JP', '']]);
    expect(stored[0]!.email).toBe('hanako@example.jp');
  });

  it('stores phone numbers as E.164, Japanese when no country code is given', async () => {
    const { stored, rejected } = await importContacts([
      ['M01', '', '090-1234-5678'],
      ['M02', '', '03 (1234) 5678'],
      ['M03', '', '＋８１ ９０ーＡ１２３４ー５６７８'.replace('Ａ', '')],
      ['M04', '', '+81 (0)90-1234-5678'],
      ['M05', '', '+81 090 1234 5678'],
      ['M06', '', '010-81-90-1234-5678'],
      ['M07', '', '+1 (650) 555-1212'],
      ['M08', '', '0044 20 7946 0958'],
      ['M09', '', '０９０１２３４５６７８'],
      ['M10', '', '9012345678'],
      ['M11', '', '+12'],
      ['M12', '', '090-123-456'],
    ]);
    expect(stored.map((r) => [r.member_id, r.phone])).toEqual([
      ['M01', '+819012345678'],
      ['M02', '+81312345678'],
      ['M03', '+819012345678'],
      ['M04', '+819012345678'],
      ['M05', '+819012345678'],
      ['M06', '+819012345678'],
      ['M07', '+16505551212'],
      ['M08', '+442079460958'],
      ['M09', '+819012345678'],
    ]);
    expect(rejected.map((r) => [r.value, r.reason])).toEqual([
      ['9012345678', expect.stringContaining('give a country code (+81 90-1234-5678) or a Japanese number')],
      ['+12', expect.stringContaining('E.164 allows 8 to 15 digits')],
      ['090-123-456', expect.stringContaining('is not a Japanese phone number')],
    ]);
  });

  it('gives older workspaces the new columns on open', async () => {
    const cols = await ws.db.rows<{ c: string }>(
      `SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'members' ORDER BY ordinal_position`,
    );
    expect(cols.map((c) => c.c)).toEqual([
      'member_id',
      'gender',
      'birth_date',
      'prefecture',
      'home_store_id',
      'registered_at',
      'email',
      'phone',
    ]);
  });
});
