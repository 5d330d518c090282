/**
 * @module schema
 * Table contracts of the workspace (DESIGN §3) and the error classes every layer throws.
 *
 * @example
 * import { TABLES } from './schema/index.ts';
 * TABLES.transactions.columns.map((c) => c.name); // ['receipt_id', 'member_id', ...]
 */
export { TABLES, TABLE_NAMES, GENDERS, CHANNELS, AGE_BANDS, isTableName } from './tables.ts';
export type { ColumnSpec, ColumnType, RowRule, TableName, TableSpec } from './tables.ts';
export {
  AppError,
  ConflictError,
  ImportFileError,
  InsufficientDataError,
  InvalidInputError,
  NotFoundError,
  assertUnreachable,
  toError,
} from './errors.ts';
export type { ProblemDetails } from './errors.ts';
