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
