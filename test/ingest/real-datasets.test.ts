import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatasetImportReport, importDataset } from '../../src/ingest/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { hasSharedData, SHARED_DATA, tempWorkspace } from '../helpers/workspace.ts';

describe.runIf(hasSharedData('online-retail'))('Online Retail import', () => {
  let ws: Workspace;
  let cleanup: () => void;
  let result: DatasetImportReport;
  // Reference figures computed here with csv-parse, independently of the importer's own reader.
  const ref = {
    lines: 0,
    noCustomer: 0,
    cancellations: 0,
    negativePrice: 0,
    negativePriceNoCustomer: 0,
    customers: new Set<string>(),
    amount: 0,
  };

  beforeAll(async () => {
    const path = join(SHARED_DATA, 'online-retail', 'online_retail.csv.gz');
    const rows = createReadStream(path)
      .pipe(createGunzip())
      .pipe(parse({ columns: true }));
    for await (const r of rows as AsyncIterable<Record<string, string>>) {
      ref.lines++;
      const price = Number(r.UnitPrice);
      if (!r.CustomerID) ref.noCustomer++;
      else ref.customers.add(r.CustomerID.replace(/\.0$/, ''));
      if (r.InvoiceNo!.startsWith('C')) ref.cancellations++;
      if (price < 0) {
        ref.negativePrice++;
        if (!r.CustomerID) ref.negativePriceNoCustomer++;
      } else ref.amount += Number(r.Quantity) * price;
    }
    ({ ws, cleanup } = await tempWorkspace());
    result = await importDataset(ws, 'online-retail', join(SHARED_DATA, 'online-retail'));
  });
  afterAll(() => cleanup?.());

  it('accounts for every line: accepted + rejected = read, and only negative prices are rejected', () => {
    const tx = result.reports.find((r) => r.table === 'transactions')!;
    expect(ref.lines).toBe(541_909);
    expect(tx.rowsRead).toBe(ref.lines);
    expect(tx.accepted + tx.rejected).toBe(tx.rowsRead);
    // The two "Adjust bad debt" lines carry a negative unit price; nothing else is rejected.
    expect(ref.negativePrice).toBe(2);
    expect(tx.rejected).toBe(ref.negativePrice);
    expect(tx.rejections).toEqual([{ column: 'unit_price', reason: 'is below the minimum 0', count: 2 }]);
  });

  it('keeps lines without a customer as anonymous sales and cancellations as returns', async () => {
    const [counts] = await ws.db.rows(
      `SELECT count(*) FILTER (WHERE member_id IS NULL) AS anonymous,
              count(*) FILTER (WHERE receipt_id LIKE 'C%') AS cancellations,
              count(*) FILTER (WHERE receipt_id LIKE 'C%' AND quantity < 0 AND amount < 0) AS cancellations_as_returns,
              count(DISTINCT member_id) AS customers, sum(amount) AS amount
       FROM transactions`,
    );
    expect(ref.noCustomer).toBe(135_080);
    expect(counts!.anonymous).toBe(ref.noCustomer - ref.negativePriceNoCustomer);
    expect(counts!.cancellations).toBe(ref.cancellations);
    expect(counts!.cancellations_as_returns).toBe(ref.cancellations);
    expect(counts!.customers).toBe(ref.customers.size);
    expect(counts!.amount as number).toBeCloseTo(ref.amount, 0);
  });

  it('derives the member and product masters from the lines', async () => {
    const counts = await ws.rowCounts();
    expect(counts.members).toBe(4_372);
    expect(counts.products).toBe(4_070);
    const [m] = await ws.db.rows(`SELECT member_id, prefecture FROM members WHERE member_id = '17850'`);
    expect(m).toEqual({ member_id: '17850', prefecture: 'United Kingdom' });
  });
});

describe.runIf(hasSharedData('jp-retail-master'))('jp-retail-master import', () => {
  let ws: Workspace;
  let cleanup: () => void;
  const dir = join(SHARED_DATA, 'jp-retail-master');
  const customers = () =>
    parseSync(readFileSync(join(dir, 'customer.csv')), { columns: true }) as Record<string, string>[];

  beforeAll(async () => {
    ({ ws, cleanup } = await tempWorkspace());
    await importDataset(ws, 'jp-retail-master', dir);
  });
  afterAll(() => cleanup?.());

  it('imports every member, product and store', async () => {
    expect(await ws.rowCounts()).toMatchObject({ members: 21_971, products: 10_030, stores: 53 });
  });

  it('normalises gender words and keeps the counts of the source', async () => {
    const expected = { female: 0, male: 0, unknown: 0 };
    for (const c of customers())
      expected[c.gender === '女性' ? 'female' : c.gender === '男性' ? 'male' : 'unknown']++;
    const rows = await ws.db.rows<{ gender: keyof typeof expected; n: number }>(
      'SELECT gender, count(*) AS n FROM members GROUP BY 1',
    );
    expect(Object.fromEntries(rows.map((r) => [r.gender, r.n]))).toEqual(expected);
  });

  it('takes the prefecture from the masked address', async () => {
    const expected = new Map(
      customers().map((c) => [
        c.customer_id,
        c.address!.match(/^(東京都|北海道|京都府|大阪府|.{2,3}?県)/)![1],
      ]),
    );
    const rows = await ws.db.rows<{ member_id: string; prefecture: string }>(
      'SELECT member_id, prefecture FROM members',
    );
    expect(rows.filter((r) => expected.get(r.member_id) !== r.prefecture)).toEqual([]);
    expect(new Set(rows.map((r) => r.prefecture))).toEqual(
      new Set(['東京都', '神奈川県', '千葉県', '埼玉県']),
    );
  });

  it('joins the category tree onto products', async () => {
    const [p] = await ws.db.rows(`SELECT * FROM products WHERE product_id = 'P040101001'`);
    expect(p).toMatchObject({
      category_l1: '04',
      category_l1_name: '惣菜',
      category_l2: '0401',
      category_l2_name: '御飯類',
      category_l3: '040101',
      category_l3_name: '弁当類',
      unit_price: 198,
    });
    const [{ n }] = (await ws.db.rows(
      'SELECT count(*) AS n FROM products WHERE category_l3_name IS NULL',
    )) as [{ n: number }];
    expect(n).toBe(0);
  });
});
