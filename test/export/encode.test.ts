import { createHash } from 'node:crypto';
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { exportPage, hashMemberId, type RankedIds, rankedIdsFromArrow } from '../../src/export/index.ts';

function audience(
  n: number,
  idKind: RankedIds['idKind'] = 'third_party',
  snapshot = 'snap1',
  prefix = 'tp_',
): RankedIds {
  const table = new arrow.Table({
    id: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`),
      new arrow.Utf8(),
    ),
    score: arrow.makeVector(Float32Array.from({ length: n }, (_, i) => 1 - i / (2 * n))),
    rank: arrow.makeVector(Int32Array.from({ length: n }, (_, i) => i + 1)),
  });
  return rankedIdsFromArrow(arrow.tableToIPC(table, 'file'), idKind, snapshot);
}

const text = (page: ReturnType<typeof exportPage>) => new Response(page.body).text();
const bytes = async (page: ReturnType<typeof exportPage>) =>
  new Uint8Array(await new Response(page.body).arrayBuffer());

describe('exportPage', () => {
  it('writes CSV and NDJSON with id, score and rank in rank order', async () => {
    const src = audience(3);
    expect(await text(exportPage(src, { format: 'csv' }))).toBe(
      'id,score,rank\ntp_00000,1.000000,1\ntp_00001,0.833333,2\ntp_00002,0.666667,3\n',
    );
    const lines = (await text(exportPage(src, { format: 'ndjson' })))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { id: 'tp_00000', score: 1, rank: 1 },
      { id: 'tp_00001', score: 0.833333, rank: 2 },
      { id: 'tp_00002', score: 0.666667, rank: 3 },
    ]);
  });

  it('writes an Arrow IPC stream that apache-arrow reads back, chunk by chunk', async () => {
    const src = audience(20_000);
    const page = exportPage(src, { format: 'arrow', chunkRows: 4096 });
    const table = arrow.tableFromIPC(await bytes(page));
    expect(table.numRows).toBe(20_000);
    expect(table.batches.length).toBe(5);
    expect(table.getChild('id')!.get(12_345)).toBe('tp_12345');
    expect(table.getChild('rank')!.get(19_999)).toBe(20_000);
  });

  it('paginates with cursors: every row exactly once, in order', async () => {
    const src = audience(1_000);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = exportPage(src, { format: 'ndjson', limit: 300, cursor });
      for (const line of (await text(page)).trim().split('\n')) seen.push(JSON.parse(line).id);
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(4);
    expect(seen).toEqual(Array.from({ length: 1_000 }, (_, i) => `tp_${String(i).padStart(5, '0')}`));
  });

  it('refuses a cursor from another snapshot', () => {
    const page = exportPage(audience(10), { format: 'csv', limit: 5 });
    expect(() =>
      exportPage(audience(10, 'third_party', 'snap2'), { format: 'csv', cursor: page.nextCursor! }),
    ).toThrow(
      'the cursor belongs to snapshot snap1, but the audience is now at snap2; restart the pull without a cursor',
    );
    expect(() => exportPage(audience(10), { format: 'csv', cursor: 'garbage' })).toThrow(
      'the cursor is not valid',
    );
  });

  it('exports member IDs only as SHA-256 of the trimmed, lower-cased ID', async () => {
    const src = audience(2, 'member', 'snap1', 'M');
    const csv = await text(exportPage(src, { format: 'csv' }));
    const expected = createHash('sha256').update('m00000').digest('hex');
    expect(hashMemberId(' M00000 ')).toBe(expected);
    expect(csv.split('\n')[1]!.split(',')[0]).toBe(expected);
    expect(csv).not.toContain('M00000');
  });

  it('lists the delta since a previous version: added, then removed', async () => {
    const src = audience(5);
    const previous = new Set(['tp_00000', 'tp_00001', 'tp_99999']);
    const page = exportPage(src, { format: 'csv', previous });
    expect(page.total).toBe(4);
    expect(await text(page)).toBe(
      'id,score,rank,change\ntp_00002,0.800000,3,added\ntp_00003,0.700000,4,added\ntp_00004,0.600000,5,added\ntp_99999,0.000000,-1,removed\n',
    );
  });

  it('writes awkward IDs exactly: quoting, JSON escapes, non-ASCII, hashing after trim and lower-case', async () => {
    const ids = ['tp,1', 'tp"2', ' Tp3 ', '会員4', 'TP5\t', 'a\\b', 'x\ny', 'ＡＢＣ', 'plain_6'];
    const table = new arrow.Table({
      id: arrow.vectorFromArray(ids, new arrow.Utf8()),
      score: arrow.makeVector(new Float32Array(ids.length).fill(0.5)),
      rank: arrow.makeVector(Int32Array.from(ids, (_, i) => i + 1)),
    });
    const bytesOf = arrow.tableToIPC(table, 'file');
    const csvRef = (id: string) => (/[",\r\n]/.test(id) ? `"${id.replaceAll('"', '""')}"` : id);
    const plain = rankedIdsFromArrow(bytesOf, 'third_party', 's');
    expect(await text(exportPage(plain, { format: 'csv' }))).toBe(
      `id,score,rank\n${ids.map((id, i) => `${csvRef(id)},0.500000,${i + 1}\n`).join('')}`,
    );
    const lines = (await text(exportPage(plain, { format: 'ndjson' })))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string });
    expect(lines.map((l) => l.id)).toEqual(ids);
    const sha = (id: string) => createHash('sha256').update(id.trim().toLowerCase()).digest('hex');
    for (const hashed of [
      rankedIdsFromArrow(bytesOf, 'member', 's'),
      rankedIdsFromArrow(bytesOf, 'third_party', 's', { hashIds: true }),
    ]) {
      const csv = (await text(exportPage(hashed, { format: 'csv' }))).trim().split('\n').slice(1);
      expect(csv.map((l) => l.split(',')[0])).toEqual(ids.map(sha));
      const nd = (await text(exportPage(hashed, { format: 'ndjson' }))).trim().split('\n');
      expect(nd.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(ids.map(sha));
    }
  });
});
