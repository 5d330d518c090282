import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import { DOMAIN_JOBS } from '../../jobs/index.ts';
import {
  classifyTexts,
  codePointLength,
  DEFAULT_CORPUS_DIR,
  listThemes,
  loadNeedClassifier,
  loadTheme,
  MAX_BATCH_TEXTS,
  MAX_TEXT_CHARS,
  type NeedClassifier,
  needMixBySegment,
} from '../../needs/index.ts';
import { NotFoundError } from '../../schema/index.ts';
import { loadSegmentation } from '../../segment/index.ts';
import { quoteIdent, type Workspace } from '../../store/index.ts';
import type { ApiApp, ApiDeps, NeedsDeps } from '../app-types.ts';
import { requireRole } from '../auth.ts';
import { bearer, JobAccepted, jsonLimit, pick } from '../schemas.ts';

/** A theme id that exists; the message of an unknown one lists the themes. */
const ThemeId = z
  .string()
  .min(1)
  .max(100)
  .superRefine((theme, ctx) => {
    const themes = listThemes();
    if (!themes.includes(theme))
      ctx.addIssue({ code: 'custom', message: `unknown theme "${theme}"; themes are ${themes.join(', ')}` });
  })
  .openapi({ example: 'convection_oven' });

const Text = z.string().superRefine((text, ctx) => {
  if (text.trim() === '')
    ctx.addIssue({ code: 'custom', message: 'the text is empty: there is nothing to classify' });
  const length = codePointLength(text);
  if (length > MAX_TEXT_CHARS)
    ctx.addIssue({
      code: 'custom',
      message: `the text is ${length} characters long; the limit is ${MAX_TEXT_CHARS} characters per text`,
    });
});

export const ClassifyRequest = z
  .object({
    texts: z
      .array(Text)
      .min(1, 'texts is empty: give at least one text')
      .max(MAX_BATCH_TEXTS, `at most ${MAX_BATCH_TEXTS} texts per call`)
      .openapi({ example: ['唐揚げはイマイチだけど、パンはふっくら焼けて良かった'] }),
    theme: ThemeId,
  })
  .strict()
  .openapi('ClassifyRequest');

const TextNeedSchema = z.object({
  id: z.string(),
  name_ja: z.string(),
  name_en: z.string(),
  score: z.number(),
  polarity: z.enum(['met', 'unmet']),
});

const NeedResultSchema = z
  .object({
    theme: z.string(),
    needs: z.array(TextNeedSchema),
    confidence: z.number(),
    clauses: z.array(
      z
        .object({
          text: z.string(),
          needs: z.array(
            z.object({
              id: z.string(),
              score: z.number(),
              polarity: z.enum(['met', 'unmet']),
              evidence: z.array(z.string()),
            }),
          ),
          negated: z.boolean(),
          adversativeBefore: z.boolean(),
        })
        .passthrough(),
    ),
    focusClause: z.number().int().nullable(),
    warnings: z.array(z.string()),
  })
  .openapi('NeedResult');

const NeedMixSchema = z
  .object({
    theme: z.string(),
    modelVersion: z.string(),
    tpIds: z.number().int(),
    tpIdsWithTexts: z.number().int(),
    texts: z.number().int(),
    needs: z.array(
      z
        .object({
          id: z.string(),
          name_ja: z.string(),
          peopleShare: z.number(),
          unmetShare: z.number(),
          index: z.number().nullable(),
        })
        .passthrough(),
    ),
  })
  .passthrough()
  .openapi('NeedMix');

const classify = createRoute({
  method: 'post',
  path: '/v1/needs/classify',
  tags: ['needs'],
  summary: 'Classify Japanese consumer texts into the needs of a theme (per text and per clause)',
  description: `1 to ${MAX_BATCH_TEXTS} texts of at most ${MAX_TEXT_CHARS} characters each. Text that is not Japanese gets no needs, confidence 0 and a warning.`,
  security: bearer,
  middleware: [requireRole('marketer', 'data_scientist'), jsonLimit(16 * 1024 * 1024)] as const,
  request: { body: { required: true, content: { 'application/json': { schema: ClassifyRequest } } } },
  responses: {
    200: {
      description: 'One result per text, in order',
      content: {
        'application/json': {
          schema: z.object({
            theme: z.string(),
            modelVersion: z.string(),
            results: z.array(NeedResultSchema),
          }),
        },
      },
    },
    ...pick(400, 401, 403, 413, 415, 422, 429),
  },
});

const themes = createRoute({
  method: 'get',
  path: '/v1/needs/themes',
  tags: ['needs'],
  summary: 'Need themes, their needs, and which classifier serves each',
  security: bearer,
  middleware: [requireRole('marketer', 'data_scientist')] as const,
  responses: {
    200: {
      description: 'Themes',
      content: {
        'application/json': {
          schema: z.object({
            themes: z.array(
              z.object({
                theme: z.string(),
                name_ja: z.string(),
                name_en: z.string(),
                needs: z.array(z.object({ id: z.string(), name_ja: z.string(), name_en: z.string() })),
                model: z.object({
                  version: z.string(),
                  source: z.enum(['workspace', 'shipped', 'dictionary']),
                }),
                trainable: z.boolean(),
              }),
            ),
          }),
        },
      },
    },
    ...pick(401, 403, 429),
  },
});

const retrain = createRoute({
  method: 'post',
  path: '/v1/needs/models',
  tags: ['needs'],
  summary: "Retrain a theme's classifier from its labelled corpus (runs as a job)",
  description:
    'The new model is published to the workspace (staged, then renamed into place) and serves classify requests ' +
    'from then on; the shipped model is never overwritten.',
  security: bearer,
  middleware: [requireRole('data_scientist'), jsonLimit(16 * 1024)] as const,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({ theme: ThemeId, seed: z.number().int().min(0).optional() })
            .strict()
            .openapi('NeedModelRequest'),
        },
      },
    },
  },
  responses: { ...JobAccepted, ...pick(400, 401, 403, 413, 415, 422, 429) },
});

const mix = createRoute({
  method: 'get',
  path: '/v1/needs/mix',
  tags: ['needs'],
  summary: 'Need mix of a segment (or of every segment) through the texts of its linked third-party profiles',
  description:
    'Texts are classified once per model and cached in the workspace, so the first call on a segmentation is the slow one.',
  security: bearer,
  middleware: [requireRole('marketer', 'data_scientist')] as const,
  request: {
    query: z.object({
      segmentationId: z.string().min(1).openapi({ example: 'sgm_20261121_030000_ab12cd' }),
      segmentId: z.string().min(1).optional().openapi({ example: 'seg_01' }),
      theme: ThemeId,
    }),
  },
  responses: {
    200: {
      description: 'The overall mix and one per segment, with an index against all segments (100 = average)',
      content: {
        'application/json': {
          schema: z.object({
            segmentationId: z.string(),
            theme: z.string(),
            overall: NeedMixSchema,
            segments: z.array(NeedMixSchema.and(z.object({ segmentId: z.string(), members: z.number() }))),
          }),
        },
      },
    },
    ...pick(401, 403, 404, 422, 429),
  },
});

/** The classifier that serves a theme: the workspace's retrained model when there is one, else the shipped one. */
export function needClassifier(
  needs: NeedsDeps | undefined,
  theme: string,
): Promise<{ classifier: NeedClassifier; source: 'workspace' | 'shipped' }> {
  if (needs && existsSync(join(needs.modelsDir, theme, 'manifest.json')))
    return loadNeedClassifier(theme, { modelsDir: needs.modelsDir }).then((classifier) => ({
      classifier,
      source: 'workspace' as const,
    }));
  return loadNeedClassifier(theme).then((classifier) => ({ classifier, source: 'shipped' as const }));
}

async function segmentAssignment(ws: Workspace, segmentationId: string): Promise<Map<string, string>> {
  const rows = await ws.db.rows<{ member_id: string; segment_id: string }>(
    `SELECT member_id, segment_id FROM ${quoteIdent('segment_assignments')} WHERE segmentation_id = $id`,
    { id: segmentationId },
  );
  return new Map(rows.map((r) => [r.member_id, r.segment_id]));
}

/** The route definitions of this module, for the typed client (`AppType`). */
export const needsRoutes = { classify, themes, retrain, mix } as const;

export function registerNeedRoutes(app: ApiApp, deps: ApiDeps): void {
  app.openapi(classify, async (c) => {
    const { texts, theme } = c.req.valid('json');
    const { classifier } = await needClassifier(deps.needs, theme);
    const results = await classifyTexts(texts, {
      classifier,
      ...(deps.needs?.pool ? { pool: deps.needs.pool } : {}),
    });
    return c.json({ theme, modelVersion: classifier.version, results } as never, 200);
  });

  app.openapi(themes, async (c) => {
    const out = [];
    for (const id of listThemes()) {
      const t = loadTheme(id);
      const { classifier, source } = await needClassifier(deps.needs, id);
      out.push({
        theme: id,
        name_ja: t.name_ja,
        name_en: t.name_en,
        needs: t.needs.map((n) => ({ id: n.id, name_ja: n.name_ja, name_en: n.name_en })),
        model: { version: classifier.version, source: classifier.model ? source : ('dictionary' as const) },
        trainable: existsSync(join(DEFAULT_CORPUS_DIR, `${id}.jsonl`)),
      });
    }
    return c.json({ themes: out }, 200);
  });

  const { jobs, workspace: ws } = deps;
  if (jobs && deps.needs) {
    app.openapi(retrain, async (c) => {
      const body = c.req.valid('json');
      if (!existsSync(join(DEFAULT_CORPUS_DIR, `${body.theme}.jsonl`))) {
        throw new NotFoundError(
          'need corpus',
          body.theme,
          'only themes with a labelled corpus can be trained',
        );
      }
      const job = await jobs.submit(DOMAIN_JOBS.needs, body, c.get('principal').keyId);
      return c.json(job, 202, { location: `/v1/jobs/${job.id}` }) as never;
    });
  }

  if (ws) {
    app.openapi(mix, async (c) => {
      const q = c.req.valid('query');
      const m = await loadSegmentation(ws, q.segmentationId);
      if (q.segmentId && !m.segments.some((s) => s.segmentId === q.segmentId)) {
        throw new NotFoundError(
          'segment',
          q.segmentId,
          `segmentation ${m.id} has ${m.segments.map((s) => s.segmentId).join(', ')}`,
        );
      }
      const { classifier } = await needClassifier(deps.needs, q.theme);
      const result = await needMixBySegment(ws, classifier, await segmentAssignment(ws, m.id), {
        ...(deps.needs?.pool ? { pool: deps.needs.pool } : {}),
      });
      return c.json(
        {
          segmentationId: m.id,
          theme: q.theme,
          overall: result.overall,
          segments: result.segments.filter((s) => !q.segmentId || s.segmentId === q.segmentId),
        } as never,
        200,
      );
    });
  }
}
