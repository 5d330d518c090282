import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/lookalike/index.ts';
import { compareIdStrings, encodeIds, findId, sortIdStrings } from '../../src/scale/ids-column.ts';
import {
  BINS,
  CorruptFileError,
  decodeColumns,
  encodeColumns,
  keyOf,
  logitOf,
  RankedHistogram,
} from '../../src/scale/index.ts';
import { binFloor } from '../../src/scale/score-keys.ts';

describe('columns files', () => {
  it('round-trips metadata and typed columns, and rejects a truncated or foreign file', () => {
    const bytes = encodeColumns(
      { shard: 3, name: '店舗' },
      {
        a: Int32Array.of(1, -2, 3),
        b: Float32Array.of(0.5),
        c: Uint8Array.of(7, 8, 9, 10, 11),
        d: Uint16Array.of(65535),
      },
    );
    expect(bytes.length % 8).toBe(0);
    const f = decodeColumns<{ shard: number; name: string }>(bytes, 'x.bin');
    expect(f.meta).toEqual({ shard: 3, name: '店舗' });
    expect([...f.columns.a!]).toEqual([1, -2, 3]);
    expect([...f.columns.b!]).toEqual([0.5]);
    expect([...f.columns.c!]).toEqual([7, 8, 9, 10, 11]);
    expect([...f.columns.d!]).toEqual([65535]);
    expect(() => decodeColumns(bytes.subarray(0, bytes.length - 8), 'x.bin')).toThrow(
      new CorruptFileError(
        `x.bin has ${bytes.length - 8} bytes but its header describes ${bytes.length} (truncated?)`,
      ),
    );
    expect(() => decodeColumns(new TextEncoder().encode('PAR1 not ours'), 'y.parquet')).toThrow(
      'y.parquet is not a scale columns file (expected magic LKCOLS01)',
    );
  });
});

describe('score keys', () => {
  it('order like the logits, invert exactly, and put -0 and +0 together', () => {
    const zs = [-1e30, -7.25, -1, -1e-20, 0, 1e-20, 0.5, 1, 3.75, 1e30].map(Math.fround);
    const keys = zs.map(keyOf);
    for (let i = 1; i < keys.length; i++) expect(keys[i]!).toBeGreaterThan(keys[i - 1]!);
    expect(keys.map(logitOf)).toEqual(zs);
    expect(keyOf(-0)).toBe(keyOf(0));
    expect(binFloor(keyOf(1) >>> 16)).toBe(1);
    expect(binFloor(keyOf(1.003) >>> 16)).toBe(1);
  });
});

describe('ranked histogram', () => {
  it('counts and ranks like the sorted array of bin floors below an exact top list', () => {
    const rng = new Rng(4, 1);
    const z = Float32Array.from({ length: 5000 }, () => Math.fround((rng.float() - 0.5) * 12));
    const desc = Float32Array.from(z).sort().reverse();
    const counts = new Float64Array(BINS);
    for (const v of z) counts[keyOf(v) >>> 16]!++;
    const top = 40;
    const h = new RankedHistogram(counts, Array.from(desc.subarray(0, top), keyOf));
    // The independent picture: exact top, every other value replaced by its bin's floor.
    const expected = Array.from(desc, (v, i) => (i < top ? v : binFloor(keyOf(v) >>> 16)));
    expect(h.length).toBe(5000);
    for (const i of [0, 1, 39, 40, 41, 100, 2500, 4999]) expect(h.at(i)).toBe(expected[i]);
    for (const t of [-6, -3.3, 0, 0.01, 1.5, desc[10]!, desc[40]!, desc[41]!, 6]) {
      expect(h.countAtLeast(t)).toBe(expected.filter((v) => v >= t).length);
      expect(h.countAbove(t)).toBe(expected.filter((v) => v > t).length);
    }
  });
});

describe('ID columns', () => {
  it('find IDs in byte order, which differs from UTF-16 order for characters above U+FFFF', () => {
    const ids = ['tp_0001', 'tp_0002', 'tp_ｱ', 'tp_😀'].sort(compareIdStrings);
    const col = encodeIds(ids);
    expect(findId(col, new TextEncoder().encode('tp_0002'))).toBe(1);
    expect(findId(col, new TextEncoder().encode('tp_0003'))).toBe(-1);
    // U+FF71 (ｱ) sorts after U+1F600 in UTF-16 code units but before it in UTF-8 bytes.
    expect(ids.slice(2)).toEqual(['tp_ｱ', 'tp_😀']);
    expect(['tp_ｱ', 'tp_😀'].sort()).toEqual(['tp_😀', 'tp_ｱ']);
  });

  it('sort and compare in byte order for any mix of characters, as a per-byte reference does', () => {
    const bytes = (x: string) => [...new TextEncoder().encode(x)];
    const reference = (a: string, b: string) => {
      const [x, y] = [bytes(a), bytes(b)];
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
      return x.length - y.length;
    };
    const alphabet = ['a', 'Z', '0', '_', 'é', 'ｱ', '東', '\ue000', '\uffee', '😀', '𠮷', '\ud7ff'];
    let state = 7;
    const next = () => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return state / 2_147_483_648;
    };
    const word = () =>
      Array.from(
        { length: 1 + Math.floor(next() * 4) },
        () => alphabet[Math.floor(next() * alphabet.length)],
      ).join('');
    const mixed = Array.from({ length: 400 }, word);
    const ascii = Array.from({ length: 400 }, () => `tp_${Math.floor(next() * 1e6)}`);
    for (const ids of [mixed, ascii, [...ascii, ...mixed]]) {
      const expected = [...new Set(ids)].sort(reference);
      expect(sortIdStrings([...ids, ...ids.slice(0, 50)])).toEqual(expected);
      for (let i = 0; i + 1 < ids.length; i++)
        expect(Math.sign(compareIdStrings(ids[i]!, ids[i + 1]!))).toBe(
          Math.sign(reference(ids[i]!, ids[i + 1]!)),
        );
    }
  });
});
