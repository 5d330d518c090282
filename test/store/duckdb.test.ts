import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDb } from '../../src/store/index.ts';

let db: DuckDb;
beforeAll(async () => {
  db = await DuckDb.open(':memory:');
});
afterAll(() => db?.close());

describe('DuckDb.numeric', () => {
  it('reads DOUBLE columns across chunks exactly, in order', async () => {
    // 5,000 rows span several 2,048-row chunks; values chosen so float64 round-trips are exact.
    const r = await db.numeric(
      'SELECT i::DOUBLE / 8 AS a, (i * i)::DOUBLE AS b FROM range(5000) t(i) ORDER BY i',
    );
    expect(r.names).toEqual(['a', 'b']);
    expect(r.rowCount).toBe(5000);
    expect(r.columns[0]).toEqual(Float64Array.from({ length: 5000 }, (_, i) => i / 8));
    expect(r.columns[1]).toEqual(Float64Array.from({ length: 5000 }, (_, i) => i * i));
  });

  it('gives NaN for NULL and converts integer and decimal columns', async () => {
    const r = await db.numeric(
      `SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE i::DOUBLE END AS d, i::BIGINT AS n, (i / 4)::DECIMAL(9, 2) AS m
       FROM range(3000) t(i) ORDER BY i`,
    );
    const d = r.columns[0]!;
    for (const i of [0, 1, 2, 3, 2999]) expect(Number.isNaN(d[i]!)).toBe(i % 3 === 0);
    expect(d[2998]).toBe(2998);
    expect(r.columns[1]![2999]).toBe(2999);
    expect(r.columns[2]![5]).toBe(1.25);
  });

  it('returns empty columns for an empty result', async () => {
    const r = await db.numeric('SELECT 1.0::DOUBLE AS x WHERE false');
    expect(r).toEqual({ names: ['x'], columns: [new Float64Array(0)], rowCount: 0 });
  });
});
