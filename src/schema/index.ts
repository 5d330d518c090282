/**
 * @module schema
 * Table contracts of the workspace (DESIGN §3) and the error classes every layer throws.
 *
 * @example
 * import { TABLES } from './schema/index.ts';
 * TABLES.transactions.columns.map((c) => c.name); // ['receipt_id', 'member_id', ...]
 */

export type { ApiKeyRecord, ApiKeyStore, AuditEntry, AuditLog, Role } from './api-keys.ts';
export { ROLES } from './api-keys.ts';
export { csvField } from './csv.ts';
export type { ProblemDetails } from './errors.ts';
export {
  AppError,
  assertUnreachable,
  CancelledError,
  ConflictError,
  ImportFileError,
  InsufficientDataError,
  InternalInvariantError,
  InvalidInputError,
  NotFoundError,
  RepeatedImportError,
  throwIfAborted,
  toError,
} from './errors.ts';
export type { LocalFiles, ProgressFn, TaskRunner, TaskRunOptions, UploadStore } from './ports.ts';
export type { ColumnSpec, ColumnType, ContactFormat, RowRule, TableName, TableSpec } from './tables.ts';
export { AGE_BANDS, CHANNELS, CONTACT_FORMATS, GENDERS, isTableName, TABLE_NAMES, TABLES } from './tables.ts';
