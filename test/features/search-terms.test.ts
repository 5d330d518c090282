import { describe, expect, it } from 'vitest';
import { searchTerms, searchTermsSql } from '../../src/features/index.ts';
import { DuckDb } from '../../src/store/index.ts';

const QUERIES = ['ノンフライヤー　おすすめ', '時短 夕飯  レシピ', 'ＩＨ 炊飯器 ih', 'コーヒー', '  '];

describe('searchTerms', () => {
  it('splits on any whitespace, folds width and case, drops duplicates, sorts', () => {
    expect(QUERIES.map(searchTerms)).toEqual([
      ['おすすめ', 'ノンフライヤー'],
      ['レシピ', '夕飯', '時短'],
      ['ih', '炊飯器'],
      ['コーヒー'],
      [],
    ]);
  });

  it('gives the same terms in DuckDB SQL', async () => {
    const db = await DuckDb.open(':memory:');
    await db.run('CREATE TABLE queries (i INTEGER, q VARCHAR)');
    await db.append('queries', [QUERIES.map((_, i) => i), QUERIES]);
    const rows = await db.rows<{ terms: string[] }>(
      `SELECT ${searchTermsSql('q')} AS terms FROM queries ORDER BY i`,
    );
    expect(rows.map((r) => r.terms)).toEqual(QUERIES.map(searchTerms));
    db.close();
  });
});
