import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ColumnSpec, TABLE_NAMES, TABLES, type TableName } from '../../src/schema/index.ts';
import { type Csv, makeWorkspace, maxOf, readCsv, type Workspace } from './fixture.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

function validDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** The first problem with `value` under the column contract, or null. */
function problem(c: ColumnSpec, value: string): string | null {
  if (value === '') return c.required ? 'required value is empty' : null;
  switch (c.type) {
    case 'id':
    case 'text':
      return null;
    case 'enum':
      return c.values!.includes(value) ? null : `not one of ${c.values!.join('|')}`;
    case 'date':
      return DATE.test(value) && validDate(value) ? null : 'not a YYYY-MM-DD date';
    case 'timestamp': {
      if (!TIMESTAMP.test(value) || !validDate(value.slice(0, 10)))
        return 'not a YYYY-MM-DD HH:MM:SS timestamp';
      const [h, m, s] = value.slice(11).split(':').map(Number);
      return h! < 24 && m! < 60 && s! < 60 ? null : 'time out of range';
    }
    case 'integer':
    case 'number': {
      if (c.type === 'integer' ? !/^-?\d+$/.test(value) : !/^-?\d+(\.\d+)?$/.test(value))
        return 'not a number';
      const n = Number(value);
      if (c.min !== undefined && n < c.min) return `below ${c.min}`;
      if (c.max !== undefined && n > c.max) return `above ${c.max}`;
      return null;
    }
    case 'boolean':
      return value === 'true' || value === 'false' ? null : 'not true/false';
  }
}

describe('sample workspace tables follow the contract', () => {
  let ws: Workspace;
  const tables = {} as Record<TableName, Csv>;
  beforeAll(async () => {
    ws = await makeWorkspace();
    for (const name of TABLE_NAMES) tables[name] = readCsv(ws.result.tables[name].path);
  });
  afterAll(() => ws?.cleanup());

  it('writes UTF-8 without BOM and with \\n line endings', () => {
    for (const name of TABLE_NAMES) {
      const bytes = readFileSync(ws.result.tables[name].path);
      expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), name).toBe(false);
      expect(bytes.includes('\r'), name).toBe(false);
      expect(bytes[bytes.length - 1], name).toBe(0x0a);
    }
  });

  it('has exactly the contract header in order', () => {
    for (const name of TABLE_NAMES) {
      expect(tables[name].header, name).toEqual(TABLES[name].columns.map((c) => c.name));
    }
  });

  it('has values of the contract types in every column of every table', () => {
    for (const name of TABLE_NAMES) {
      const cols = TABLES[name].columns;
      const bad: string[] = [];
      for (const [r, row] of tables[name].rows.entries()) {
        if (row.length !== cols.length && bad.length < 5)
          bad.push(`${name} row ${r + 1} has ${row.length} fields`);
        cols.forEach((c, i) => {
          const p = problem(c, row[i]!);
          if (p && bad.length < 5) bad.push(`${name} row ${r + 1} ${c.name}="${row[i]}": ${p}`);
        });
      }
      expect(bad, name).toEqual([]);
    }
  });

  it('keeps every table key unique', () => {
    for (const name of TABLE_NAMES) {
      const key = TABLES[name].key;
      if (!key) continue;
      const idx = key.map((k) => tables[name].col(k));
      const seen = new Set<string>();
      for (const row of tables[name].rows) seen.add(idx.map((i) => row[i]).join('\u0000'));
      expect(seen.size, name).toBe(tables[name].rows.length);
    }
  });

  it('has consistent transaction lines: amount = quantity x unit_price, no zero quantity, ~1% returns', () => {
    const t = tables.transactions;
    const [q, p, a, ch, st] = ['quantity', 'unit_price', 'amount', 'channel', 'store_id'].map((c) =>
      t.col(c),
    );
    let returns = 0;
    let bad = 0;
    for (const row of t.rows) {
      const qty = Number(row[q!]);
      if (qty === 0 || !Number.isInteger(qty) || Number(row[a!]) !== qty * Number(row[p!])) bad++;
      // Online orders are booked to the EC store and only there.
      if ((row[ch!] === 'ec') !== (row[st!] === 'EC001')) bad++;
      if (qty < 0) returns++;
    }
    expect(bad).toBe(0);
    const share = returns / t.rows.length;
    expect(share).toBeGreaterThan(0.004);
    expect(share).toBeLessThan(0.02);
  });

  it('gives each receipt one member, store, channel and time, with ~8% anonymous receipts', () => {
    const t = tables.transactions;
    const [rid, mid, sid, ch, ts] = ['receipt_id', 'member_id', 'store_id', 'channel', 'ts'].map((c) =>
      t.col(c),
    );
    const heads = new Map<string, string>();
    let conflicts = 0;
    for (const row of t.rows) {
      const head = [row[mid!], row[sid!], row[ch!], row[ts!]].join('|');
      const prev = heads.get(row[rid!]!);
      if (prev === undefined) heads.set(row[rid!]!, head);
      else if (prev !== head) conflicts++;
    }
    expect(conflicts).toBe(0);
    const anonymous = [...heads.values()].filter((h) => h.startsWith('|')).length / heads.size;
    expect(anonymous).toBeGreaterThan(0.05);
    expect(anonymous).toBeLessThan(0.11);
  });

  it('keeps dates and timestamps inside the period and references valid ids', () => {
    const inPeriod = (s: string) => s >= '2025-10-01' && s < '2026-04-01';
    const products = new Set(tables.products.rows.map((r) => r[0]));
    const stores = new Set(tables.stores.rows.map((r) => r[0]));
    const members = new Set(tables.members.rows.map((r) => r[0]));
    const tps = new Set(tables.tp_profiles.rows.map((r) => r[0]));
    const bad: Record<string, number> = {};
    const check = (what: string, ok: boolean) => {
      if (!ok) bad[what] = (bad[what] ?? 0) + 1;
    };
    for (const row of tables.transactions.rows) {
      check('transaction ts', inPeriod(row[4]!));
      check('transaction product', products.has(row[5]!));
      check('transaction store', stores.has(row[2]!));
      check('transaction member', !row[1] || members.has(row[1]));
    }
    for (const row of tables.members.rows) check('home store', stores.has(row[4]!));
    for (const row of tables.id_links.rows) {
      check('link member', members.has(row[0]!));
      check('link tp', tps.has(row[1]!));
      check('link source', ['login', 'hashed_email', 'cookie_sync'].includes(row[2]!));
      check('link confidence', Number(row[3]) >= 0.6 && Number(row[3]) <= 1);
    }
    for (const row of tables.tp_interests.rows) check('last_seen', inPeriod(row[3]!));
    for (const row of tables.site_visits.rows) {
      check('session ts', inPeriod(row[3]!));
      check('session tp', !row[1] || tps.has(row[1]));
    }
    for (const row of tables.texts.rows) {
      check('posted_at', inPeriod(row[4]!));
      check('text tp', !row[1] || tps.has(row[1]));
    }
    expect(bad).toEqual({});
  });

  it('has a realistic catalogue: 1,500-3,000 products, yen prices, three category levels', () => {
    const p = tables.products;
    expect(p.rows.length).toBeGreaterThanOrEqual(1500);
    expect(p.rows.length).toBeLessThanOrEqual(3000);
    const price = p.col('unit_price');
    const l1 = p.col('category_l1');
    for (const row of p.rows) {
      const yen = Number(row[price]);
      expect(Number.isInteger(yen)).toBe(true);
      if (row[l1] === 'K') {
        expect(yen).toBeGreaterThanOrEqual(2980);
        expect(yen).toBeLessThanOrEqual(40_000);
      } else expect(yen).toBeGreaterThan(0);
    }
    expect(new Set(p.rows.map((r) => r[l1])).size).toBe(3);
    expect(p.rows.some((r) => r[1]!.includes('コンベクションオーブン'))).toBe(true);
    expect(tables.stores.rows.length).toBeGreaterThanOrEqual(30);
    expect(tables.stores.rows.find((r) => r[0] === 'EC001')?.[1]).toBe('オンラインストア');
  });

  it('keeps per-person counts in the documented ranges', () => {
    const perTp = (csv: Csv) => {
      const m = new Map<string, number>();
      for (const row of csv.rows) m.set(row[0]!, (m.get(row[0]!) ?? 0) + 1);
      return [...m.values()];
    };
    expect(maxOf(perTp(tables.tp_searches))).toBeLessThanOrEqual(8);
    expect(maxOf(tables.tp_searches.rows.map((r) => Number(r[2])))).toBeLessThanOrEqual(10);
    const interests = perTp(tables.tp_interests);
    const inRange = interests.filter((n) => n >= 3 && n <= 12).length / tables.tp_profiles.rows.length;
    expect(inRange).toBeGreaterThan(0.8);
    expect(maxOf(tables.site_visits.rows.map((r) => Number(r[4])))).toBeLessThanOrEqual(40);
    const withTp = tables.site_visits.rows.filter((r) => r[1] !== '').length / tables.site_visits.rows.length;
    expect(withTp).toBeGreaterThan(0.6);
    expect(withTp).toBeLessThan(0.8);
  });
});
