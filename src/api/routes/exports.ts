/**
 * Activation routes of the Node server: destinations and their ID forms, and shares, each an
 * adapter over its operation in `ops/exports` (which build releases over the workspace), mounted
 * with the pull routes both runtimes serve (`pulls.ts`).
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  audienceSharesOp,
  DestinationName,
  listDestinationsOp,
  PutDestinationInput,
  parseInput,
  putDestinationOp,
  sharedAudiencesOp,
  shareOp,
  unshareOp,
} from '../../ops/index.ts';
import type { ApiDeps } from '../app-types.ts';
import { allow, need, opContext } from '../ops-adapter.ts';
import { bearer, pick } from '../schemas.ts';
import { DestinationSchema, ReleaseOutcomeSchema } from './audience-schemas.ts';
import { SharedAudienceSchema } from './pull-schemas.ts';
import { listShared, readRoutes } from './pulls.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const nameParam = (name: string, example: string) =>
  z
    .string()
    .regex(NAME, 'use 1-100 letters, digits, "_", "-" or "."')
    .openapi({ param: { name, in: 'path' }, example });
const IdParam = z.object({ id: nameParam('id', 'au_demo_top_segment') });
const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });

const putDestination = createRoute({
  method: 'put',
  path: '/v1/destinations/{name}',
  operationId: 'putDestination',
  tags: ['exports'],
  summary: putDestinationOp.summary,
  description:
    'A change of ID form, platform, purposes or key releases every audience shared with the destination again; ' +
    'its next pull must be a full one. The keyed-ID secret is never shown.',
  security: bearer,
  middleware: allow(putDestinationOp),
  request: {
    params: z.object({ name: nameParam('name', 'meta-jp') }),
    body: { required: true, content: json(PutDestinationInput.omit({ name: true })) },
  },
  responses: {
    200: {
      description: 'The destination, changed; with the releases made again',
      content: json(
        z.object({
          destination: DestinationSchema,
          created: z.boolean(),
          releases: z.array(ReleaseOutcomeSchema),
        }),
      ),
    },
    201: {
      description: 'The new destination',
      content: json(
        z.object({
          destination: DestinationSchema,
          created: z.boolean(),
          releases: z.array(ReleaseOutcomeSchema),
        }),
      ),
    },
    ...pick(400, 401, 403, 413, 415, 422, 429),
  },
});

const listDestinations = createRoute({
  method: 'get',
  path: '/v1/destinations',
  operationId: 'listDestinations',
  tags: ['exports'],
  summary: listDestinationsOp.summary,
  security: bearer,
  middleware: allow(listDestinationsOp),
  responses: {
    200: {
      description: 'Destinations and the ID forms on offer',
      content: json(
        z.object({
          destinations: z.array(DestinationSchema),
          idForms: z.array(z.object({ idForm: z.string(), description: z.string() })),
        }),
      ),
    },
    ...pick(401, 403, 429),
  },
});

const createShare = createRoute({
  method: 'post',
  path: '/v1/audiences/{id}/shares',
  operationId: 'shareAudience',
  tags: ['exports'],
  summary: shareOp.summary,
  description:
    'The destination must be declared (PUT /v1/destinations/{name}). Its first release is made now: 422 when its ' +
    'ID form cannot carry the audience’s IDs or when fewer people than the release minimum are left after consent ' +
    'and identifiers (the message gives every count).',
  security: bearer,
  middleware: allow(shareOp),
  request: {
    params: IdParam,
    body: { required: true, content: json(z.object({ destination: DestinationName }).strict()) },
  },
  responses: {
    200: { description: 'The share (it existed; released again)', content: json(SharedAudienceSchema) },
    201: { description: 'The new share', content: json(SharedAudienceSchema) },
    ...pick(400, 401, 403, 404, 413, 415, 422, 429),
  },
});

const listAudienceShares = createRoute({
  method: 'get',
  path: '/v1/audiences/{id}/shares',
  operationId: 'listAudienceShares',
  tags: ['exports'],
  summary: audienceSharesOp.summary,
  security: bearer,
  middleware: allow(audienceSharesOp),
  request: { params: IdParam },
  responses: {
    200: { description: 'Shares', content: json(z.object({ shares: z.array(SharedAudienceSchema) })) },
    ...pick(401, 403, 404, 429),
  },
});

const removeShare = createRoute({
  method: 'delete',
  path: '/v1/audiences/{id}/shares/{destination}',
  operationId: 'unshareAudience',
  tags: ['exports'],
  summary: unshareOp.summary,
  security: bearer,
  middleware: allow(unshareOp),
  request: { params: IdParam.extend({ destination: nameParam('destination', 'meta-jp') }) },
  responses: { 204: { description: 'Unshared; its releases are deleted' }, ...pick(401, 403, 404, 429) },
});

/**
 * The Node routes: destinations and shares (operations over the workspace, which build releases)
 * and the read routes. Mounted before the other audience routes, so the gate sees every request.
 */
export function exportRoutes(deps: ApiDeps) {
  return readRoutes(deps.audit, () => need(deps.workspace, 'workspace').artifacts, deps.exportMinSize)
    .openapi(putDestination, async (c) => {
      const input = parseInput(putDestinationOp, { ...c.req.valid('json'), name: c.req.valid('param').name });
      const out = await putDestinationOp.run(opContext(c, deps), input);
      return c.json(out, out.created ? 201 : 200);
    })
    .openapi(listDestinations, async (c) => c.json(await listDestinationsOp.run(opContext(c, deps), {}), 200))
    .openapi(createShare, async (c) => {
      const out = await shareOp.run(opContext(c, deps), {
        id: c.req.valid('param').id,
        ...c.req.valid('json'),
      });
      return c.json(out.share, out.created ? 201 : 200);
    })
    .openapi(listAudienceShares, async (c) =>
      c.json(await audienceSharesOp.run(opContext(c, deps), c.req.valid('param')), 200),
    )
    .openapi(removeShare, async (c) => {
      await unshareOp.run(opContext(c, deps), c.req.valid('param'));
      return c.body(null, 204);
    })
    .openapi(listShared, async (c) =>
      c.json(await sharedAudiencesOp.run(opContext(c, deps), c.req.valid('query')), 200),
    );
}
