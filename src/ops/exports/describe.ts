import { z } from 'zod';
import { DEFAULT_EXPORT_MIN_SIZE, describePull, type PullCaller } from '../../export/index.ts';
import { AudienceId } from '../audiences/fields.ts';
import type { OpContext } from '../operation.ts';
import { defineOp, wsOf } from '../operation.ts';
import { DestinationName } from './destinations.ts';

export const DescribeExportInput = z
  .object({
    id: AudienceId,
    destination: DestinationName.optional().meta({
      description: 'marketers: describe this destination’s release',
    }),
    since: z
      .number()
      .int()
      .min(1)
      .optional()
      .meta({ description: 'also count the delta since this revision' }),
  })
  .strict();

/** The caller of a pull: the API key, or the local operator (the CLI on the workspace). */
export const pullCaller = (ctx: OpContext): PullCaller =>
  ctx.caller ?? { keyId: 'local-operator', role: 'admin', destination: null };

export const describeExportOp = defineOp({
  name: 'export.describe',
  summary:
    'What a pull of an audience gives: revision, ETag, rows, who was left out, and a delta’s adds and removes',
  input: DescribeExportInput,
  roles: ['marketer', 'ad_platform'],
  long: false,
  run: (ctx, input) =>
    describePull(
      wsOf(ctx).artifacts,
      pullCaller(ctx),
      input.id,
      { since: input.since, destination: input.destination },
      DEFAULT_EXPORT_MIN_SIZE,
    ),
});
