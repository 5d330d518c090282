/**
 * How a snapshot shard stores its non-zeros: column indices as u16 when the spec has at most
 * 65,536 columns (third-party specs have a few hundred), values as 1-byte codes into a per-shard
 * f32 codebook when the shard holds at most 256 distinct values (third-party values are 1 for
 * one-hot demographics and search terms and log1p(min(visits, cap)) for interests: cap + 1
 * values at most). Otherwise i32 indices and f32 values. Codes are exact (the codebook holds the
 * f32 values themselves), so a shard decodes to the very rows it was built from: 3 bytes per
 * non-zero instead of 8. Pure TypeScript.
 */
import type { Csr } from '../features/csr.ts';
import { logitsRange, type PortableModel } from '../lookalike/kernel.ts';
import { wasmKernel } from '../lookalike/kernel-wasm.ts';
import type { ColumnArray } from './columns-file.ts';

/** Most distinct values a shard codes in one byte. */
export const MAX_CODES = 256;

/** A shard's non-zeros as stored. */
export interface CodedCsr {
  rows: number;
  cols: number;
  rowPtr: Int32Array;
  indices: Uint16Array | Int32Array;
  /** With `codebook`: value of non-zero p is `codebook[codes[p]]`. */
  codes: Uint8Array | null;
  codebook: Float32Array | null;
  /** Without a codebook: the values. */
  values: Float32Array | null;
}

/** The stored columns of `x` (narrowest exact types). */
export function encodeShardColumns(x: Csr): Record<string, ColumnArray> {
  const out: Record<string, ColumnArray> = { indptr: x.rowPtr };
  out.indices = x.cols <= 65_536 ? Uint16Array.from(x.indices) : x.indices;
  const coded = codeValues(x.values);
  if (coded) {
    out.codebook = coded.codebook;
    out.codes = coded.codes;
  } else out.values = x.values;
  return out;
}

/** Values as codes into a sorted codebook, or null when there are more than MAX_CODES distinct. */
function codeValues(values: Float32Array): { codebook: Float32Array; codes: Uint8Array } | null {
  // Distinct by bit pattern (so -0 and NaN payloads survive), with a fast path for runs.
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const seen = new Set<number>();
  let last = -1;
  for (let p = 0; p < bits.length; p++) {
    const b = bits[p]!;
    if (b === last) continue;
    last = b;
    seen.add(b);
    if (seen.size > MAX_CODES) return null;
  }
  const sorted = [...seen].sort((a, b) => a - b);
  const codebookBits = Uint32Array.from(sorted);
  const codeOf = new Map(sorted.map((b, i) => [b, i]));
  const codes = new Uint8Array(bits.length);
  last = -1;
  let lastCode = 0;
  for (let p = 0; p < bits.length; p++) {
    const b = bits[p]!;
    if (b !== last) {
      last = b;
      lastCode = codeOf.get(b)!;
    }
    codes[p] = lastCode;
  }
  return { codebook: new Float32Array(codebookBits.buffer), codes };
}

/** The plain CSR of a coded shard (i32 indices, f32 values). */
export function decodeShard(c: CodedCsr): Csr {
  const indices = c.indices instanceof Int32Array ? c.indices : Int32Array.from(c.indices);
  let values = c.values;
  if (!values) {
    const book = c.codebook!;
    const codes = c.codes!;
    values = new Float32Array(codes.length);
    for (let p = 0; p < codes.length; p++) values[p] = book[codes[p]!]!;
  }
  return { rows: c.rows, cols: c.cols, rowPtr: c.rowPtr, indices, values };
}

/**
 * The logits of every row of a coded shard. Logistic models on coded shards are scored on the
 * codes as stored: by the wasm kernel's coded loop where WebAssembly runs (3 bytes a non-zero
 * copied into its memory instead of 8), else by the same loop in TypeScript. Both add the same
 * products in row order, so the logits are bit-identical to `logitsRange` on the decoded rows;
 * other models decode first.
 */
export function shardLogits(model: PortableModel, c: CodedCsr, out: Float32Array): void {
  const layer = model.layers[0]!;
  if (model.layers.length !== 1 || !c.codebook || !c.codes) {
    logitsRange(model, decodeShard(c), out, 0, c.rows);
    return;
  }
  const { rowPtr, indices, codes, codebook } = c;
  const wasm = wasmKernel();
  if (wasm && indices instanceof Uint16Array) {
    wasm.codedLogits(model, { rows: c.rows, rowPtr, indices, codes, codebook }, out);
    return;
  }
  const w = layer.weights;
  const b = layer.bias[0]!;
  for (let r = 0; r < c.rows; r++) {
    const end = rowPtr[r + 1]!;
    let z = 0;
    for (let p = rowPtr[r]!; p < end; p++) z += codebook[codes[p]!]! * w[indices[p]!]!;
    out[r] = b + z;
  }
}
