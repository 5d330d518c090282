import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { openMembers } from '../../src/audience/index.ts';
import { type ExportFormat, encodeRows, viewRows } from '../../src/export/index.ts';

const HOSTILE = [
  "=cmd|' /C calc'!A0",
  '+1+1',
  '-2+3',
  '@SUM(1)',
  '\tTAB',
  '\rCR',
  '＝１＋１',
  '＠SUM(1)',
  '=HYPERLINK("http://x","a,b")',
  'tp_plain',
  'tp_a,b',
  '東京_1',
];

function audienceOf(ids: string[]) {
  const table = new arrow.Table({
    id: arrow.vectorFromArray(ids, new arrow.Utf8()),
    score: arrow.makeVector(Float32Array.from(ids, (_, i) => 1 - i / 100)),
    rank: arrow.makeVector(Int32Array.from(ids, (_, i) => i + 1)),
  });
  return openMembers(arrow.tableToIPC(table, 'file'));
}

const pull = (ids: string[], format: ExportFormat) => {
  const view = audienceOf(ids);
  return encodeRows(format, false, viewRows(view, 0, view.length));
};

/** What OWASP's guidance asks for, written independently of the encoder: quote, prefix, escape. */
function expectedCell(id: string): string {
  const formula = /^[=+\-@\t\r＝＋－＠]/.test(id);
  const body = formula ? `'${id}` : id;
  return formula || /[",\r\n]/.test(body) ? `"${body.replaceAll('"', '""')}"` : body;
}

describe('CSV exports neutralise spreadsheet formulas (OWASP CSV injection)', () => {
  it('prefixes and quotes every cell that starts like a formula, on the byte path and the string path', async () => {
    const lines = (await new Response(pull(HOSTILE, 'csv')).text()).split('\n');
    expect(lines[0]).toBe('id,score,rank');
    for (const [i, id] of HOSTILE.entries()) {
      const line = lines[i + 1]!;
      expect(
        line.startsWith(`${expectedCell(id)},`),
        `${JSON.stringify(id)} -> ${JSON.stringify(line)}`,
      ).toBe(true);
    }
    expect(lines[1]).toBe(`"'=cmd|' /C calc'!A0",1.000000,1`);
    expect(lines[2]).toBe(`"'+1+1",0.990000,2`);
    expect(lines[4]).toBe(`"'@SUM(1)",0.970000,4`);
    expect(lines[10]).toBe('tp_plain,0.910000,10');
  });

  it('keeps NDJSON and Arrow byte-exact: programs read the IDs as they were imported', async () => {
    const ndjson = await new Response(pull(HOSTILE, 'ndjson')).text();
    expect(
      ndjson
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { id: string }).id),
    ).toEqual(HOSTILE);
    const bytes = new Uint8Array(await new Response(pull(HOSTILE, 'arrow')).arrayBuffer());
    expect(arrow.tableFromIPC(bytes).getChild('id')!.toArray()).toEqual(HOSTILE);
  });
});
