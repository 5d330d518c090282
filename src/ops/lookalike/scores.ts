/**
 * A data scientist's pull of a model's scored universe: every ID with its score (sigmoid of the
 * model's logit, as audiences store it) and rank, best first, as CSV, NDJSON or Arrow through the
 * export encoders (CSV cells neutralised as every export is). No share or release is involved:
 * it is analysis data for the people who train the model, so it is their role's alone.
 */
import { z } from 'zod';
import {
  CONTENT_TYPES,
  EXPORT_FORMATS,
  type ExportFormat,
  encodeRows,
  type RowBatch,
} from '../../export/index.ts';
import { loadLookalikeModel, type ScoredUniverse, scoreUniverse, sigmoid } from '../../lookalike/index.ts';
import { defineOp, wsOf } from '../operation.ts';

/** IDs looked up per batch: bounds memory whatever the universe's size. */
const BATCH_ROWS = 50_000;

export const ModelScoresInput = z
  .object({
    id: z.string().min(1).max(200),
    format: z.enum(EXPORT_FORMATS).default('csv'),
    limit: z
      .number()
      .int()
      .min(1)
      .max(100_000_000)
      .optional()
      .meta({ description: 'only the top of the ranking (default: the whole scored universe)' }),
  })
  .strict();

export interface ModelScores {
  modelId: string;
  universe: 'third_party' | 'members';
  /** Rows in the pull. */
  rows: number;
  /** Rows of the scored universe (after the model's exclusions). */
  universeSize: number;
  /** Hash of the data, model and exclusions behind the ranking (changes after an import). */
  snapshot: string;
  format: ExportFormat;
  contentType: string;
  /** The encoded rows; reading it to the end (or cancelling it) releases the scoring's tables. */
  body: ReadableStream<Uint8Array>;
}

const encoder = new TextEncoder();

function batchOf(ids: readonly string[], scored: ScoredUniverse, from: number): RowBatch {
  const bytes = ids.map((id) => encoder.encode(id));
  return {
    length: ids.length,
    idBytes: (i) => bytes[i]!,
    score: (i) => sigmoid(scored.sorted[from + i]!),
    rank: (i) => from + i + 1,
  };
}

/** Streams ranks [0, rows) of a scored universe, closing it at the end or on cancel. */
function scoreStream(scored: ScoredUniverse, rows: number, format: ExportFormat): ReadableStream<Uint8Array> {
  let at = 0;
  const inner = encodeRows(format, false, async () => {
    if (at >= rows) return null;
    const to = Math.min(rows, at + BATCH_ROWS);
    const batch = batchOf(await scored.idsOfRows(scored.order.subarray(at, to)), scored, at);
    at = to;
    return batch;
  }).getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await inner.read();
        if (done) {
          await scored.close();
          controller.close();
        } else controller.enqueue(value);
      } catch (err) {
        await scored.close();
        controller.error(err);
      }
    },
    async cancel(reason) {
      await inner.cancel(reason).catch(() => undefined);
      await scored.close();
    },
  });
}

export const modelScoresOp = defineOp({
  name: 'lookalike.scores',
  summary: 'A model’s scored universe: every ID with its score and rank, best first (CSV, NDJSON or Arrow)',
  input: ModelScoresInput,
  roles: ['data_scientist'],
  long: false,
  run: async (ctx, input): Promise<ModelScores> => {
    const ws = wsOf(ctx);
    const loaded = await loadLookalikeModel(ws.artifacts, input.id);
    const scored = await scoreUniverse(ws, loaded, {}, ctx.signal ? { signal: ctx.signal } : {});
    const rows = Math.min(scored.size, input.limit ?? scored.size);
    return {
      modelId: input.id,
      universe: scored.universe,
      rows,
      universeSize: scored.size,
      snapshot: scored.snapshot,
      format: input.format,
      contentType: CONTENT_TYPES[input.format],
      body: scoreStream(scored, rows, input.format),
    };
  },
});
