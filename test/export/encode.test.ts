import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { openMembers } from '../../src/audience/index.ts';
import {
  type DeltaOp,
  type ExportFormat,
  encodeRows,
  type RowBatch,
  viewRows,
} from '../../src/export/index.ts';

function members(n: number, prefix = 'tp_') {
  const table = new arrow.Table({
    id: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`),
      new arrow.Utf8(),
    ),
    score: arrow.makeVector(Float32Array.from({ length: n }, (_, i) => 1 - i / (2 * n))),
    rank: arrow.makeVector(Int32Array.from({ length: n }, (_, i) => i + 1)),
  });
  return openMembers(arrow.tableToIPC(table, 'file'));
}

const full = (n: number, format: ExportFormat, batchRows?: number) => {
  const view = members(n);
  return encodeRows(format, false, viewRows(view, 0, n, batchRows));
};
const text = (body: ReadableStream<Uint8Array>) => new Response(body).text();
const bytes = async (body: ReadableStream<Uint8Array>) =>
  new Uint8Array(await new Response(body).arrayBuffer());

/** A delta batch written by hand: ids with op; removed rows have no score. */
function deltaBatch(rows: readonly [string, DeltaOp, number, number][]): RowBatch {
  const enc = new TextEncoder();
  return {
    length: rows.length,
    idBytes: (i) => enc.encode(rows[i]![0]),
    op: (i) => rows[i]![1],
    score: (i) => (rows[i]![1] === 'remove' ? Number.NaN : rows[i]![2]),
    rank: (i) => rows[i]![3],
  };
}
const once = (batch: RowBatch) => {
  let sent = false;
  return async () => {
    if (sent) return null;
    sent = true;
    return batch;
  };
};

describe('encodeRows', () => {
  it('writes CSV and NDJSON with id, score and rank in rank order', async () => {
    expect(await text(full(3, 'csv'))).toBe(
      'id,score,rank\ntp_00000,1.000000,1\ntp_00001,0.833333,2\ntp_00002,0.666667,3\n',
    );
    const lines = (await text(full(3, 'ndjson')))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { id: 'tp_00000', score: 1, rank: 1 },
      { id: 'tp_00001', score: 0.833333, rank: 2 },
      { id: 'tp_00002', score: 0.666667, rank: 3 },
    ]);
  });

  it('writes an Arrow IPC stream that apache-arrow reads back, batch by batch', async () => {
    const table = arrow.tableFromIPC(await bytes(full(20_000, 'arrow', 4096)));
    expect(table.numRows).toBe(20_000);
    expect(table.batches.length).toBe(5);
    expect(table.getChild('id')!.get(12_345)).toBe('tp_12345');
    expect(table.getChild('rank')!.get(19_999)).toBe(20_000);
  });

  it('writes delta rows with an op column; removed rows have no score or rank', async () => {
    const batch = deltaBatch([
      ['tp_1', 'add', 0.5, 3],
      ['tp_2', 'remove', 0, 0],
    ]);
    expect(await text(encodeRows('csv', true, once(batch)))).toBe(
      'id,score,rank,op\ntp_1,0.500000,3,add\ntp_2,,,remove\n',
    );
    expect(
      (await text(encodeRows('ndjson', true, once(batch))))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { id: 'tp_1', score: 0.5, rank: 3, op: 'add' },
      { id: 'tp_2', score: null, rank: null, op: 'remove' },
    ]);
    const table = arrow.tableFromIPC(await bytes(encodeRows('arrow', true, once(batch))));
    expect(table.schema.fields.map((f) => f.name)).toEqual(['id', 'score', 'rank', 'op']);
    expect(table.toArray().map((r) => r.toJSON())).toEqual([
      { id: 'tp_1', score: 0.5, rank: 3, op: 'add' },
      { id: 'tp_2', score: null, rank: null, op: 'remove' },
    ]);
  });

  it('an empty pull still names its columns', async () => {
    const none = async () => null;
    expect(await text(encodeRows('csv', true, none))).toBe('id,score,rank,op\n');
    expect(await text(encodeRows('ndjson', false, none))).toBe('');
    const table = arrow.tableFromIPC(await bytes(encodeRows('arrow', false, none)));
    expect(table.numRows).toBe(0);
    expect(table.schema.fields.map((f) => f.name)).toEqual(['id', 'score', 'rank']);
  });

  it('writes awkward IDs exactly: CSV quoting, JSON escapes, non-ASCII', async () => {
    const ids = ['tp,1', 'tp"2', ' Tp3 ', '会員4', 'TP5\t', 'a\\b', 'x\ny', 'ＡＢＣ', 'plain_6'];
    const table = new arrow.Table({
      id: arrow.vectorFromArray(ids, new arrow.Utf8()),
      score: arrow.makeVector(new Float32Array(ids.length).fill(0.5)),
      rank: arrow.makeVector(Int32Array.from(ids, (_, i) => i + 1)),
    });
    const view = openMembers(arrow.tableToIPC(table, 'file'));
    const csvRef = (id: string) => (/[",\r\n]/.test(id) ? `"${id.replaceAll('"', '""')}"` : id);
    expect(await text(encodeRows('csv', false, viewRows(view, 0, ids.length)))).toBe(
      `id,score,rank\n${ids.map((id, i) => `${csvRef(id)},0.500000,${i + 1}\n`).join('')}`,
    );
    const lines = (await text(encodeRows('ndjson', false, viewRows(view, 0, ids.length))))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string });
    expect(lines.map((l) => l.id)).toEqual(ids);
  });
});
