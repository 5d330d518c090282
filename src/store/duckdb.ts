import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBDoubleVector,
  DuckDBInstance,
  type DuckDBResultReader,
  DuckDBTypeId,
  type DuckDBValue,
  type DuckDBVector,
  dateValue,
  timestampValue,
} from '@duckdb/node-api';

/** A plain JS value as the domain layers see it: bigints become numbers, dates become ISO strings. */
export type SqlValue = string | number | boolean | null | SqlValue[] | { [key: string]: SqlValue };
export type SqlParams =
  | Record<string, string | number | boolean | null>
  | (string | number | boolean | null)[];
export type Row = Record<string, SqlValue>;

/** The query surface shared by the database and an open transaction. */
export interface SqlRunner {
  run(sql: string, params?: SqlParams): Promise<number>;
  rows<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]>;
  columns(sql: string, params?: SqlParams): Promise<ColumnarResult>;
  /** Numeric columns as Float64Array (nulls become NaN), in one pass, for the typed-array layers. */
  numeric(sql: string, params?: SqlParams): Promise<NumericResult>;
  /** Appends column-major values to an existing table (all of its columns, in table order). */
  append(table: string, columns: readonly (readonly SqlValue[])[]): Promise<void>;
}

export interface ColumnarResult {
  names: string[];
  types: string[];
  columns: SqlValue[][];
  rowCount: number;
}

export interface NumericResult {
  names: string[];
  columns: Float64Array[];
  rowCount: number;
}

/**
 * One column of a result chunk as doubles (NULL as NaN). A DOUBLE column with no NULLs is copied
 * straight from the vector's buffer: this is the transfer of every packed feature matrix, and
 * converting value by value costs ten times more than the copy. The buffer is a non-public field
 * of `DuckDBDoubleVector` in the pinned version; when its shape differs, the public per-item path
 * runs instead.
 */
function chunkColumnAsDoubles(vector: DuckDBVector): Float64Array {
  const n = vector.itemCount;
  if (vector instanceof DuckDBDoubleVector) {
    const raw = vector as unknown as { items?: unknown; validity?: { data?: unknown } };
    if (raw.items instanceof Float64Array && raw.items.length === n && raw.validity?.data === null)
      return raw.items.slice();
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = vector.getItem(i);
    out[i] = v === null ? Number.NaN : Number(v);
  }
  return out;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function toPlain(value: unknown, typeId: DuckDBTypeId): SqlValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) {
    const y = value.getUTCFullYear();
    const date = `${pad(y, 4)}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
    if (typeId === DuckDBTypeId.DATE) return date;
    return `${date} ${pad(value.getUTCHours())}:${pad(value.getUTCMinutes())}:${pad(value.getUTCSeconds())}`;
  }
  if (Array.isArray(value)) return value.map((v) => toPlain(v, DuckDBTypeId.ANY));
  if (typeof value === 'object') {
    const out: Record<string, SqlValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlain(v, DuckDBTypeId.ANY);
    return out;
  }
  return value as SqlValue;
}

function bindable(params: SqlParams | undefined): DuckDBValue[] | Record<string, DuckDBValue> | undefined {
  return params as DuckDBValue[] | Record<string, DuckDBValue> | undefined;
}

class Runner implements SqlRunner {
  constructor(protected readonly conn: DuckDBConnection) {}

  async run(sql: string, params?: SqlParams): Promise<number> {
    const result = await this.conn.run(sql, bindable(params));
    return result.rowsChanged;
  }

  async rows<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    const reader = await this.conn.runAndReadAll(sql, bindable(params));
    const types = reader.columnTypes().map((t) => t.typeId);
    const names = reader.deduplicatedColumnNames();
    return reader.getRowsJS().map((raw) => {
      const row: Row = {};
      for (let i = 0; i < names.length; i++) row[names[i]!] = toPlain(raw[i], types[i]!);
      return row as T;
    });
  }

  async columns(sql: string, params?: SqlParams): Promise<ColumnarResult> {
    const reader = await this.conn.runAndReadAll(sql, bindable(params));
    return readColumns(reader);
  }

  async numeric(sql: string, params?: SqlParams): Promise<NumericResult> {
    const result = await this.conn.run(sql, bindable(params));
    const names = result.deduplicatedColumnNames();
    const parts: Float64Array[][] = names.map(() => []);
    let rowCount = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      for (let c = 0; c < names.length; c++) parts[c]!.push(chunkColumnAsDoubles(chunk.getColumnVector(c)));
      rowCount += chunk.rowCount;
    }
    const columns = parts.map((chunks) => {
      const out = new Float64Array(rowCount);
      let offset = 0;
      for (const values of chunks) {
        out.set(values, offset);
        offset += values.length;
      }
      return out;
    });
    return { names, columns, rowCount };
  }

  async append(table: string, columns: readonly (readonly SqlValue[])[]): Promise<void> {
    const described = await this.rows<{ column_type: string }>(`DESCRIBE ${quoteName(table)}`);
    if (described.length !== columns.length) {
      throw new Error(`append to ${table}: got ${columns.length} columns, the table has ${described.length}`);
    }
    const types = described.map((d) => d.column_type);
    const rowCount = columns[0]?.length ?? 0;
    const app = await this.conn.createAppender(table);
    try {
      for (let r = 0; r < rowCount; r++) {
        for (let c = 0; c < types.length; c++) appendValue(app, types[c]!, columns[c]![r] ?? null);
        app.endRow();
      }
      app.flushSync();
    } finally {
      app.closeSync();
    }
  }
}

const quoteName = (name: string) => `"${name.replaceAll('"', '""')}"`;

const DAY_MS = 86_400_000;

/** Appends one value by the column's DuckDB type; dates accept 'YYYY-MM-DD' or epoch milliseconds. */
function appendValue(app: DuckDBAppender, type: string, value: SqlValue): void {
  if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) {
    app.appendNull();
    return;
  }
  switch (type) {
    case 'VARCHAR':
      app.appendVarchar(String(value));
      return;
    case 'DOUBLE':
      app.appendDouble(Number(value));
      return;
    case 'BIGINT':
      app.appendBigInt(BigInt(Math.trunc(Number(value))));
      return;
    case 'INTEGER':
      app.appendInteger(Math.trunc(Number(value)));
      return;
    case 'BOOLEAN':
      app.appendBoolean(value === true || value === 'true');
      return;
    case 'DATE': {
      const ms = typeof value === 'number' ? value : Date.parse(`${String(value)}T00:00:00Z`);
      app.appendDate(dateValue(Math.floor(ms / DAY_MS)));
      return;
    }
    case 'TIMESTAMP': {
      const ms = typeof value === 'number' ? value : Date.parse(`${String(value).replace(' ', 'T')}Z`);
      app.appendTimestamp(timestampValue(BigInt(ms) * 1000n));
      return;
    }
    default:
      app.appendVarchar(typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
}

function readColumns(reader: DuckDBResultReader): ColumnarResult {
  const typeIds = reader.columnTypes().map((t) => t.typeId);
  const raw = reader.getColumnsJS();
  return {
    names: reader.deduplicatedColumnNames(),
    types: reader.columnTypes().map((t) => t.toString()),
    columns: raw.map((col, i) => col.map((v) => toPlain(v, typeIds[i]!))),
    rowCount: reader.currentRowCount,
  };
}

/**
 * The workspace database. One instance per process: DuckDB locks the file, and its own thread
 * pool does the heavy work, so queries never block the event loop.
 */
export class DuckDb extends Runner {
  private constructor(
    private readonly instance: DuckDBInstance,
    conn: DuckDBConnection,
    readonly path: string,
  ) {
    super(conn);
  }

  static async open(path: string, options: { threads?: number; memoryLimit?: string } = {}): Promise<DuckDb> {
    const config: Record<string, string> = {};
    if (options.threads) config.threads = String(options.threads);
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    const instance = await DuckDBInstance.create(path, config);
    const conn = await instance.connect();
    return new DuckDb(instance, conn, path);
  }

  /**
   * Runs `work` inside one transaction on a dedicated connection: everything it writes becomes
   * visible at once on success and disappears on any error.
   */
  async transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    const conn = await this.instance.connect();
    const tx = new Runner(conn);
    await tx.run('BEGIN TRANSACTION');
    try {
      const out = await work(tx);
      await tx.run('COMMIT');
      return out;
    } catch (err) {
      await tx.run('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      conn.closeSync();
    }
  }

  /** A separate connection for long reads that must not share state with other callers. */
  async connect(): Promise<{ runner: SqlRunner; close: () => void }> {
    const conn = await this.instance.connect();
    return { runner: new Runner(conn), close: () => conn.closeSync() };
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
