/**
 * Shard encoding: u16 indices and 1-byte value codes where they fit, decoded to exactly the rows
 * written, scored bit-identically to the kernel on plain CSR; shards of another format are
 * rebuilt, never misread.
 */
import { describe, expect, it } from 'vitest';
import type { Csr } from '../../src/features/csr.ts';
import type { TpFeatureSpec } from '../../src/lookalike/feature-spec.ts';
import { logitsRange, type PortableModel } from '../../src/lookalike/kernel.ts';
import { Rng } from '../../src/lookalike/rng.ts';
import {
  CorruptFileError,
  decodeColumns,
  decodeShard,
  encodeColumns,
  encodeShardColumns,
  readShard,
  readShardCoded,
  readSnapshotManifest,
  SNAPSHOT_FORMAT,
  shardLogits,
  writeSnapshot,
} from '../../src/scale/index.ts';
import { shardCsrKey } from '../../src/scale/snapshot.ts';
import { MemoryArtifactStore } from '../../src/store/artifacts.ts';

/** Random rows: `nnz` entries a row over `cols` columns, values drawn from `pool`. */
function rows(rng: Rng, n: number, cols: number, nnz: number, pool: readonly number[]): Csr {
  const rowPtr = new Int32Array(n + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let r = 0; r < n; r++) {
    const set = new Set<number>();
    while (set.size < nnz) set.add(Math.floor(rng.float() * cols));
    for (const c of [...set].sort((a, b) => a - b)) {
      indices.push(c);
      values.push(pool[Math.floor(rng.float() * pool.length)]!);
    }
    rowPtr[r + 1] = indices.length;
  }
  return { rows: n, cols, rowPtr, indices: Int32Array.from(indices), values: Float32Array.from(values) };
}

const visits = Array.from({ length: 51 }, (_, k) => Math.fround(Math.log1p(k)));

function model(rng: Rng, cols: number, hidden: number): PortableModel {
  const dense = (inputs: number, units: number, activation: 'relu' | 'sigmoid') => ({
    inputs,
    units,
    activation,
    weights: Float32Array.from({ length: inputs * units }, () => rng.float() - 0.5),
    bias: Float32Array.from({ length: units }, () => rng.float() - 0.5),
  });
  const layers = hidden
    ? [dense(cols, hidden, 'relu'), dense(hidden, 1, 'sigmoid')]
    : [dense(cols, 1, 'sigmoid')];
  return {
    architecture: hidden ? 'mlp' : 'logistic',
    layers,
    spec: {} as TpFeatureSpec,
  } as unknown as PortableModel;
}

describe('shard encoding', () => {
  it('stores u16 indices and 1-byte codes for third-party values and decodes them exactly', () => {
    const x = rows(new Rng(1, 0), 500, 700, 9, [1, ...visits]);
    const cols = encodeShardColumns(x);
    expect(Object.keys(cols)).toEqual(['indptr', 'indices', 'codebook', 'codes']);
    expect(cols.indices).toBeInstanceOf(Uint16Array);
    expect(cols.codes).toBeInstanceOf(Uint8Array);
    // 51 visit values (1 = log1p(e - 1) is not among them) plus the one-hot 1.
    expect(cols.codebook!.length).toBe(52);
    const f = decodeColumns<unknown>(encodeColumns({}, cols), 'shard');
    const back = decodeShard({
      rows: x.rows,
      cols: x.cols,
      rowPtr: f.columns.indptr as Int32Array,
      indices: f.columns.indices as Uint16Array,
      codes: f.columns.codes as Uint8Array,
      codebook: f.columns.codebook as Float32Array,
      values: null,
    });
    expect(back).toEqual(x);
    // 3 bytes a non-zero instead of 8.
    expect(cols.indices!.byteLength + cols.codes!.byteLength).toBe(3 * x.indices.length);
  });

  it('keeps i32 indices past 65,536 columns and f32 values past 256 distinct values', () => {
    const rng = new Rng(2, 0);
    const wide = encodeShardColumns(rows(rng, 50, 70_000, 4, [1]));
    expect(wide.indices).toBeInstanceOf(Int32Array);
    expect(wide.codes).toBeInstanceOf(Uint8Array);
    const dense = Array.from({ length: 300 }, (_, i) => Math.fround(i / 7 - 20));
    const many = rows(rng, 200, 40, 30, dense);
    const enc = encodeShardColumns(many);
    expect(Object.keys(enc)).toEqual(['indptr', 'indices', 'values']);
    expect(enc.values).toBe(many.values);
  });

  it('scores coded shards bit-identically to the kernel on plain rows (logistic and MLP)', () => {
    const rng = new Rng(3, 0);
    const x = rows(rng, 800, 300, 12, [1, ...visits]);
    const f = encodeShardColumns(x);
    const coded = {
      rows: x.rows,
      cols: x.cols,
      rowPtr: x.rowPtr,
      indices: f.indices as Uint16Array,
      codes: f.codes as Uint8Array,
      codebook: f.codebook as Float32Array,
      values: null,
    };
    for (const hidden of [0, 16]) {
      const m = model(rng, 300, hidden);
      const want = new Float32Array(x.rows);
      logitsRange(m, x, want, 0, x.rows);
      const got = new Float32Array(x.rows);
      shardLogits(m, coded, got);
      expect(got).toEqual(want);
    }
  });
});

describe('snapshot format', () => {
  const spec = { kind: 'third_party', version: 1 } as unknown as TpFeatureSpec;
  const x = rows(new Rng(4, 0), 30, 20, 3, [1, ...visits]);
  const source = {
    universe: 'third_party' as const,
    dataVersion: 'v1|test',
    spec,
    rows: 30,
    cols: 20,
    batch: async (from: number, to: number) => {
      const a = x.rowPtr[from]!;
      const b = x.rowPtr[to]!;
      return {
        x: {
          rows: to - from,
          cols: 20,
          rowPtr: Int32Array.from(x.rowPtr.subarray(from, to + 1), (p) => p - a),
          indices: x.indices.slice(a, b),
          values: x.values.slice(a, b),
        },
        ids: Array.from({ length: to - from }, (_, i) => `tp_${String(from + i).padStart(3, '0')}`),
      };
    },
  };

  it('reads back the rows written, and treats a snapshot of another format as absent', async () => {
    const store = new MemoryArtifactStore();
    const m = await writeSnapshot(store, source, 16);
    expect(m.version).toBe(SNAPSHOT_FORMAT);
    const shard = await readShard(store, m, 1);
    expect(shard.x.indices).toEqual(x.indices.slice(x.rowPtr[16]!));
    expect(shard.x.values).toEqual(x.values.slice(x.rowPtr[16]!));
    // A format-1 manifest under the key: not returned, so the caller builds anew.
    const key = `universe-snapshots/${m.key}/manifest.json`;
    await store.put(key, JSON.stringify({ ...m, version: 1 }));
    expect(await readSnapshotManifest(store, m.key)).toBeNull();
    // A format-1 shard file is refused by name, never read as u16 and codes.
    const name = shardCsrKey(m.key, 0);
    await store.put(
      name,
      encodeColumns(
        { shard: 0, firstRow: 0, cols: 20 },
        { indptr: x.rowPtr, indices: x.indices, values: x.values },
      ),
    );
    await expect(readShardCoded(store, m, 0)).rejects.toThrow(
      new CorruptFileError(`${name} is in snapshot format 1, expected ${SNAPSHOT_FORMAT}`),
    );
  });
});
