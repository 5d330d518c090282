/**
 * Named errors shared by every layer. Each carries a stable `type` slug (used as the RFC 9457
 * problem type by the API), an HTTP-like `status`, and where known the offending `field`, so the
 * CLI, the API and jobs all report a failure the same way.
 */

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  field?: string;
  [extra: string]: unknown;
}

export class AppError extends Error {
  override readonly name: string = 'AppError';
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
    readonly field?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  toProblem(): ProblemDetails {
    const problem: ProblemDetails = {
      type: `https://lookalike.dev/problems/${this.type}`,
      title: this.type.replaceAll('-', ' '),
      status: this.status,
      detail: this.message,
      ...this.extra,
    };
    if (this.field !== undefined) problem.field = this.field;
    return problem;
  }
}

/** The caller's input is malformed or violates a documented rule. */
export class InvalidInputError extends AppError {
  override readonly name = 'InvalidInputError';
  constructor(message: string, field?: string, extra: Record<string, unknown> = {}) {
    super('invalid-input', message, 422, field, extra);
  }
}

/** A file that cannot be imported at all: unreadable, wrong table, missing required columns. */
export class ImportFileError extends AppError {
  override readonly name = 'ImportFileError';
  constructor(message: string, field?: string, extra: Record<string, unknown> = {}) {
    super('import-file-rejected', message, 422, field, extra);
  }
}

export class NotFoundError extends AppError {
  override readonly name = 'NotFoundError';
  constructor(what: string, id: string, hint = '') {
    super('not-found', `${what} "${id}" does not exist${hint ? `; ${hint}` : ''}`, 404, undefined, {
      what,
      id,
    });
  }
}

export class ConflictError extends AppError {
  override readonly name = 'ConflictError';
  constructor(message: string, field?: string) {
    super('conflict', message, 409, field);
  }
}

/**
 * Work stopped because it was cancelled (a job cancel, an aborted request, a closed pool). The one
 * cancellation error of every layer: loops check `signal.aborted` and throw it, job queues mark
 * the job cancelled instead of failed.
 */
export class CancelledError extends AppError {
  override readonly name = 'CancelledError';
  constructor(message = 'cancelled') {
    super('cancelled', message, 409);
  }
}

/** Throws `CancelledError` when `signal` is aborted; call at safe points of long loops. */
export function throwIfAborted(signal: AbortSignal | undefined, what = 'the work'): void {
  if (signal?.aborted) throw new CancelledError(`${what} was cancelled`);
}

/**
 * The same bytes were already imported into the same table, and appending them again would add
 * their rows twice. Carries the earlier import so the caller can look it up.
 */
export class RepeatedImportError extends AppError {
  override readonly name = 'RepeatedImportError';
  constructor(message: string, earlier: { importId: string; importedAt: string; sha256: string }) {
    super('repeated-import', message, 409, 'file', { earlier });
  }
}

/**
 * A check the code itself guarantees failed (counts that do not add up, rows that went missing
 * between two statements). Nothing is written when it is thrown: a wrong report is never published.
 */
export class InternalInvariantError extends AppError {
  override readonly name = 'InternalInvariantError';
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super('internal-invariant', message, 500, undefined, extra);
  }
}

/** The workspace does not hold enough data for the requested computation. */
export class InsufficientDataError extends AppError {
  override readonly name = 'InsufficientDataError';
  constructor(message: string, field?: string) {
    super('insufficient-data', message, 422, field);
  }
}

/** Normalises anything thrown into an Error, so jobs and handlers can always report a message. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (typeof thrown === 'string') return new Error(thrown);
  try {
    return new Error(JSON.stringify(thrown));
  } catch {
    return new Error(String(thrown));
  }
}

export function assertUnreachable(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
