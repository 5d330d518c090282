import type { SqlRunner, SqlValue } from '../../src/store/index.ts';

/** Appends plain objects to a table by column name (columns the objects lack become null). */
export async function insertRows(
  db: SqlRunner,
  table: string,
  rows: Record<string, SqlValue>[],
): Promise<void> {
  const cols = (await db.rows<{ column_name: string }>(`DESCRIBE "${table}"`)).map((c) => c.column_name);
  await db.append(
    table,
    cols.map((c) => rows.map((r) => r[c] ?? null)),
  );
}

export interface Line {
  receipt: string;
  member: string | null;
  ts: string;
  product: string;
  qty: number;
  price: number;
  channel?: 'store' | 'ec';
}

export async function insertLines(db: SqlRunner, lines: Line[]): Promise<void> {
  await insertRows(
    db,
    'transactions',
    lines.map((l) => ({
      receipt_id: l.receipt,
      member_id: l.member,
      store_id: 'S1',
      channel: l.channel ?? 'store',
      ts: l.ts,
      product_id: l.product,
      quantity: l.qty,
      unit_price: l.price,
      amount: l.qty * l.price,
    })),
  );
}

/** Three products: two foods (F01, F02) and a household good (H01). */
export const PRODUCTS = [
  {
    product_id: 'P1',
    name: '牛乳',
    category_l1: 'F',
    category_l1_name: '食品',
    category_l2: 'F01',
    category_l2_name: '乳製品',
    unit_price: 100,
  },
  {
    product_id: 'P2',
    name: 'ワイン',
    category_l1: 'F',
    category_l1_name: '食品',
    category_l2: 'F02',
    category_l2_name: '酒類',
    unit_price: 300,
  },
  {
    product_id: 'P3',
    name: '洗剤',
    category_l1: 'H',
    category_l1_name: '日用品',
    category_l2: 'H01',
    category_l2_name: '洗剤',
    unit_price: 50,
  },
];

/**
 * Member A: Monday 10:00 in store (2 x P1, 1 x P2), Saturday 19:00 online (1 x P1), a return of
 * P2 on Monday 2026-01-12. Member B: Wednesday 22:30 (3 x P3). Member C buys only on 2026-01-20.
 */
export const TINY_LINES: Line[] = [
  { receipt: 'R1', member: 'A', ts: '2026-01-05 10:00:00', product: 'P1', qty: 2, price: 100 },
  { receipt: 'R1', member: 'A', ts: '2026-01-05 10:00:00', product: 'P2', qty: 1, price: 300 },
  { receipt: 'R2', member: 'A', ts: '2026-01-10 19:00:00', product: 'P1', qty: 1, price: 100, channel: 'ec' },
  { receipt: 'R3', member: 'A', ts: '2026-01-12 13:00:00', product: 'P2', qty: -1, price: 300 },
  { receipt: 'R4', member: 'B', ts: '2026-01-07 22:30:00', product: 'P3', qty: 3, price: 50 },
  { receipt: 'R5', member: 'C', ts: '2026-01-20 12:00:00', product: 'P1', qty: 1, price: 100 },
  { receipt: 'R6', member: null, ts: '2026-01-06 12:00:00', product: 'P2', qty: 5, price: 300 },
];
