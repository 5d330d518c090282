import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TABLE_NAMES, TABLES } from '../../src/schema/index.ts';
import { DUCKDB_TYPES, DuckDb, quoteIdent, Workspace } from '../../src/store/index.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lookalike-ddl-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The tables as workspaces made them before keys were constraints: same columns, no PRIMARY KEY. */
async function legacyWorkspace(fill: (db: DuckDb) => Promise<void>): Promise<void> {
  const db = await DuckDb.open(join(dir, 'workspace.duckdb'));
  for (const t of TABLE_NAMES) {
    const cols = TABLES[t].columns.map((c) => `${quoteIdent(c.name)} ${DUCKDB_TYPES[c.type]}`);
    await db.run(`CREATE TABLE ${quoteIdent(t)} (${cols.join(', ')})`);
  }
  await db.run(`CREATE TABLE _imports (
     import_id VARCHAR PRIMARY KEY, table_name VARCHAR, source VARCHAR, format VARCHAR, encoding VARCHAR,
     mode VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP, rows_read BIGINT, accepted BIGINT,
     rejected BIGINT, duplicates_skipped BIGINT, options JSON)`);
  await db.run(`CREATE TABLE _quarantine (import_id VARCHAR, table_name VARCHAR, row_number BIGINT,
     column_name VARCHAR, reason VARCHAR, value VARCHAR, record JSON)`);
  await fill(db);
  db.close();
}

describe('table keys are PRIMARY KEY constraints', () => {
  it('every table with a contract key has it as its primary key, and the others have none', async () => {
    const ws = await Workspace.open(dir);
    try {
      const rows = await ws.db.rows<{ table_name: string; cols: string[] }>(
        `SELECT table_name, constraint_column_names AS cols FROM duckdb_constraints()
         WHERE constraint_type = 'PRIMARY KEY' AND NOT starts_with(table_name, '_')`,
      );
      const byTable = Object.fromEntries(rows.map((r) => [r.table_name, r.cols]));
      for (const t of TABLE_NAMES)
        expect(byTable[t] ?? null).toEqual(TABLES[t].key ? [...TABLES[t].key!] : null);
    } finally {
      ws.close();
    }
  });

  it('refuses a second row of a key whatever writes it', async () => {
    const ws = await Workspace.open(dir);
    try {
      await ws.db.run(`INSERT INTO id_links (member_id, tp_id) VALUES ('M1', 'T1'), ('M1', 'T2')`);
      await expect(ws.db.run(`INSERT INTO id_links (member_id, tp_id) VALUES ('M1', 'T1')`)).rejects.toThrow(
        /Duplicate key "member_id: M1, tp_id: T1" violates primary key constraint/,
      );
      expect(await ws.db.rows('SELECT count(*) AS n FROM id_links')).toEqual([{ n: 2 }]);
    } finally {
      ws.close();
    }
  });
});

describe('opening a workspace made before key constraints', () => {
  it('adds the keys, keeps the first stored row of each key and quarantines the rest whole', async () => {
    await legacyWorkspace(async (db) => {
      await db.run(`INSERT INTO members (member_id, gender, prefecture) VALUES
        ('M1', 'female', '東京都'), ('M2', 'male', '大阪府'), ('M1', 'male', '北海道'), (NULL, 'female', '京都府'),
        ('M3', 'unknown', NULL), ('M1', 'female', '沖縄県')`);
      await db.run(`INSERT INTO stores VALUES ('S1', '本店', '東京都'), ('S2', '支店', '大阪府')`);
    });
    const ws = await Workspace.open(dir);
    try {
      // Every keyed table gains its key; only members held rows that break it.
      expect(ws.keyMigrations.map((m) => m.table).sort()).toEqual(
        TABLE_NAMES.filter((t) => TABLES[t].key).sort(),
      );
      const migration = ws.keyMigrations.find((m) => m.table === 'members');
      expect(migration).toMatchObject({ rowsBefore: 6, rowsKept: 3, rowsQuarantined: 3 });
      expect(ws.keyMigrations.find((m) => m.table === 'stores')).toMatchObject({
        rowsBefore: 2,
        rowsKept: 2,
        rowsQuarantined: 0,
      });
      // Only a migration that moved rows is logged as an import, so `imports` shows where they went.
      expect(await ws.db.rows(`SELECT table_name FROM _imports`)).toEqual([{ table_name: 'members' }]);
      expect(migration!.migrationId).toMatch(/^mig_\d{14}_members_key$/);
      expect(await ws.db.rows('SELECT member_id, prefecture FROM members ORDER BY member_id')).toEqual([
        { member_id: 'M1', prefecture: '東京都' },
        { member_id: 'M2', prefecture: '大阪府' },
        { member_id: 'M3', prefecture: null },
      ]);
      const quarantined = await ws.db.rows<{ row_number: number; reason: string; record: string }>(
        `SELECT row_number, reason, record FROM _quarantine WHERE import_id = $id ORDER BY row_number`,
        { id: migration!.migrationId },
      );
      expect(quarantined.map((q) => [q.row_number, q.reason])).toEqual([
        [3, 'duplicate key (member_id=M1): removed when the key constraint was added; stored row 1 was kept'],
        [4, 'key (member_id=(empty)) has an empty part; removed when the key constraint was added'],
        [6, 'duplicate key (member_id=M1): removed when the key constraint was added; stored row 1 was kept'],
      ]);
      expect(JSON.parse(quarantined[0]!.record)).toMatchObject({
        member_id: 'M1',
        gender: 'male',
        prefecture: '北海道',
      });
      expect(
        await ws.db.rows(`SELECT mode, rows_read, accepted, rejected FROM _imports WHERE import_id = $id`, {
          id: migration!.migrationId,
        }),
      ).toEqual([{ mode: 'key-constraint', rows_read: 6, accepted: 3, rejected: 3 }]);
      await expect(ws.db.run(`INSERT INTO members (member_id) VALUES ('M2')`)).rejects.toThrow(/primary key/);
      // The old import log gained the content hash column.
      expect((await ws.db.rows(`DESCRIBE _imports`)).map((c) => c.column_name)).toContain('content_sha256');
    } finally {
      ws.close();
    }
    const again = await Workspace.open(dir);
    try {
      expect(again.keyMigrations).toEqual([]);
    } finally {
      again.close();
    }
  });
});
