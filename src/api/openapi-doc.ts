/**
 * Finishing touches on the OpenAPI document every runtime serves, in one place rather than on
 * every route: the server it was fetched from, an operationId for every operation (routes that
 * set none get one from their method and path), `security: []` on the public operations, and the
 * headers the middleware adds to every `/v1` answer (rate limits, Retry-After, WWW-Authenticate).
 */

interface Header {
  description: string;
  schema: { type: 'string' | 'integer' };
}

interface Response {
  description: string;
  headers?: Record<string, Header>;
  [key: string]: unknown;
}

interface Operation {
  operationId?: string;
  security?: unknown[];
  responses?: Record<string, Response>;
  [key: string]: unknown;
}

export interface OpenApiDocument {
  info: Record<string, unknown>;
  servers?: { url: string; description?: string }[];
  paths?: Record<string, Record<string, Operation>>;
  [key: string]: unknown;
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);

const capital = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** `get /v1/jobs/{id}/events` → `getJobsByIdEvents`. */
export function derivedOperationId(method: string, path: string): string {
  const words = path
    .split('/')
    .filter((part) => part && part !== 'v1')
    .map((part) =>
      part.startsWith('{')
        ? `By${capital(part.slice(1, -1))}`
        : part
            .split(/[^A-Za-z0-9]+/)
            .map(capital)
            .join(''),
    );
  return `${method.toLowerCase()}${words.join('')}`;
}

const RATE_LIMIT: Record<string, Header> = {
  'RateLimit-Limit': { description: 'Requests this key may make per minute', schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Requests left in the current minute', schema: { type: 'integer' } },
};

/**
 * Completes a generated document (see the module comment).
 *
 * @param origin - where the document was fetched from: the `servers` entry.
 */
export function finishDocument<D extends object>(generated: D, origin: string): D {
  const doc = generated as unknown as OpenApiDocument;
  doc.servers = [{ url: origin, description: 'this server' }];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      op.operationId ??= derivedOperationId(method, path);
      // Routes that declare no security are public (health): say so rather than inherit nothing.
      op.security ??= [];
      if (!path.startsWith('/v1/')) continue;
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        const extra: Record<string, Header> = {};
        if (status.startsWith('2') || status === '304') Object.assign(extra, RATE_LIMIT);
        if (status === '429') {
          extra['Retry-After'] = {
            description: 'Seconds to wait before trying again',
            schema: { type: 'integer' },
          };
          extra['RateLimit-Limit'] = RATE_LIMIT['RateLimit-Limit']!;
        }
        if (status === '401')
          extra['WWW-Authenticate'] = {
            description: '`Bearer realm="lookalike"`',
            schema: { type: 'string' },
          };
        if (Object.keys(extra).length) response.headers = { ...extra, ...response.headers };
      }
    }
  }
  return generated;
}
