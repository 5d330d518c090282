/**
 * The WebAssembly (SIMD) scoring kernel: same results as the TypeScript loops of kernel.ts (logits
 * bit-identical, probabilities within 1e-6 relative), two to four times as fast. Rows are copied into
 * the kernel's memory in chunks that stay in the core's cache, so any `Csr` works without
 * re-layout. Pure TypeScript plus the standard `WebAssembly` global: Node, worker threads and
 * workerd run the same kernel. Node compiles the embedded bytes; workerd forbids compiling bytes
 * at run time, so the Worker entry imports kernel.wasm and passes the module to `useWasmKernel`.
 */
import type { Csr } from '../features/csr.ts';
import type { DenseLayer, PortableModel } from './kernel.ts';
import { KERNEL_WASM_BASE64 } from './wasm/kernel-bytes.ts';

interface KernelExports {
  readonly memory: WebAssembly.Memory;
  logistic(
    rowPtr: number,
    indices: number,
    values: number,
    base: number,
    w: number,
    cols: number,
    bias: number,
    out: number,
    n: number,
  ): number;
  mlp1(
    rowPtr: number,
    indices: number,
    values: number,
    base: number,
    w1: number,
    b1: number,
    w2: number,
    h: number,
    cols: number,
    b2: number,
    out: number,
    n: number,
  ): number;
  logistic_coded(
    rowPtr: number,
    indices: number,
    codes: number,
    book: number,
    base: number,
    w: number,
    cols: number,
    bias: number,
    out: number,
    n: number,
  ): number;
  sigmoid(ptr: number, n: number): void;
}

/**
 * Rows in a snapshot shard's stored form (scale/shard-codec.ts): u16 column indices and 1-byte
 * codes into a codebook of the shard's distinct values.
 */
export interface CodedRows {
  readonly rows: number;
  readonly rowPtr: Int32Array;
  readonly indices: Uint16Array;
  readonly codes: Uint8Array;
  readonly codebook: Float32Array;
}

/** Most entries a codebook can have (codes are one byte). */
const BOOK_ENTRIES = 256;

/**
 * Rows per chunk: 16k rows of ~14 non-zeros are ~1.8 MB of entries, about one core's L2, so the
 * kernel reads what the copy just wrote from cache. Chunks of 2k to 64k rows measured within 10%
 * of each other at 1M rows; 16k was fastest by a little.
 */
const CHUNK_ROWS = 16384;
const PAGE = 65536;

/** Bytes kept for the model (as Float64) in an instance holding resident rows: a 16k x 32 MLP fits. */
const MODEL_RESERVE = 4 << 20;

/** Byte offsets of rows already in the kernel's memory. */
interface RowsAt {
  readonly rowPtr: number;
  readonly indices: number;
  readonly values: number;
}

/** Where the current model's arrays sit in the kernel's memory (byte offsets). */
interface Resident {
  readonly layers: readonly DenseLayer[];
  readonly w: number;
  readonly b1: number;
  readonly w2: number;
  readonly end: number;
}

/**
 * One instance of the kernel with its own memory. Not re-entrant (it keeps one model resident);
 * each thread or isolate has its own.
 */
export class WasmKernel {
  /** @internal the instance's exports (memory and loops). */
  readonly k: KernelExports;
  private resident: Resident | null = null;

  /** @param floor - bytes at the start of memory owned by resident rows; the model goes after. */
  constructor(
    readonly module: WebAssembly.Module,
    private readonly floor = 0,
  ) {
    this.k = new WebAssembly.Instance(module, {}).exports as unknown as KernelExports;
  }

  /** Whether the kernel has a loop for this network: logistic, or one hidden layer of a multiple of 8 units. */
  supports(model: PortableModel): boolean {
    const l = model.layers;
    return l.length === 1 || (l.length === 2 && l[0]!.units % 8 === 0 && l[0]!.units > 0);
  }

  /**
   * Logits of rows `[from, to)` of `x` into `out[0 .. to - from)`, as `logitsRange` of kernel.ts.
   *
   * @throws Error when the network shape is unsupported (check `supports`) or a row has a
   * column index outside the model's inputs.
   */
  logitsRange(model: PortableModel, x: Csr, out: Float32Array, from = 0, to = x.rows): void {
    const at = RESIDENT.get(x.indices);
    if (at?.owns(x)) at.run(model, out, from, to, false);
    else this.run(model, x, out, from, to, false);
  }

  /** Probabilities (the logistic function of the logits, as Float32) of rows `[from, to)`. */
  probabilitiesRange(model: PortableModel, x: Csr, out: Float32Array, from = 0, to = x.rows): void {
    const at = RESIDENT.get(x.indices);
    if (at?.owns(x)) at.run(model, out, from, to, true);
    else this.run(model, x, out, from, to, true);
  }

  /** The logistic function in place over Float32 logits. */
  sigmoidInPlace(values: Float32Array): void {
    // Scratch after the model, never below `floor` (resident rows live there).
    const at = this.resident?.end ?? this.floor;
    for (let from = 0; from < values.length; from += CHUNK_ROWS * 4) {
      const part = values.subarray(from, Math.min(values.length, from + CHUNK_ROWS * 4));
      this.reserve(at + part.byteLength + 16);
      const view = new Float32Array(this.k.memory.buffer, at, part.length);
      view.set(part);
      this.k.sigmoid(at, part.length);
      part.set(view);
    }
  }

  /**
   * Scores rows `[from, to)` chunk by chunk. Rows of a JS-heap `Csr` are copied into memory after
   * the model, one cache-sized chunk at a time; rows already in memory (`at`) are read in place.
   * @internal
   */
  run(
    model: PortableModel,
    x: Csr,
    out: Float32Array,
    from: number,
    to: number,
    probs: boolean,
    at?: RowsAt,
  ): void {
    if (!this.supports(model)) {
      throw new Error(
        `the wasm kernel scores logistic and one-hidden-layer (a multiple of 8 units) models, not ${model.layers.map((l) => l.units).join('-')}`,
      );
    }
    if (to > x.rows || from < 0) throw new Error(`rows [${from}, ${to}) are outside the ${x.rows} rows`);
    const res = this.place(model);
    const first = model.layers[0]!;
    const { rowPtr, indices, values } = x;
    for (let r0 = from; r0 < to; r0 += CHUNK_ROWS) {
      const r1 = Math.min(to, r0 + CHUNK_ROWS);
      const n = r1 - r0;
      const base = rowPtr[r0]!;
      const nnz = rowPtr[r1]! - base;
      if (base < 0 || nnz < 0 || base + nnz > indices.length) {
        throw new Error(`row pointers of rows ${r0} to ${r1} point outside the ${indices.length} entries`);
      }
      // Layout after the model: out (n), then the chunk's rowPtr (n + 1), indices, values.
      const pOut = res.end;
      let pRow: number;
      let pIdx: number;
      let pVal: number;
      if (at) {
        pRow = at.rowPtr + r0 * 4;
        pIdx = at.indices + base * 4;
        pVal = at.values + base * 4;
        this.reserve(pOut + n * 4 + 16);
      } else {
        // 16 bytes of room after out: the logistic function's last vector may reach past it.
        pRow = pOut + n * 4 + 16;
        pIdx = pRow + (n + 1) * 4;
        pVal = pIdx + nnz * 4;
        this.reserve(pVal + nnz * 4);
        const buf = this.k.memory.buffer;
        new Int32Array(buf, pRow, n + 1).set(rowPtr.subarray(r0, r1 + 1));
        new Int32Array(buf, pIdx, nnz).set(indices.subarray(base, base + nnz));
        new Float32Array(buf, pVal, nnz).set(values.subarray(base, base + nnz));
      }
      const buf = this.k.memory.buffer;
      const bad =
        model.layers.length === 1
          ? this.k.logistic(pRow, pIdx, pVal, base, res.w, first.inputs, first.bias[0]!, pOut, n)
          : this.k.mlp1(
              pRow,
              pIdx,
              pVal,
              base,
              res.w,
              res.b1,
              res.w2,
              first.units,
              first.inputs,
              model.layers[1]!.bias[0]!,
              pOut,
              n,
            );
      if (bad >= 0) throw badIndex(x, r0 + bad, first.inputs);
      if (probs) this.k.sigmoid(pOut, n);
      out.set(new Float32Array(buf, pOut, n), r0 - from);
    }
  }

  /**
   * Logits of every row of coded rows into `out`, bit-identical to the logistic loop on the
   * decoded CSR. Rows are copied into memory in cache-sized chunks as in `run`, but at 3 bytes a
   * non-zero (u16 index, 1-byte code) instead of 8, so the copy costs well under half as much.
   *
   * @throws Error when the model is not logistic, the codebook has more than 256 entries, or a
   * row has a column index outside the model's inputs.
   */
  codedLogits(model: PortableModel, c: CodedRows, out: Float32Array): void {
    if (model.layers.length !== 1)
      throw new Error('coded rows are scored by the wasm kernel for logistic models only');
    if (c.codebook.length > BOOK_ENTRIES) {
      throw new Error(`a codebook holds at most ${BOOK_ENTRIES} values, this one ${c.codebook.length}`);
    }
    const res = this.place(model);
    const layer = model.layers[0]!;
    const { rowPtr, indices, codes } = c;
    const book = res.end;
    const pOut = book + BOOK_ENTRIES * 8;
    this.reserve(pOut);
    // Codes past the codebook read NaN, as the TypeScript loop's `codebook[code]` reads undefined.
    const bookView = new Float64Array(this.k.memory.buffer, book, BOOK_ENTRIES);
    bookView.fill(Number.NaN);
    bookView.set(c.codebook);
    const mem = this.k.memory.buffer;
    const inPlace = rowPtr.buffer === mem && indices.buffer === mem && codes.buffer === mem;
    for (let r0 = 0; r0 < c.rows; r0 += CHUNK_ROWS) {
      const r1 = Math.min(c.rows, r0 + CHUNK_ROWS);
      const n = r1 - r0;
      const base = rowPtr[r0]!;
      const nnz = rowPtr[r1]! - base;
      if (base < 0 || nnz < 0 || base + nnz > indices.length || base + nnz > codes.length) {
        throw new Error(`row pointers of rows ${r0} to ${r1} point outside the ${indices.length} entries`);
      }
      // After the book: out (n, then 16 bytes of room), then (copied) the chunk's rowPtr,
      // indices and codes; rows already in this memory (`ResidentCodedRows`) are read in place.
      let pRow = pOut + n * 4 + 16;
      let pIdx = pRow + (n + 1) * 4;
      let pCode = pIdx + nnz * 2;
      if (inPlace) {
        pRow = rowPtr.byteOffset + r0 * 4;
        pIdx = indices.byteOffset + base * 2;
        pCode = codes.byteOffset + base;
        this.reserve(pOut + n * 4 + 16);
      } else {
        this.reserve(pCode + nnz);
        const buf = this.k.memory.buffer;
        new Int32Array(buf, pRow, n + 1).set(rowPtr.subarray(r0, r1 + 1));
        new Uint16Array(buf, pIdx, nnz).set(indices.subarray(base, base + nnz));
        new Uint8Array(buf, pCode, nnz).set(codes.subarray(base, base + nnz));
      }
      const bad = this.k.logistic_coded(
        pRow,
        pIdx,
        pCode,
        book,
        base,
        res.w,
        layer.inputs,
        layer.bias[0]!,
        pOut,
        n,
      );
      if (bad >= 0) throw badIndex({ rows: c.rows, rowPtr, indices }, r0 + bad, layer.inputs);
      out.set(new Float32Array(this.k.memory.buffer, pOut, n), r0);
    }
  }

  /**
   * Copies the model's weights into memory, widened to Float64 (exactly: the kernel then loads
   * weights without converting them), unless they are already there.
   */
  private place(model: PortableModel): Resident {
    const layers = model.layers;
    const cur = this.resident;
    if (cur && cur.layers.length === layers.length && cur.layers.every((l, i) => l === layers[i])) return cur;
    const first = layers[0]!;
    const w = this.floor;
    const b1 = w + first.weights.length * 8;
    const w2 = b1 + first.bias.length * 8;
    // Rounded up to 16 bytes so the chunk buffers after it are aligned.
    const end = Math.ceil((w2 + (layers[1]?.weights.length ?? 0) * 8) / 16) * 16;
    this.resident = null;
    this.reserve(end);
    const buf = this.k.memory.buffer;
    new Float64Array(buf, w, first.weights.length).set(first.weights);
    new Float64Array(buf, b1, first.bias.length).set(first.bias);
    if (layers[1]) new Float64Array(buf, w2, layers[1].weights.length).set(layers[1].weights);
    this.resident = { layers: [...layers], w, b1, w2, end };
    return this.resident;
  }

  /** Grows memory to at least `bytes` (views made before a grow are stale: callers re-read `buffer`). */
  private reserve(bytes: number): void {
    const have = this.k.memory.buffer.byteLength;
    if (bytes > have) this.k.memory.grow(Math.ceil((bytes - have) / PAGE));
  }
}

/** Bytes of a model's arrays in the kernel's memory. */
function modelBytes(model: PortableModel): number {
  const [first, second] = model.layers;
  return (first!.weights.length + first!.bias.length + (second?.weights.length ?? 0)) * 8 + 16;
}

/** Resident rows by their `indices` array: how `logitsRange` recognises a matrix it can read in place. */
const RESIDENT = new WeakMap<Int32Array, ResidentRows>();

/**
 * A CSR matrix living in a kernel instance's own memory, so scoring it with any number of models
 * reads the rows in place: no copy per scoring, as scikit-learn reads its arrays in place. Fill
 * `x` once (`residentCsr` copies a matrix in; a loader can write shard bytes straight into
 * `x.rowPtr`, `x.indices`, `x.values`), then score with `logitsRange`/`probabilitiesRange`/
 * `scoreCsr` of kernel.ts or with `logits`/`probabilities` here. Memory never grows after
 * creation, so the views in `x` stay valid; models larger than 4 MiB (as Float64) are scored by the copying
 * path instead.
 */
export class ResidentRows {
  /** The matrix; its arrays are views of the kernel's memory (write into them to fill it). */
  readonly x: Csr;
  private readonly kernel: WasmKernel;
  private readonly at: RowsAt;

  constructor(module: WebAssembly.Module, rows: number, nnz: number, cols: number) {
    const at = { rowPtr: 0, indices: (rows + 1) * 4, values: (rows + 1 + nnz) * 4 };
    const floor = Math.ceil((at.values + nnz * 4) / 16) * 16;
    if (floor + MODEL_RESERVE + CHUNK_ROWS * 4 + 16 > 0xffff0000) {
      throw new Error(
        `${rows} rows with ${nnz} non-zeros do not fit one kernel memory (4 GiB): split them into shards`,
      );
    }
    this.kernel = new WasmKernel(module, floor);
    this.kernel.k.memory.grow(Math.ceil((floor + MODEL_RESERVE + CHUNK_ROWS * 4 + 16) / PAGE));
    const buf = this.kernel.k.memory.buffer;
    this.at = at;
    this.x = {
      rows,
      cols,
      rowPtr: new Int32Array(buf, at.rowPtr, rows + 1),
      indices: new Int32Array(buf, at.indices, nnz),
      values: new Float32Array(buf, at.values, nnz),
    };
    RESIDENT.set(this.x.indices, this);
  }

  /** Whether `x` is this instance's matrix (the same three arrays). */
  owns(x: Csr): boolean {
    return x.indices === this.x.indices && x.rowPtr === this.x.rowPtr && x.values === this.x.values;
  }

  /** Logits of every row (or `[from, to)`), as `logitsRange` of kernel.ts. */
  logits(
    model: PortableModel,
    out = new Float32Array(this.x.rows),
    from = 0,
    to = this.x.rows,
  ): Float32Array {
    this.run(model, out, from, to, false);
    return out;
  }

  /** Probabilities of every row (or `[from, to)`), as `probabilitiesRange` of kernel.ts. */
  probabilities(
    model: PortableModel,
    out = new Float32Array(this.x.rows),
    from = 0,
    to = this.x.rows,
  ): Float32Array {
    this.run(model, out, from, to, true);
    return out;
  }

  /** @internal */
  run(model: PortableModel, out: Float32Array, from: number, to: number, probs: boolean): void {
    if (modelBytes(model) <= MODEL_RESERVE) this.kernel.run(model, this.x, out, from, to, probs, this.at);
    else (wasmKernel() ?? this.kernel).run(model, this.x, out, from, to, probs);
  }
}

/**
 * Coded rows (a snapshot shard's stored form) living in a kernel instance's own memory, so every
 * scoring reads them in place, 3 bytes a non-zero, with no copy per scoring. As `ResidentRows`:
 * memory never grows after creation (its views stay valid); models over 4 MiB as Float64 are
 * scored by the copying path instead.
 */
export class ResidentCodedRows {
  /** The rows; their arrays (but the codebook) are views of the kernel's memory. */
  readonly rows: CodedRows;
  private readonly kernel: WasmKernel;

  constructor(module: WebAssembly.Module, c: CodedRows) {
    const nnz = c.indices.length;
    const idxAt = (c.rows + 1) * 4;
    const codesAt = idxAt + nnz * 2;
    const floor = Math.ceil((codesAt + nnz) / 16) * 16;
    const need = floor + MODEL_RESERVE + BOOK_ENTRIES * 8 + CHUNK_ROWS * 4 + 16;
    if (need > 0xffff0000) {
      throw new Error(
        `${c.rows} rows with ${nnz} non-zeros do not fit one kernel memory (4 GiB): split them into shards`,
      );
    }
    this.kernel = new WasmKernel(module, floor);
    this.kernel.k.memory.grow(Math.ceil(need / PAGE));
    const buf = this.kernel.k.memory.buffer;
    const rowPtr = new Int32Array(buf, 0, c.rows + 1);
    const indices = new Uint16Array(buf, idxAt, nnz);
    const codes = new Uint8Array(buf, codesAt, nnz);
    rowPtr.set(c.rowPtr);
    indices.set(c.indices);
    codes.set(c.codes);
    this.rows = { rows: c.rows, rowPtr, indices, codes, codebook: c.codebook.slice() };
  }

  /** Logits of every row, as `WasmKernel.codedLogits`. */
  logits(model: PortableModel, out = new Float32Array(this.rows.rows)): Float32Array {
    if (modelBytes(model) <= MODEL_RESERVE) this.kernel.codedLogits(model, this.rows, out);
    else (wasmKernel() ?? this.kernel).codedLogits(model, this.rows, out);
    return out;
  }

  /** The logistic function in place over logits (this instance's loop, no other memory touched). */
  sigmoidInPlace(values: Float32Array): void {
    this.kernel.sigmoidInPlace(values);
  }
}

/** Coded rows copied once into a new kernel instance's memory; null without WebAssembly. */
export function residentCoded(c: CodedRows): ResidentCodedRows | null {
  const kernel = wasmKernel();
  return kernel ? new ResidentCodedRows(kernel.module, c) : null;
}

/**
 * Copies `x` into a new kernel instance's memory once, so every later scoring of it reads in
 * place (see `ResidentRows`). Null where WebAssembly is unavailable (score `x` itself then).
 *
 * @example
 * const rows = residentCsr(x);
 * const p = rows ? rows.probabilities(model) : scoreCsr(model, x);
 */
export function residentCsr(x: Csr): ResidentRows | null {
  const rows = emptyResidentCsr(x.rows, x.indices.length, x.cols);
  if (!rows) return null;
  rows.x.rowPtr.set(x.rowPtr);
  rows.x.indices.set(x.indices);
  rows.x.values.set(x.values);
  return rows;
}

/** Resident rows of the given shape, zero-filled, for a loader to write into; null without WebAssembly. */
export function emptyResidentCsr(rows: number, nnz: number, cols: number): ResidentRows | null {
  const kernel = wasmKernel();
  return kernel ? new ResidentRows(kernel.module, rows, nnz, cols) : null;
}

/** The error for the first row from `row` on holding a column index outside the model's inputs. */
function badIndex(
  x: { readonly rows: number; readonly rowPtr: Int32Array; readonly indices: ArrayLike<number> },
  row: number,
  inputs: number,
): Error {
  // The logistic loop reports the first row of the pair holding the index: look from there.
  for (let r = row; r < x.rows; r++) {
    for (let p = x.rowPtr[r]!; p < x.rowPtr[r + 1]!; p++) {
      const c = x.indices[p]!;
      if (c < 0 || c >= inputs) {
        return new Error(
          `row ${r} has column index ${c}, outside the model's ${inputs} inputs (0 to ${inputs - 1})`,
        );
      }
    }
  }
  return new Error(`row ${row} has a column index outside the model's ${inputs} inputs (0 to ${inputs - 1})`);
}

/** The module from the embedded bytes; null where the runtime forbids compiling bytes (workerd). */
function compileEmbedded(): WebAssembly.Module | null {
  try {
    const bin = atob(KERNEL_WASM_BASE64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new WebAssembly.Module(bytes);
  } catch {
    return null;
  }
}

let active: WasmKernel | null | undefined;

/**
 * The kernel instance of this thread or isolate, compiled on first use; null when WebAssembly
 * cannot be compiled here and no module was given to `useWasmKernel` (the TypeScript loops then
 * score alone).
 */
export function wasmKernel(): WasmKernel | null {
  if (active === undefined) {
    const mod = compileEmbedded();
    active = mod ? new WasmKernel(mod) : null;
  }
  return active;
}

/**
 * Sets the kernel used by `logitsRange`/`scoreCsr`: a compiled kernel.wasm module (the Worker
 * entry passes its bundled import), null to score with the TypeScript loops only, or nothing to
 * go back to the embedded bytes.
 *
 * @example
 * import kernelModule from '../lookalike/wasm/kernel.wasm';
 * useWasmKernel(kernelModule);
 */
export function useWasmKernel(module?: WebAssembly.Module | null): void {
  active = module === undefined ? undefined : module ? new WasmKernel(module) : null;
}
