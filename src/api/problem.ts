import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, type ProblemDetails } from '../schema/index.ts';

const BASE = 'https://lookalike.dev/problems/';

export function problem(
  type: string,
  status: number,
  detail: string,
  extra: Record<string, unknown> = {},
): ProblemDetails {
  return { type: `${BASE}${type}`, title: type.replaceAll('-', ' '), status, detail, ...extra };
}

/** Renders RFC 9457 problem details. */
export function problemResponse(
  c: Context,
  p: ProblemDetails,
  headers: Record<string, string> = {},
): Response {
  return c.body(JSON.stringify(p), p.status as ContentfulStatusCode, {
    'content-type': 'application/problem+json',
    ...headers,
  });
}

/** The app's one error handler: domain errors, HTTP exceptions and the unexpected all leave as problems. */
export function onError(err: Error, c: Context): Response {
  if (err instanceof AppError) return problemResponse(c, err.toProblem());
  if (err instanceof HTTPException) {
    const type =
      err.status === 413
        ? 'payload-too-large'
        : err.status === 415
          ? 'unsupported-media-type'
          : err.status === 401
            ? 'unauthorized'
            : err.status === 400
              ? 'bad-request'
              : 'http-error';
    return problemResponse(c, problem(type, err.status, err.message || 'request failed'));
  }
  console.error(err);
  return problemResponse(
    c,
    problem('internal-error', 500, 'the server failed to handle this request; it has been logged'),
  );
}

export function notFound(c: Context): Response {
  return problemResponse(
    c,
    problem('not-found', 404, `no route for ${c.req.method} ${new URL(c.req.url).pathname}`),
  );
}

interface ZodIssueLike {
  path: PropertyKey[];
  message: string;
  code?: string;
}

/** Validation failures from any route, in one shape: 422 with the first offending field. */
export function validationHook(
  result: { success: boolean; error?: { issues: ZodIssueLike[] }; target?: string },
  c: Context,
): Response | undefined {
  if (result.success) return undefined;
  const issues = result.error?.issues ?? [];
  const first = issues[0];
  const field = first
    ? first.path.map(String).join('.') || (result.target ?? 'body')
    : (result.target ?? 'body');
  const detail = issues
    .map((i) => `${i.path.map(String).join('.') || result.target}: ${i.message}`)
    .join('; ');
  return problemResponse(
    c,
    problem('invalid-input', 422, detail || 'the request is not valid', {
      field,
      errors: issues.map((i) => ({ field: i.path.map(String).join('.'), message: i.message })),
    }),
  );
}
