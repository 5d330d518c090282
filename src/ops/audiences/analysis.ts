/**
 * Looking into audiences: which rule conditions to loosen to reach a size, what drives the top of
 * a ranking, how audiences overlap, and what consent their members gave.
 */
import { z } from 'zod';
import {
  type AudienceManifest,
  audienceOverlap,
  audienceRevisions,
  consentCounts,
  DEFAULT_MIN_SIZE,
  explainAudience,
  KNOWN_PURPOSES,
  MAX_OVERLAP_AUDIENCES,
  openAudience,
  openMembers,
  readAudienceRevision,
  relaxConditions,
} from '../../audience/index.ts';
import { latestRelease, sharesOfAudience } from '../../export/index.ts';
import { InvalidInputError, NotFoundError } from '../../schema/index.ts';
import { quoteIdent } from '../../store/index.ts';
import { defineOp, wsOf } from '../operation.ts';
import { ConditionsList, resolveConditions } from './conditions.ts';
import { AudienceId, ModelId, Purposes } from './fields.ts';

const Analysts = ['marketer', 'data_scientist'] as const;

export const RelaxInput = z
  .object({
    modelId: ModelId,
    conditions: ConditionsList.min(1),
    targetSize: z.number().int().min(DEFAULT_MIN_SIZE).max(100_000_000),
    maxAlternatives: z.number().int().min(1).max(100).optional(),
  })
  .strict()
  .meta({ id: 'RelaxRequest' });

export const relaxOp = defineOp({
  name: 'audience.relax',
  summary:
    'Which conditions of a rule-based audience to loosen to reach a size, and what each costs in precision',
  input: RelaxInput,
  roles: Analysts,
  long: false,
  run: async (ctx, input) => {
    const { conditions, readings } = await resolveConditions(wsOf(ctx), input.conditions);
    const result = await relaxConditions(wsOf(ctx), { ...input, conditions });
    return {
      ...result,
      planConditions: result.planConditions as Record<string, unknown>[],
      readings,
      conditions: conditions as Record<string, unknown>[],
    };
  },
});

export const DriversInput = z
  .object({
    id: AudienceId.optional().meta({ description: 'a stored audience (its model and size)' }),
    modelId: ModelId.optional(),
    size: z.number().int().min(1).max(100_000_000).optional(),
    sample: z
      .number()
      .int()
      .min(50)
      .max(20_000)
      .default(1000)
      .meta({ description: 'people sampled on each side' }),
    top: z.number().int().min(1).max(100).default(15),
  })
  .strict()
  .refine((d) => (d.id !== undefined) !== (d.modelId !== undefined && d.size !== undefined), {
    message: 'give an audience id, or a modelId and a size',
    path: ['id'],
  });

export const driversOp = defineOp({
  name: 'audience.drivers',
  summary: 'The features that lift an audience (the top of its model’s ranking) above the universe',
  input: DriversInput,
  roles: Analysts,
  long: false,
  run: async (ctx, input) => {
    let modelId = input.modelId;
    let size = input.size;
    let members: string[] | undefined;
    if (input.id) {
      const opened = await openAudience(wsOf(ctx), input.id);
      modelId = opened.manifest.modelId;
      size = opened.manifest.size;
      // The stored members, not the top of the ranking: conditions and consent narrowed them.
      const view = await opened.members();
      members = Array.from({ length: view.length }, (_, i) => view.id(i));
    }
    const drivers = await explainAudience(wsOf(ctx), modelId!, size!, {
      sample: input.sample,
      top: input.top,
      ...(members ? { members } : {}),
    });
    return { audienceId: input.id ?? null, modelId: modelId!, size: size!, drivers };
  },
});

export const OverlapInput = z
  .object({
    audiences: z
      .array(z.object({ id: AudienceId, revision: z.number().int().min(1).optional() }).strict())
      .min(2)
      .max(MAX_OVERLAP_AUDIENCES),
  })
  .strict()
  .meta({ id: 'OverlapRequest' });

export const overlapOp = defineOp({
  name: 'audience.overlap',
  summary: 'How 2-8 audiences overlap: pairwise counts, Jaccard and shares, and UpSet combinations',
  input: OverlapInput,
  roles: Analysts,
  long: false,
  run: (ctx, input) => audienceOverlap(wsOf(ctx).artifacts, input.audiences),
});

export const ConsentSummaryInput = z
  .object({
    id: AudienceId,
    purposes: Purposes.min(1).default([...KNOWN_PURPOSES]),
  })
  .strict();

/**
 * Consent among an audience's members, per purpose (granted, refused, undecided), and per
 * destination it is shared with, how many were left out of its latest release and why.
 */
export const consentSummaryOp = defineOp({
  name: 'audience.consent',
  summary: 'Consent of an audience’s members per purpose, and who each destination’s release left out',
  input: ConsentSummaryInput,
  roles: Analysts,
  long: false,
  run: async (ctx, input) => {
    const revision = (await audienceRevisions(wsOf(ctx).artifacts, input.id)).at(-1);
    const stored =
      revision === undefined
        ? null
        : await readAudienceRevision<AudienceManifest>(wsOf(ctx).artifacts, input.id, revision);
    if (!stored || revision === undefined) throw new NotFoundError('audience', input.id);
    const m = stored.manifest;
    const bytes = await stored.members();
    if (!bytes) throw new InvalidInputError(`audience "${input.id}" has no members file`, 'id');
    const view = openMembers(bytes);
    const ids = Array.from({ length: view.length }, (_, i) => view.id(i));
    const { runner, close } = await wsOf(ctx).db.connect();
    const table = `_consent_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
    let purposes: Awaited<ReturnType<typeof consentCounts>>;
    try {
      await runner.run(`CREATE TEMP TABLE ${quoteIdent(table)} (id VARCHAR)`);
      if (ids.length) await runner.append(table, [ids]);
      purposes = await consentCounts(runner, table, m.idKind, input.purposes);
    } finally {
      await runner.run(`DROP TABLE IF EXISTS ${quoteIdent(table)}`).catch(() => undefined);
      close();
    }
    const destinations = [];
    for (const share of await sharesOfAudience(wsOf(ctx).artifacts, input.id)) {
      const release = await latestRelease(wsOf(ctx).artifacts, share.destination, input.id);
      destinations.push({
        destination: share.destination,
        revision: release?.manifest.revision ?? null,
        purposes: release?.manifest.purposes ?? [],
        size: release?.manifest.size ?? null,
        counts: release?.manifest.counts ?? null,
        lastReleaseError: share.lastReleaseError ?? null,
      });
    }
    return {
      audienceId: input.id,
      revision,
      idKind: m.idKind,
      size: m.size,
      audienceConsent: m.consent ?? null,
      purposes,
      destinations,
    };
  },
});
