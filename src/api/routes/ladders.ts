/**
 * Growth-ladder routes: each an adapter over its operation in `ops/ladders`. Purchase ladders (CPM,
 * movements, RFM, deciles) are computed on request; the engagement ladder is built as a job and
 * read back; any class resolves to member IDs for lookalike seeds and exclusions.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { CPM_CLASSES, ENGAGEMENT_INDICES, ENGAGEMENT_STATUSES, MOVEMENT_KINDS } from '../../ladders/index.ts';
import {
  buildEngagementOp,
  CpmInput,
  cpmMovementsOp,
  cpmOp,
  DecileInput,
  decilesOp,
  EngagementInput,
  engagementStatusOp,
  engagementTransitionsOp,
  getEngagementOp,
  LadderMembersInput,
  ladderMembersOp,
  listEngagementOp,
  MovementsInput,
  RfmInput,
  rfmOp,
  taxonomyOp,
} from '../../ops/index.ts';
import type { ApiDeps } from '../app-types.ts';
import { allow, opContext, routeGroup, submitOp } from '../ops-adapter.ts';
import { bearer, Day, JobAccepted, jobView, pathId, pick } from '../schemas.ts';

const Label = z.object({ ja: z.string(), en: z.string() });
const Source = z.enum(['user', 'published', 'data']);
const threshold = <T extends z.ZodType>(value: T) => z.object({ value, source: Source, explanation: Label });
const CpmThresholds = z
  .object({
    lapseDays: threshold(z.number()),
    tenureDays: threshold(z.tuple([z.number(), z.number()])),
    spend: threshold(z.number()),
  })
  .openapi('CpmThresholdsResolved');
const ClassId = z.enum(CPM_CLASSES as [string, ...string[]]);
const Band = z.enum(['low', 'mid', 'high']);
const GridAction = z.enum(['activate', 'repeat_items', 'cross_category', 'repeat_and_cross', 'retain']);

const CpmResponse = z
  .object({
    asOf: z.string(),
    customers: z.number().int(),
    thresholds: CpmThresholds,
    classes: z.array(
      z.object({
        id: ClassId,
        ja: z.string(),
        en: z.string(),
        members: z.number().int(),
        memberShare: z.number(),
        sales: z.number(),
        salesShare: z.number(),
        avgSpend: z.number(),
        avgPurchases: z.number(),
        avgTenureDays: z.number(),
        avgRecencyDays: z.number(),
        playbook: Label,
      }),
    ),
    grid: z.object({
      frequencyCuts: z.array(z.number()),
      breadthCuts: z.array(z.number()),
      byClass: z.array(
        z.object({
          id: ClassId,
          ja: z.string(),
          en: z.string(),
          members: z.number().int(),
          mainAction: z
            .object({ action: GridAction, ja: z.string(), en: z.string(), share: z.number() })
            .nullable(),
          cells: z.array(
            z.object({
              frequencyBand: Band,
              breadthBand: Band,
              action: GridAction,
              members: z.number().int(),
              share: z.number(),
            }),
          ),
        }),
      ),
    }),
  })
  .openapi('CpmClasses');

const ClassOrNone = z.enum(['none', ...CPM_CLASSES] as [string, ...string[]]);
const MovementResponse = z
  .object({
    from: z.string(),
    to: z.string(),
    thresholds: CpmThresholds,
    classes: z.array(z.object({ id: ClassOrNone, ja: z.string(), en: z.string() })),
    cells: z.array(
      z.object({
        from: ClassOrNone,
        to: ClassOrNone,
        members: z.number().int(),
        share: z.number(),
        kind: z.enum(MOVEMENT_KINDS as [string, ...string[]]),
      }),
    ),
    totals: z.array(
      z.object({
        kind: z.enum(MOVEMENT_KINDS as [string, ...string[]]),
        ja: z.string(),
        en: z.string(),
        members: z.number().int(),
      }),
    ),
    members: z.number().int(),
  })
  .openapi('CpmMovements');

const RfmCuts = z.object({ cuts: z.array(z.number()), source: Source });
const RfmResponse = z
  .object({
    asOf: z.string(),
    since: z.string().nullable(),
    customers: z.number().int(),
    cuts: z.object({ r: RfmCuts, f: RfmCuts, m: RfmCuts }),
    distribution: z.object({ r: z.array(z.number()), f: z.array(z.number()), m: z.array(z.number()) }),
    cells: z.array(
      z.object({
        r: z.number().int(),
        f: z.number().int(),
        m: z.number().int(),
        score: z.string(),
        members: z.number().int(),
        salesShare: z.number(),
      }),
    ),
    rf: z.array(
      z.object({ r: z.number().int(), f: z.number().int(), members: z.number().int(), avgSpend: z.number() }),
    ),
  })
  .openapi('RfmRanks');

const DecileResponse = z
  .object({
    asOf: z.string(),
    since: z.string().nullable(),
    customers: z.number().int(),
    totalSales: z.number(),
    deciles: z.array(
      z.object({
        decile: z.number().int(),
        members: z.number().int(),
        sales: z.number(),
        salesShare: z.number(),
        cumulativeShare: z.number(),
        minSpend: z.number(),
        maxSpend: z.number(),
        avgSpend: z.number(),
        avgPurchases: z.number(),
      }),
    ),
  })
  .openapi('DecileAnalysis');

const MembersResponse = z
  .object({
    asOf: z.string(),
    description: Label,
    members: z.number().int(),
    thirdParty: z.number().int(),
    memberIds: z.array(z.string()),
    thirdPartyIds: z.array(z.string()),
  })
  .openapi('LadderMembers');

const Status = z.enum(ENGAGEMENT_STATUSES as [string, ...string[]]);
const Thresholds = z.object(
  Object.fromEntries(ENGAGEMENT_INDICES.map((i) => [i, z.number().int()])) as Record<
    (typeof ENGAGEMENT_INDICES)[number],
    z.ZodNumber
  >,
);
const StatusShare = z.object({
  status: Status,
  ja: z.string(),
  en: z.string(),
  members: z.number().int(),
  share: z.number(),
});
const Candidate = z.object({
  event: z.string(),
  kind: z.enum(['own', 'received']),
  label: Label,
  hits: z.number(),
  support: z.number(),
  baseline: z.number(),
  lift: z.number(),
  trigger: z.boolean(),
});
const TaxonomySchema = z
  .object({
    version: z.string(),
    description: z.string().optional(),
    indices: z.record(z.string(), Label.extend({ description: Label, nudge: Label })),
    places: z.record(z.string(), Label),
    actionTypes: z.record(z.string(), Label),
    targetKinds: z.record(z.string(), Label),
    receivedTargetKinds: z.array(z.string()),
    rules: z.array(
      z.object({
        place: z.string(),
        actionType: z.string(),
        targetKind: z.string(),
        index: z.string().nullable(),
        substantive: z.object({ otherwise: z.string().nullable() }).optional(),
      }),
    ),
  })
  .openapi('EngagementTaxonomyResolved');

const EngagementSummary = z.object({
  id: z.string(),
  createdAt: z.string(),
  asOf: z.string(),
  windowDays: z.number().int(),
  population: z.number().int(),
  thresholds: Thresholds,
  taxonomyVersion: z.string(),
});

const EngagementManifest = z
  .object({
    kind: z.literal('engagement-ladder'),
    version: z.number().int(),
    id: z.string(),
    createdAt: z.string(),
    asOf: z.string(),
    windowDays: z.number().int(),
    taxonomy: TaxonomySchema,
    thresholds: Thresholds,
    simulation: z.object({
      population: z.number().int(),
      windowDays: z.number().int(),
      choices: z.array(
        z.object({
          index: z.enum(ENGAGEMENT_INDICES),
          ja: z.string(),
          en: z.string(),
          threshold: z.number().int(),
          source: z.enum(['user', 'simulation']),
          separation: z.number().nullable(),
          withAny: z.number().int(),
          explanation: Label,
          sweep: z.array(
            z.object({
              threshold: z.number().int(),
              passing: z.number().int(),
              separation: z.number().nullable(),
              distribution: z.array(StatusShare),
            }),
          ),
        }),
      ),
      localGrid: z.array(
        z.object({
          thresholds: z.array(z.number().int()),
          distribution: z.array(z.object({ status: Status, share: z.number() })),
        }),
      ),
    }),
    status: z.object({ population: z.number().int(), distribution: z.array(StatusShare) }),
    routes: z.object({
      onLadder: z.number().int(),
      successful: z.number().int(),
      conversion: z.number(),
      routes: z.array(
        z.object({
          statuses: z.array(z.enum(ENGAGEMENT_INDICES)),
          key: z.string(),
          label: Label,
          members: z.number().int(),
          support: z.number(),
          walkers: z.number().int(),
          conversion: z.number(),
          lift: z.number(),
          medianDays: z.number().nullable(),
        }),
      ),
    }),
    triggers: z.object({
      options: z.object({
        lookbackDays: z.number(),
        minSupport: z.number(),
        minLift: z.number(),
        minMovers: z.number(),
      }),
      minedFrom: z.string().nullable(),
      steps: z.array(
        z.object({
          from: Status,
          to: Status,
          label: Label,
          movers: z.number().int(),
          mined: z.number().int(),
          controls: z.number().int(),
          candidates: z.array(Candidate),
          triggers: z.array(Candidate),
        }),
      ),
    }),
    nudges: z.array(
      z.object({
        status: Status,
        ja: z.string(),
        en: z.string(),
        next: Status.nullable(),
        nudge: Label,
        evidence: z
          .object({ event: z.string(), label: Label, support: z.number(), lift: z.number(), text: Label })
          .nullable(),
      }),
    ),
    data: z.object({
      actions: z.number().int(),
      actors: z.number().int(),
      members: z.number().int(),
      thirdParty: z.number().int(),
      firstDay: z.string().nullable(),
      texts: z.object({
        judged: z.number().int(),
        substantive: z.number().int(),
        notSubstantive: z.number().int(),
        classifiedNow: z.number().int(),
        classifier: z.string(),
      }),
      unclassified: z.array(
        z.object({
          place: z.string(),
          actionType: z.string(),
          targetKind: z.string(),
          actions: z.number().int(),
        }),
      ),
    }),
    seconds: z.number(),
  })
  .openapi('EngagementLadder');

const StatusOnDay = z
  .object({
    ladderId: z.string(),
    asOf: z.string(),
    population: z.number().int(),
    distribution: z.array(StatusShare),
  })
  .openapi('EngagementStatusOnDay');

const FromStatus = z.enum(['new', ...ENGAGEMENT_STATUSES] as [string, ...string[]]);
const Transitions = z
  .object({
    ladderId: z.string(),
    from: z.string(),
    to: z.string(),
    statuses: z.array(z.object({ status: FromStatus, ja: z.string(), en: z.string() })),
    cells: z.array(
      z.object({
        from: FromStatus,
        to: Status,
        members: z.number().int(),
        share: z.number(),
        kind: z.enum(['up', 'down', 'stayed', 'new']),
      }),
    ),
    totals: z.object({
      up: z.number().int(),
      down: z.number().int(),
      stayed: z.number().int(),
      new: z.number().int(),
    }),
  })
  .openapi('EngagementTransitions');

const json = <T extends z.ZodType>(schema: T) => ({
  body: { required: true, content: { 'application/json': { schema } } },
});
const ok = <T extends z.ZodType>(description: string, schema: T) => ({
  200: { description, content: { 'application/json': { schema } } },
});
const IdParam = pathId('eng_20261001_030000_ab12cd');

const cpm = createRoute({
  method: 'post',
  path: '/v1/ladders/cpm',
  tags: ['ladders'],
  summary: cpmOp.summary,
  description:
    'CPM as Japanese CRM practice uses it: one purchase is 初回; tenure (first to last purchase) under 90 days is ' +
    'よちよち; spend under the threshold is コツコツ; tenure under 210 days is 流行; else 優良; 離脱 after 240 days ' +
    'without a purchase. Each threshold may be given, "auto" (read from the data) or left to the convention; ' +
    'the response says which, and why.',
  security: bearer,
  middleware: allow(cpmOp),
  request: json(CpmInput),
  responses: {
    ...ok('Classes, thresholds and grid actions', CpmResponse),
    ...pick(400, 401, 403, 413, 415, 422, 429),
  },
});

const movements = createRoute({
  method: 'post',
  path: '/v1/ladders/cpm/movements',
  tags: ['ladders'],
  summary: cpmMovementsOp.summary,
  security: bearer,
  middleware: allow(cpmMovementsOp),
  request: json(MovementsInput),
  responses: { ...ok('The movement matrix', MovementResponse), ...pick(400, 401, 403, 413, 415, 422, 429) },
});

const rfm = createRoute({
  method: 'post',
  path: '/v1/ladders/rfm',
  tags: ['ladders'],
  summary: rfmOp.summary,
  security: bearer,
  middleware: allow(rfmOp),
  request: json(RfmInput),
  responses: {
    ...ok('Cut points, rank distributions and cells', RfmResponse),
    ...pick(400, 401, 403, 413, 415, 422, 429),
  },
});

const deciles = createRoute({
  method: 'post',
  path: '/v1/ladders/deciles',
  tags: ['ladders'],
  summary: decilesOp.summary,
  security: bearer,
  middleware: allow(decilesOp),
  request: json(DecileInput),
  responses: { ...ok('Ten deciles', DecileResponse), ...pick(400, 401, 403, 413, 415, 422, 429) },
});

const members = createRoute({
  method: 'post',
  path: '/v1/ladders/members',
  tags: ['ladders'],
  summary: ladderMembersOp.summary,
  description:
    'Feed `memberIds` to `POST /v1/lookalike-models` as a `members` seed, or as `exclusions.ids` in the members ' +
    'universe; `thirdPartyIds` (linked through id_links) as `exclusions.ids` in the third-party universe.',
  security: bearer,
  middleware: allow(ladderMembersOp),
  request: json(LadderMembersInput),
  responses: { ...ok('The class as IDs', MembersResponse), ...pick(400, 401, 403, 404, 413, 415, 422, 429) },
});

const build = createRoute({
  method: 'post',
  path: '/v1/ladders/engagement',
  tags: ['ladders'],
  summary: buildEngagementOp.summary,
  description:
    'Classifies answer and review texts (substantive or not), simulates the status distribution over threshold ' +
    'grids and chooses the thresholds not given, mines routes to 貢献度 and the triggers of each step. The job ' +
    'result names the new ladder.',
  security: bearer,
  middleware: allow(buildEngagementOp),
  request: json(EngagementInput),
  responses: { ...JobAccepted, ...pick(400, 401, 403, 413, 415, 422, 429) },
});

const list = createRoute({
  method: 'get',
  path: '/v1/ladders/engagement',
  tags: ['ladders'],
  summary: listEngagementOp.summary,
  security: bearer,
  middleware: allow(listEngagementOp),
  responses: {
    ...ok('Summaries', z.object({ ladders: z.array(EngagementSummary) })),
    ...pick(401, 403, 429),
  },
});

const get = createRoute({
  method: 'get',
  path: '/v1/ladders/engagement/{id}',
  tags: ['ladders'],
  summary: getEngagementOp.summary,
  security: bearer,
  middleware: allow(getEngagementOp),
  request: { params: IdParam },
  responses: { ...ok('The ladder', EngagementManifest), ...pick(401, 403, 404, 429) },
});

const status = createRoute({
  method: 'get',
  path: '/v1/ladders/engagement/{id}/status',
  tags: ['ladders'],
  summary: engagementStatusOp.summary,
  security: bearer,
  middleware: allow(engagementStatusOp),
  request: { params: IdParam, query: z.object({ asOf: Day }) },
  responses: { ...ok('Members per status', StatusOnDay), ...pick(401, 403, 404, 422, 429) },
});

const transitions = createRoute({
  method: 'get',
  path: '/v1/ladders/engagement/{id}/transitions',
  tags: ['ladders'],
  summary: engagementTransitionsOp.summary,
  security: bearer,
  middleware: allow(engagementTransitionsOp),
  request: { params: IdParam, query: z.object({ from: Day, to: Day }) },
  responses: { ...ok('The transition matrix', Transitions), ...pick(401, 403, 404, 422, 429) },
});

const taxonomy = createRoute({
  method: 'get',
  path: '/v1/ladders/taxonomy',
  tags: ['ladders'],
  summary: taxonomyOp.summary,
  security: bearer,
  middleware: allow(taxonomyOp),
  responses: { ...ok('The taxonomy', TaxonomySchema), ...pick(401, 403, 429) },
});

/** Ladder routes: each an adapter over its operation in `ops/ladders`. */
export function ladderRoutes(deps: ApiDeps) {
  return routeGroup()
    .openapi(cpm, async (c) => c.json(await cpmOp.run(opContext(c, deps), c.req.valid('json')), 200))
    .openapi(movements, async (c) =>
      c.json(await cpmMovementsOp.run(opContext(c, deps), c.req.valid('json')), 200),
    )
    .openapi(rfm, async (c) => c.json(await rfmOp.run(opContext(c, deps), c.req.valid('json')), 200))
    .openapi(deciles, async (c) => c.json(await decilesOp.run(opContext(c, deps), c.req.valid('json')), 200))
    .openapi(members, async (c) =>
      c.json(await ladderMembersOp.run(opContext(c, deps), c.req.valid('json')), 200),
    )
    .openapi(build, async (c) => {
      const job = await submitOp(c, deps, buildEngagementOp, c.req.valid('json'));
      return c.json(jobView(job), 202, { location: `/v1/jobs/${job.id}` });
    })
    .openapi(list, async (c) => c.json(await listEngagementOp.run(opContext(c, deps), {}), 200))
    .openapi(get, async (c) =>
      c.json(await getEngagementOp.run(opContext(c, deps), c.req.valid('param')), 200),
    )
    .openapi(status, async (c) =>
      c.json(
        await engagementStatusOp.run(opContext(c, deps), {
          ...c.req.valid('param'),
          ...c.req.valid('query'),
        }),
        200,
      ),
    )
    .openapi(transitions, async (c) =>
      c.json(
        await engagementTransitionsOp.run(opContext(c, deps), {
          ...c.req.valid('param'),
          ...c.req.valid('query'),
        }),
        200,
      ),
    )
    .openapi(taxonomy, async (c) => c.json(await taxonomyOp.run(opContext(c, deps), {}), 200));
}
