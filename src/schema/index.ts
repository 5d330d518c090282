/**
 * @module schema
 * Table contracts of the workspace (DESIGN §3), the error classes every layer throws, the ports
 * runtimes implement, and SHA-256 (pure JS, so Node and the Worker hash alike).
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
export { fnv1a32 } from './fnv.ts';
export type {
  ByteFiles,
  ByteSink,
  LocalFiles,
  ProgressFn,
  TaskRunner,
  TaskRunOptions,
  UploadStore,
} from './ports.ts';
export { HmacSha256, sha256Hex, sha256HexBytes, sha256HexInto } from './sha256.ts';
export type { ColumnSpec, ColumnType, ContactFormat, RowRule, TableName, TableSpec } from './tables.ts';
export { AGE_BANDS, CHANNELS, CONTACT_FORMATS, GENDERS, isTableName, TABLE_NAMES, TABLES } from './tables.ts';
