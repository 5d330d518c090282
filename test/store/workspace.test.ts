import { tableFromIPC, tableToIPC } from 'apache-arrow';
import * as aq from 'arquero';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importTable } from '../../src/ingest/index.ts';
import { appendArrow, queryArrow, type Workspace } from '../../src/store/index.ts';
import { fixture, tempWorkspace } from '../helpers/workspace.ts';

let ws: Workspace;
let cleanup: () => void;
beforeAll(async () => {
  ({ ws, cleanup } = await tempWorkspace());
  await importTable(ws, { table: 'members', source: { kind: 'file', path: fixture('members.csv') } });
  await importTable(ws, {
    table: 'transactions',
    source: { kind: 'file', path: fixture('transactions_amounts.csv') },
    maxRejectedFraction: 1,
  });
});
afterAll(() => cleanup());

describe('workspace', () => {
  it('creates every contract table and counts rows', async () => {
    const counts = await ws.rowCounts();
    expect(Object.keys(counts).sort()).toEqual([
      'actions',
      'consents',
      'id_links',
      'members',
      'products',
      'site_visits',
      'stores',
      'texts',
      'tp_interests',
      'tp_profiles',
      'tp_searches',
      'transactions',
    ]);
    expect(counts.members).toBe(5);
  });

  it('describes a table column by column', async () => {
    const d = await ws.describe('members');
    expect(d.rows).toBe(5);
    const birth = d.columns.find((c) => c.name === 'birth_date')!;
    expect(birth).toMatchObject({ type: 'date', nonNull: 5, min: '1960-02-29', max: '1999-01-05' });
  });

  it('round-trips a table through Arrow IPC and back unchanged', async () => {
    for (const table of ['members', 'transactions']) {
      const before = await ws.db.rows(`SELECT * FROM ${table} ORDER BY ALL`);
      const ipc = tableToIPC(await queryArrow(ws.db, `SELECT * FROM ${table}`), 'stream');
      await ws.db.run(`CREATE TEMP TABLE copy_${table} AS SELECT * FROM ${table} LIMIT 0`);
      await appendArrow(ws.db, `copy_${table}`, tableFromIPC(ipc));
      expect(await ws.db.rows(`SELECT * FROM copy_${table} ORDER BY ALL`)).toEqual(before);
    }
  });

  it('hands Arrow tables to arquero with dates as epoch milliseconds', async () => {
    // arquero types its input as a flechette table; it reads apache-arrow tables the same way.
    const arrowTable = await queryArrow(
      ws.db,
      'SELECT member_id, birth_date FROM members ORDER BY member_id',
    );
    const t = aq.fromArrow(arrowTable as unknown as Parameters<typeof aq.fromArrow>[0]);
    expect(t.numRows()).toBe(5);
    expect(t.get('birth_date', 0)).toBe(Date.UTC(1985, 3, 12));
  });
});
