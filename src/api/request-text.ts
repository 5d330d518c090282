/**
 * Text hygiene at the edge, for every route: a URL whose percent-encoding does not decode is a
 * 400, and the NUL character (U+0000) is refused in paths, query values and JSON bodies with a
 * 422 naming the field. NUL has no meaning in any of our text (IDs, product names, conditions,
 * dates) and C-string APIs below us cut text at it, so it is rejected before it reaches them.
 */
import type { MiddlewareHandler } from 'hono';
import type { ApiEnv } from './auth.ts';
import { problem, problemResponse } from './problem.ts';

const NUL = '\u0000';

function badEncoding(path: string): string | null {
  for (const segment of path.split('/')) {
    try {
      decodeURIComponent(segment);
    } catch {
      return segment;
    }
  }
  return null;
}

/**
 * The JSON path of the first string (or key) holding NUL, like `seed.memberIds.3`; null if none.
 * Iterative: a hostile body may nest thousands of levels deep.
 */
export function findNul(value: unknown): string | null {
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes(NUL)) return path.join('.') || '(body)';
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: [...path, String(i)] });
    } else if (v && typeof v === 'object') {
      const entries = Object.entries(v);
      for (const [key] of entries)
        if (key.includes(NUL)) return [...path, key.replaceAll(NUL, '\\u0000')].join('.');
      for (let i = entries.length - 1; i >= 0; i--)
        stack.push({ value: entries[i]![1], path: [...path, entries[i]![0]] });
    }
  }
  return null;
}

const nulProblem = (field: string) =>
  problem('invalid-input', 422, `${field}: text may not contain the NUL character (U+0000)`, { field });

/** 400 for undecodable percent-encoding, 422 for NUL in the path or a query value. */
export function wellFormedUrl(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const url = new URL(c.req.url);
    const bad = badEncoding(url.pathname);
    if (bad !== null) {
      return problemResponse(
        c,
        problem(
          'bad-request',
          400,
          `the URL path has malformed percent-encoding in "${bad}": write each byte of the UTF-8 text as %XX`,
        ),
      );
    }
    if (decodeURIComponent(url.pathname).includes(NUL)) return problemResponse(c, nulProblem('path'));
    for (const [name, value] of url.searchParams) {
      if (name.includes(NUL) || value.includes(NUL)) return problemResponse(c, nulProblem(`query.${name}`));
    }
    return next();
  };
}

/** 422 for NUL in any string of a JSON body (the body is parsed once; routes reuse the parse). */
export function noNulInJson(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const type = c.req.header('content-type') ?? '';
    if (c.req.method === 'GET' || !/^application\/(.+\+)?json/i.test(type)) return next();
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return next(); // malformed JSON: the route's validator answers it
    }
    const field = findNul(body);
    return field === null ? next() : problemResponse(c, nulProblem(field));
  };
}
