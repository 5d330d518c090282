import * as arrow from 'apache-arrow';
import type { SqlRunner, SqlValue } from './duckdb.ts';

const DAY_MS = 86_400_000;

function arrowType(duckType: string): arrow.DataType {
  if (duckType === 'DOUBLE' || duckType === 'FLOAT' || duckType.startsWith('DECIMAL'))
    return new arrow.Float64();
  if (duckType === 'BIGINT' || duckType === 'INTEGER' || duckType === 'HUGEINT' || duckType === 'SMALLINT') {
    // Float64 rather than Int64: counts and ids fit in 2^53, and arquero and the typed-array
    // layers read plain numbers, not bigints.
    return new arrow.Float64();
  }
  if (duckType === 'BOOLEAN') return new arrow.Bool();
  if (duckType === 'DATE') return new arrow.DateDay();
  if (duckType.startsWith('TIMESTAMP')) return new arrow.TimestampMillisecond();
  return new arrow.Utf8();
}

function arrowValue(type: arrow.DataType, value: SqlValue): unknown {
  if (value === null) return null;
  if (type instanceof arrow.DateDay) return Date.parse(`${String(value)}T00:00:00Z`);
  if (type instanceof arrow.TimestampMillisecond) return Date.parse(`${String(value).replace(' ', 'T')}Z`);
  if (type instanceof arrow.Utf8 && typeof value !== 'string') return JSON.stringify(value);
  return value;
}

/**
 * Runs a query and returns the result as an apache-arrow Table, the in-memory form the
 * features and enrich layers work on (arquero reads it with `fromArrow`).
 */
export async function queryArrow(db: SqlRunner, sql: string): Promise<arrow.Table> {
  const result = await db.columns(sql);
  const vectors: Record<string, arrow.Vector> = {};
  result.names.forEach((name, i) => {
    const type = arrowType(result.types[i]!);
    const values = result.columns[i]!.map((v) => arrowValue(type, v));
    vectors[name] = arrow.vectorFromArray(values, type);
  });
  if (result.names.length === 0) return new arrow.Table();
  return new arrow.Table(vectors);
}

/** Converts an Arrow column value back to the plain form `SqlRunner.append` takes. */
function plainValue(type: arrow.DataType, value: unknown): SqlValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (type instanceof arrow.DateDay || type instanceof arrow.DateMillisecond) {
    return new Date(Math.floor(Number(value) / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
  }
  if (arrow.DataType.isTimestamp(type)) {
    return new Date(Number(value)).toISOString().slice(0, 19).replace('T', ' ');
  }
  if (value instanceof Date) return value.toISOString().slice(0, 19).replace('T', ' ');
  return value as SqlValue;
}

/**
 * Appends an Arrow table to a workspace table whose columns it names. Columns the Arrow table
 * lacks are written as null; this is for trusted in-memory results (untrusted files go through
 * ingest, which validates).
 */
export async function appendArrow(db: SqlRunner, table: string, data: arrow.Table): Promise<void> {
  const described = await db.rows<{ column_name: string }>(`DESCRIBE "${table.replaceAll('"', '""')}"`);
  const columns = described.map(({ column_name }) => {
    const child = data.getChild(column_name);
    if (!child) return new Array<SqlValue>(data.numRows).fill(null);
    const out = new Array<SqlValue>(data.numRows);
    for (let i = 0; i < data.numRows; i++) out[i] = plainValue(child.type, child.get(i));
    return out;
  });
  await db.append(table, columns);
}
