/**
 * The wasm kernel's loop over coded rows (u16 indices, 1-byte codes into a codebook: a snapshot
 * shard as stored) against the TypeScript loop over the decoded rows: logits bit-identical,
 * across chunk edges, odd counts and empty rows; bad indices and codes outside the codebook
 * behave as the TypeScript loop defines.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Csr } from '../../src/features/csr.ts';
import { logitsRangeTs, type PortableModel } from '../../src/lookalike/kernel.ts';
import { type CodedRows, residentCoded, useWasmKernel, wasmKernel } from '../../src/lookalike/kernel-wasm.ts';
import { Rng } from '../../src/lookalike/rng.ts';
import { shardLogits } from '../../src/scale/index.ts';

/** Coded rows: lengths 0 to 24 (every 5th row empty), codes into `book`, indices below `cols`. */
function codedRows(rows: number, cols: number, book: Float32Array, seed: number): CodedRows {
  const rng = new Rng(seed);
  const rowPtr = new Int32Array(rows + 1);
  const idx: number[] = [];
  const codes: number[] = [];
  for (let r = 0; r < rows; r++) {
    const len = r % 5 === 2 ? 0 : rng.int(25);
    for (let k = 0; k < len; k++) {
      idx.push(rng.int(cols));
      codes.push(rng.int(book.length));
    }
    rowPtr[r + 1] = idx.length;
  }
  return { rows, rowPtr, indices: Uint16Array.from(idx), codes: Uint8Array.from(codes), codebook: book };
}

/** The plain CSR the coded rows stand for (what the TypeScript kernel scores). */
function decoded(c: CodedRows, cols: number): Csr {
  return {
    rows: c.rows,
    cols,
    rowPtr: c.rowPtr,
    indices: Int32Array.from(c.indices),
    values: Float32Array.from(c.codes, (k) => c.codebook[k] ?? Number.NaN),
  };
}

function logistic(cols: number, seed: number): PortableModel {
  const rng = new Rng(seed);
  return {
    format: 'lookalike-portable/1',
    architecture: 'logistic',
    spec: {} as PortableModel['spec'],
    layers: [
      {
        inputs: cols,
        units: 1,
        weights: Float32Array.from({ length: cols }, () => rng.normal() * 0.7),
        bias: Float32Array.of(rng.normal() * 0.3),
        activation: 'linear',
      },
    ],
  };
}

/** 1 (one-hot) and log1p(k) for k = 1..50: the values a third-party shard codes. */
const BOOK = Float32Array.from({ length: 51 }, (_, k) => (k === 0 ? 1 : Math.log1p(k)));

const kernel = () => {
  const k = wasmKernel();
  if (!k) throw new Error('WebAssembly must compile in Node');
  return k;
};

afterEach(() => useWasmKernel());

describe('wasm kernel on coded rows', () => {
  it('gives logits bit-identical to the TypeScript loop on the decoded rows, across chunks', () => {
    // 40,011 rows: two 16,384-row chunks and a short odd one; 700 columns need u16 indices.
    const c = codedRows(40_011, 700, BOOK, 11);
    const model = logistic(700, 4);
    const want = new Float32Array(c.rows);
    logitsRangeTs(model, decoded(c, 700), want);
    const got = new Float32Array(c.rows);
    kernel().codedLogits(model, c, got);
    expect(got).toEqual(want);
    // An empty row scores the bias alone.
    expect(c.rowPtr[3]! - c.rowPtr[2]!).toBe(0);
    expect(got[2]).toBe(Math.fround(model.layers[0]!.bias[0]!));
  });

  it('scores one row, three rows and none', () => {
    const model = logistic(30, 5);
    for (const n of [1, 3, 0]) {
      const c = codedRows(n, 30, BOOK, 20 + n);
      const want = new Float32Array(n);
      logitsRangeTs(model, decoded(c, 30), want);
      const got = new Float32Array(n);
      kernel().codedLogits(model, c, got);
      expect(got).toEqual(want);
    }
  });

  it('reads NaN for a code past the codebook, as the TypeScript loop does', () => {
    const model = logistic(10, 6);
    const c: CodedRows = {
      rows: 2,
      rowPtr: Int32Array.of(0, 2, 3),
      indices: Uint16Array.of(1, 2, 3),
      codes: Uint8Array.of(0, 7, 1),
      codebook: Float32Array.of(1, 0.5),
    };
    const got = new Float32Array(2);
    kernel().codedLogits(model, c, got);
    expect(Number.isNaN(got[0])).toBe(true);
    expect(got[1]).toBe(Math.fround(model.layers[0]!.bias[0]! + 0.5 * model.layers[0]!.weights[3]!));
  });

  it('rejects an index outside the model, naming the first row that holds one', () => {
    const model = logistic(10, 7);
    // Rows 2 and 3 are scored as a pair; row 3's bad entry comes first in the pair's loop.
    const c: CodedRows = {
      rows: 4,
      rowPtr: Int32Array.of(0, 1, 2, 5, 6),
      indices: Uint16Array.of(1, 2, 3, 4, 12, 11),
      codes: Uint8Array.of(0, 0, 0, 0, 0, 0),
      codebook: Float32Array.of(1),
    };
    expect(() => kernel().codedLogits(model, c, new Float32Array(4))).toThrow(
      "row 2 has column index 12, outside the model's 10 inputs (0 to 9)",
    );
  });

  it('refuses MLPs and codebooks of more than 256 values', () => {
    const c = codedRows(4, 10, BOOK, 8);
    const mlp = { ...logistic(10, 9), layers: [logistic(10, 9).layers[0]!, logistic(1, 9).layers[0]!] };
    expect(() => kernel().codedLogits(mlp, c, new Float32Array(4))).toThrow('logistic models only');
    const big = { ...c, codebook: new Float32Array(257) };
    expect(() => kernel().codedLogits(logistic(10, 9), big, new Float32Array(4))).toThrow(
      'a codebook holds at most 256 values, this one 257',
    );
  });

  it('shardLogits gives the same logits with the wasm kernel and with the TypeScript loop alone', () => {
    const c = codedRows(20_001, 300, BOOK, 12);
    const model = logistic(300, 10);
    const shard = { ...c, cols: 300, values: null };
    const wasm = new Float32Array(c.rows);
    shardLogits(model, shard, wasm);
    useWasmKernel(null);
    const ts = new Float32Array(c.rows);
    shardLogits(model, shard, ts);
    expect(wasm).toEqual(ts);
  });
});

describe('resident coded rows', () => {
  it('score in place, equal to the copying path, and stay intact across models and the logistic function', () => {
    const c = codedRows(40_011, 700, BOOK, 13);
    const rows = residentCoded(c);
    if (!rows) throw new Error('WebAssembly must compile in Node');
    // The rows live in the kernel's memory: nothing is copied per scoring.
    expect(rows.rows.indices.buffer).toBe(rows.rows.codes.buffer);
    expect(rows.rows.indices.buffer).not.toBe(c.indices.buffer);
    const scratch = Float32Array.from({ length: 70_000 }, (_, i) => i / 7000 - 5);
    rows.sigmoidInPlace(scratch);
    for (const seed of [1, 2]) {
      const model = logistic(700, seed);
      const want = new Float32Array(c.rows);
      kernel().codedLogits(model, c, want);
      expect(rows.logits(model)).toEqual(want);
    }
    expect(rows.rows.indices).toEqual(c.indices);
    expect(rows.rows.codes).toEqual(c.codes);
    expect(rows.rows.rowPtr).toEqual(c.rowPtr);
  });
});
