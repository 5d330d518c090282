/**
 * The audience studio: a static page (Japanese first) served from `studio/` with its chart
 * libraries from node_modules, never a CDN; it calls the same public API with a marketer key.
 * Also the values route its condition pickers read. What the values are and how typed values are
 * read lives in `ops/audiences/conditions.ts`.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { ConditionValuesInput, conditionValuesOp, PreviewInput, previewAudienceOp } from '../../ops/index.ts';
import type { ApiDeps } from '../app-types.ts';
import { allow, opContext, routeGroup } from '../ops-adapter.ts';
import { problem, problemResponse } from '../problem.ts';
import { bearer, pick } from '../schemas.ts';

const Label = z.object({ ja: z.string(), en: z.string() });

const ConditionValuesSchema = z
  .object({
    fields: z.array(
      z.object({
        field: z.string(),
        label: Label,
        values: z.array(z.object({ value: z.string(), label: Label, people: z.number().int() })),
      }),
    ),
  })
  .openapi('ConditionValues');

const values = createRoute({
  method: 'get',
  path: '/v1/condition-values',
  operationId: 'listConditionValues',
  tags: ['audiences'],
  summary: conditionValuesOp.summary,
  description:
    'What a condition picker offers: each value as stored (send it, or its Japanese label, in conditions), ' +
    'its Japanese and English label, and how many third-party profiles hold it.',
  security: bearer,
  middleware: allow(conditionValuesOp),
  request: { query: ConditionValuesInput },
  responses: {
    200: {
      description: 'Values per field',
      content: { 'application/json': { schema: ConditionValuesSchema } },
    },
    ...pick(401, 403, 422, 429),
  },
});

const PreviewSchema = z
  .object({
    modelId: z.string(),
    snapshot: z.string(),
    size: z.number().int(),
    reached: z.boolean(),
    note: z.string(),
    expectedPrecision: z.number(),
    ci: z.tuple([z.number(), z.number()]),
    confidence: z.number(),
    expectedPositives: z.number(),
    lift: z.number().nullable().openapi({
      description:
        'precision over the estimated positive share; null when that share is 0 (nobody outside the seed resembles it)',
    }),
    expectedProfit: z.number().nullable(),
    releasable: z.boolean(),
    sentence: z.object({ ja: z.string(), en: z.string() }),
  })
  .openapi('AudiencePreview');

const preview = createRoute({
  method: 'post',
  path: '/v1/audience-previews',
  operationId: 'previewAudience',
  tags: ['audiences'],
  summary: previewAudienceOp.summary,
  description:
    'Solves a size, minimum-precision or budget target on the model’s frontier, as creating the audience would, ' +
    'and says the result in one sentence (Japanese and English). Nothing is stored.',
  security: bearer,
  middleware: allow(previewAudienceOp),
  request: { body: { required: true, content: { 'application/json': { schema: PreviewInput } } } },
  responses: {
    200: { description: 'The solved target', content: { 'application/json': { schema: PreviewSchema } } },
    ...pick(400, 401, 403, 404, 413, 415, 422, 429),
  },
});

/** Page files under `/studio/`, and the vendored chart libraries under `/studio/vendor/`. */
export const STUDIO_FILES = new Set(['index.html', 'app.js', 'api.js', 'i18n.js', 'charts.js', 'style.css']);
export const STUDIO_VENDOR = new Set(['d3.min.js', 'plot.umd.min.js']);

/** The studio page and its values route. */
export function studioRoutes(deps: ApiDeps) {
  const group = routeGroup()
    .openapi(values, async (c) =>
      c.json(await conditionValuesOp.run(opContext(c, deps), c.req.valid('query')), 200),
    )
    .openapi(preview, async (c) =>
      c.json(await previewAudienceOp.run(opContext(c, deps), c.req.valid('json')), 200),
    );
  const asset = deps.studioAsset;
  if (!asset) return group;
  const send = async (c: Context, file: string, vendor: boolean) => {
    const found = (vendor ? STUDIO_VENDOR : STUDIO_FILES).has(file) ? await asset(file, vendor) : null;
    if (!found) return problemResponse(c, problem('not-found', 404, `no studio file "${file}"`));
    return c.body(found.body as Uint8Array<ArrayBuffer>, 200, {
      'content-type': found.type,
      // The page changes with the server; vendored libraries only with package.json.
      'cache-control': vendor ? 'public, max-age=86400' : 'no-cache',
    });
  };
  group.get('/', (c) => c.redirect('/studio/', 302));
  group.get('/studio', (c) => c.redirect('/studio/', 301));
  group.get('/studio/', (c) => send(c, 'index.html', false));
  group.get('/studio/vendor/:file', (c) => send(c, c.req.param('file'), true));
  group.get('/studio/:file', (c) => send(c, c.req.param('file'), false));
  return group;
}
