/**
 * Model comparison and lifecycle routes (compare, tag, delete, retrain) and the data scientist's
 * pull of a model's scored universe: each an adapter over its operation in `ops/lookalike`.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { EXPORT_FORMATS } from '../../export/index.ts';
import { SELECTION_RULE } from '../../lookalike/index.ts';
import {
  CompareModelsInput,
  compareModelsOp,
  deleteModelOp,
  modelScoresOp,
  parseInput,
  RetrainModelInput,
  retrainModelOp,
  tagModelOp,
} from '../../ops/index.ts';
import type { ApiDeps } from '../app-types.ts';
import { allow, opContext, routeGroup, submitOp } from '../ops-adapter.ts';
import { bearer, JobAccepted, jobView, pathId, pick } from '../schemas.ts';

const IdParam = pathId('lm_demo_top_segment');
const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });

const RULE = `${SELECTION_RULE.text} ${SELECTION_RULE.textJa}`;

const SelectionSchema = z
  .object({
    chosen: z.enum(['logistic', 'mlp']),
    tieThreshold: z.number(),
    rule: z.enum(['only_candidate', 'highest_auc', 'tie_prefers_logistic', 'within_noise_prefers_logistic']),
    reason: z.string(),
    reasonJa: z.string(),
  })
  .openapi('ModelSelection', { description: RULE });

const BacktestRecordSchema = z
  .object({
    id: z.string(),
    createdAt: z.string(),
    cutoff: z.string().optional(),
    window: z.tuple([z.string(), z.string()]).optional(),
    metrics: z.record(z.string(), z.number().nullable()),
  })
  .openapi('ModelBacktestRecord');

const PooledBacktestsSchema = z
  .object({
    share: z.number(),
    cases: z.number().int().openapi({ description: 'backtests recorded with a lift ratio at this share' }),
    pooled: z
      .number()
      .int()
      .openapi({ description: 'backtests pooled (the others have an unbounded or zero-width interval)' }),
    ratio: z.number(),
    ci: z.tuple([z.number(), z.number()]).openapi({ description: '95% interval of the pooled ratio' }),
    q: z.number(),
    df: z.number().int(),
    p: z.number(),
    tau: z.number(),
  })
  .openapi('PooledBacktests');

const ComparedModelSchema = z
  .object({
    id: z.string(),
    createdAt: z.string(),
    universe: z.enum(['third_party', 'members']),
    architecture: z.string(),
    tags: z.array(z.string()),
    retrainedFrom: z.string().nullable(),
    seed: z.object({
      description: z.string(),
      size: z.number(),
      matched: z.number(),
      spec: z.record(z.string(), z.unknown()),
    }),
    negativeSeed: z.object({ description: z.string(), matched: z.number() }).nullable(),
    dataFingerprint: z.string(),
    window: z.object({ asOf: z.string().nullable(), since: z.string().nullable() }),
    params: z.record(z.string(), z.unknown()),
    training: z.record(z.string(), z.number()),
    validation: z.object({
      auc: z.number().nullable(),
      distinctiveness: z.number().nullable(),
      candidates: z.array(
        z.object({
          architecture: z.string(),
          validationAuc: z.number(),
          bestEpoch: z.number(),
          hidden: z.array(z.number()),
          penalty: z
            .object({
              grid: z.array(z.number()),
              c: z.number(),
              folds: z.number().optional(),
              denseMultiplier: z.number().optional(),
            })
            .nullable()
            .openapi({
              description:
                'An exactly fitted logistic candidate (members universe): the inverse penalties tried, the one chosen by cross-validated AUC over `folds` folds, and how many times harder the behavioural (non-item) columns were penalised; null for a candidate trained by gradient descent',
            }),
        }),
      ),
    }),
    calibration: z.object({
      positiveShare: z.number(),
      positiveShareInterval: z.tuple([z.number(), z.number()]),
      confidence: z.number(),
    }),
    backtests: z.array(BacktestRecordSchema),
    selection: SelectionSchema,
    warnings: z.array(z.object({ code: z.string(), message: z.string(), messageJa: z.string().optional() })),
  })
  .openapi('ComparedModel');

const compare = createRoute({
  method: 'post',
  path: '/v1/lookalike-models/compare',
  operationId: 'compareLookalikeModels',
  tags: ['models'],
  summary: compareModelsOp.summary,
  description:
    `Each model's \`selection\` says why it kept its architecture. ${RULE} ` +
    '`differences` lists the fields whose values differ between the models; `comparable` is false when the seeds, ' +
    'universes or windows differ (their validation AUCs then measure different problems).',
  security: bearer,
  middleware: allow(compareModelsOp),
  request: { body: { required: true, content: json(CompareModelsInput) } },
  responses: {
    200: {
      description: 'The models, in the order asked',
      content: json(
        z
          .object({
            models: z.array(ComparedModelSchema),
            differences: z.array(z.string()),
            bestValidationAuc: z.string(),
            comparable: z.boolean(),
            backtestsPooled: z.array(PooledBacktestsSchema).openapi({
              description:
                "The models' backtests read together at each share (1/5/10/20%): our lift over the logistic baseline's, " +
                'pooled over the backtests recorded with a bounded bootstrap interval (DerSimonian-Laird random effects, ' +
                'geometric). `q`, `df` and `p` test whether the backtests differ by more than their own noise; `tau` is the ' +
                'between-backtest spread of the log ratio. A share appears once two backtests can be pooled.',
            }),
            selectionRule: z.object({ tieThreshold: z.number(), text: z.string(), textJa: z.string() }),
          })
          .openapi('ModelComparison'),
      ),
    },
    ...pick(400, 401, 403, 404, 413, 415, 422, 429),
  },
});

const tag = createRoute({
  method: 'post',
  path: '/v1/lookalike-models/{id}/tags',
  operationId: 'tagLookalikeModel',
  tags: ['models'],
  summary: tagModelOp.summary,
  description:
    'Tags are 1-40 letters (any script), digits, "_", ".", ":" or "-". Removing an absent tag is not an error.',
  security: bearer,
  middleware: allow(tagModelOp),
  request: {
    params: IdParam,
    body: {
      required: true,
      content: json(
        z
          .object({
            add: z.array(z.string()).max(50).optional(),
            remove: z.array(z.string()).max(50).optional(),
          })
          .strict()
          .openapi('TagModelChanges'),
      ),
    },
  },
  responses: {
    200: {
      description: 'The model’s tags after the change',
      content: json(z.object({ id: z.string(), tags: z.array(z.string()) }).openapi('ModelTags')),
    },
    ...pick(400, 401, 403, 404, 413, 415, 422, 429),
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/lookalike-models/{id}',
  operationId: 'deleteLookalikeModel',
  tags: ['models'],
  summary: deleteModelOp.summary,
  description:
    'The artifact is removed as one unit: readers see the whole model or none of it. While audiences are defined ' +
    'on the model, or queued or running jobs use it, the answer is 409 with their ids in `audiences` and `jobs`. ' +
    'Audience revisions already made from the model keep their members and stay pullable.',
  security: bearer,
  middleware: allow(deleteModelOp),
  request: { params: IdParam },
  responses: {
    200: {
      description: 'Deleted',
      content: json(
        z
          .object({ id: z.string(), deleted: z.literal(true), files: z.number().int() })
          .openapi('DeletedModel'),
      ),
    },
    ...pick(401, 403, 404, 409, 429),
  },
});

const retrain = createRoute({
  method: 'post',
  path: '/v1/lookalike-models/{id}/retrain',
  operationId: 'retrainLookalikeModel',
  tags: ['models'],
  summary: `${retrainModelOp.summary} (runs as a job)`,
  description:
    'The new model has the source’s seed, negative seed, universe, exclusions, sample sizes and candidate ' +
    'architectures, trained on the data in the workspace now (or as of `asOf`); its catalogue entry names the ' +
    'source in `retrainedFrom`. Send `{}` to retrain as stored. The job result carries the new `modelId`.',
  security: bearer,
  middleware: allow(retrainModelOp),
  request: {
    params: IdParam,
    body: {
      required: true,
      content: json(RetrainModelInput.omit({ id: true }).openapi('RetrainModelChanges')),
    },
  },
  responses: { ...JobAccepted, ...pick(400, 401, 403, 404, 409, 413, 415, 422, 429) },
});

const header = (description: string) => ({ description, schema: { type: 'string' as const } });

const scores = createRoute({
  method: 'get',
  path: '/v1/lookalike-models/{id}/scores',
  operationId: 'pullLookalikeModelScores',
  tags: ['models'],
  summary: modelScoresOp.summary,
  description:
    'For data scientists: the model’s whole scored universe (after its exclusions), or its top `limit`, with ' +
    'columns id, score (0-1, the sigmoid of the logit, as audiences store it) and rank (1 = best), best first, ' +
    'without creating an audience or a share. CSV cells a spreadsheet would run as a formula are quoted and ' +
    'prefixed with a single quote, as in every export; NDJSON and Arrow carry IDs byte for byte.',
  security: bearer,
  middleware: allow(modelScoresOp),
  request: {
    params: IdParam,
    query: z.object({
      format: z.enum(EXPORT_FORMATS).default('csv'),
      limit: z.coerce
        .number()
        .int()
        .min(1)
        .max(100_000_000)
        .optional()
        .openapi({ description: 'only the top of the ranking' }),
    }),
  },
  responses: {
    200: {
      description: 'The scored rows, streamed',
      headers: {
        'X-Total-Count': header('Rows in this pull'),
        'X-Universe-Size': header('Rows of the scored universe'),
        'X-Snapshot': header('Hash of the data, model and exclusions behind the ranking'),
      },
      content: {
        'text/csv; charset=utf-8': { schema: z.string() },
        'application/x-ndjson': { schema: z.string() },
        'application/vnd.apache.arrow.stream': { schema: z.string().openapi({ format: 'binary' }) },
      },
    },
    ...pick(401, 403, 404, 422, 429),
  },
});

/** Model comparison, tags, deletion, retraining and score pulls (mounted before `modelRoutes`). */
export function modelLifecycleRoutes(deps: ApiDeps) {
  return routeGroup()
    .openapi(compare, async (c) =>
      c.json(await compareModelsOp.run(opContext(c, deps), c.req.valid('json')), 200),
    )
    .openapi(tag, async (c) => {
      const body = c.req.valid('json');
      const input = parseInput(tagModelOp, { ...body, id: c.req.valid('param').id });
      return c.json(await tagModelOp.run(opContext(c, deps), input), 200);
    })
    .openapi(remove, async (c) =>
      c.json(await deleteModelOp.run(opContext(c, deps), c.req.valid('param')), 200),
    )
    .openapi(retrain, async (c) => {
      const input = parseInput(retrainModelOp, { ...c.req.valid('json'), id: c.req.valid('param').id });
      const job = await submitOp(c, deps, retrainModelOp, input);
      return c.json(jobView(job), 202, { location: `/v1/jobs/${job.id}` });
    })
    .openapi(scores, async (c) => {
      const q = c.req.valid('query');
      const input = parseInput(modelScoresOp, { ...q, id: c.req.valid('param').id });
      const r = await modelScoresOp.run(opContext(c, deps), input);
      return c.body(r.body, 200, {
        'content-type': r.contentType,
        'x-total-count': String(r.rows),
        'x-universe-size': String(r.universeSize),
        'x-snapshot': r.snapshot,
        'cache-control': 'private, no-cache',
      });
    });
}
