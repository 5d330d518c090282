import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { describeIssues, issuePath } from '../ops/parse.ts';
import { AppError, type ProblemDetails } from '../schema/index.ts';
import { localise, prefersJapanese } from './problem-ja.ts';

const BASE = 'https://lookalike.dev/problems/';

export function problem(
  type: string,
  status: number,
  detail: string,
  extra: Record<string, unknown> = {},
): ProblemDetails {
  return { type: `${BASE}${type}`, title: type.replaceAll('-', ' '), status, detail, ...extra };
}

/** Renders RFC 9457 problem details, in Japanese when the request prefers it (`problem-ja.ts`). */
export function problemResponse(
  c: Context,
  p: ProblemDetails,
  headers: Record<string, string> = {},
): Response {
  const japanese = prefersJapanese(c.req.header('accept-language'));
  return c.body(JSON.stringify(localise(p, japanese)), p.status as ContentfulStatusCode, {
    'content-type': 'application/problem+json',
    'content-language': japanese ? 'ja' : 'en',
    vary: 'Accept-Language',
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

/** Validation failures from any route, in one shape: 422 with the first offending field (as `parseInput` words it). */
export function validationHook(
  result: {
    success: boolean;
    error?: { issues: { path: PropertyKey[]; message: string }[] };
    target?: string;
  },
  c: Context,
): Response | undefined {
  if (result.success) return undefined;
  const issues = result.error?.issues ?? [];
  const target = result.target ?? 'body';
  const field = issues[0] ? issuePath(issues[0], target) : target;
  return problemResponse(
    c,
    problem('invalid-input', 422, describeIssues(issues, target) || 'the request is not valid', {
      field,
      errors: issues.map((i) => ({ field: i.path.map(String).join('.'), message: i.message })),
    }),
  );
}
