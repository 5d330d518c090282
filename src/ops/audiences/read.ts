/**
 * Reading audiences: the list, one audience (its latest or a given revision, optionally with its
 * first IDs), and its revisions with the definition that makes them. An ad_platform key sees only
 * what is shared with its destination, as that destination receives it (see `export/shared.ts`).
 */
import { z } from 'zod';
import {
  type AudienceDefinition,
  type AudienceManifest,
  audienceDefinition,
  audienceRevisions,
  listAudiences,
  openAudience,
  readAudienceRevision,
} from '../../audience/index.ts';
import { sharedAudience, sharedAudiences } from '../../export/index.ts';
import { NotFoundError } from '../../schema/index.ts';
import type { OpContext } from '../operation.ts';
import { defineOp, wsOf } from '../operation.ts';
import { AudienceId, apiTarget, HeadQuery } from './fields.ts';

const ReadRoles = ['marketer', 'data_scientist', 'ad_platform'] as const;

/** A manifest as the API shows it: the target in API terms, no file-format fields. */
export function publicAudience(m: AudienceManifest) {
  const { kind: _kind, version: _version, ...rest } = m;
  return {
    ...rest,
    target: apiTarget(m.target),
    consent: m.consent ?? null,
    reachLock: m.reachLock ?? null,
    trigger: m.trigger ?? 'create',
    asOf: m.asOf ?? null,
  };
}
export type PublicAudience = ReturnType<typeof publicAudience>;

/** A definition as the API shows it (exclusion lists only as counts). */
export function publicDefinition(d: AudienceDefinition) {
  const { kind: _kind, version: _version, ...rest } = d;
  return { ...rest, target: apiTarget(d.target) };
}

/** The destination of an ad_platform caller; undefined for everyone else. */
const platformDestination = (ctx: OpContext) =>
  ctx.caller?.role === 'ad_platform' ? (ctx.caller.destination ?? '') : undefined;

export const listAudiencesOp = defineOp({
  name: 'audience.list',
  summary: 'Audiences at their latest revision, newest first (an ad platform: those shared with it)',
  input: z.object({}).strict(),
  roles: ReadRoles,
  long: false,
  run: async (ctx) => {
    const destination = platformDestination(ctx);
    if (destination !== undefined)
      return { audiences: await sharedAudiences(wsOf(ctx).artifacts, destination) };
    return { audiences: (await listAudiences(wsOf(ctx))).map(publicAudience) };
  },
});

export const GetAudienceInput = z
  .object({
    id: AudienceId,
    revision: z
      .number()
      .int()
      .min(1)
      .optional()
      .meta({ description: 'an earlier revision (default: the latest)' }),
    head: HeadQuery.default(0).meta({ description: 'also return the first n IDs with scores and ranks' }),
  })
  .strict();

export const getAudienceOp = defineOp({
  name: 'audience.get',
  summary: 'An audience: size, threshold, expected precision and interval, consent, need mix, target',
  input: GetAudienceInput,
  roles: ReadRoles,
  long: false,
  run: async (ctx, q) => {
    const destination = platformDestination(ctx);
    if (destination !== undefined) {
      const view = await sharedAudience(wsOf(ctx).artifacts, destination, q.id);
      if (!view) throw new NotFoundError('audience', q.id);
      return view;
    }
    const a = await openAudience(wsOf(ctx), q.id, q.revision);
    const members = q.head > 0 ? await a.members() : null;
    const n = members ? Math.min(q.head, members.length) : 0;
    const head = Array.from({ length: n }, (_, k) => ({
      rank: members!.rank(k),
      id: members!.id(k),
      score: members!.score(k),
    }));
    const definition = await audienceDefinition(wsOf(ctx).artifacts, q.id);
    return { ...publicAudience(a.manifest), head, definition: publicDefinition(definition) };
  },
});

export const audienceRevisionsOp = defineOp({
  name: 'audience.revisions',
  summary: 'The revisions of an audience (kept by retention) and the definition that refreshes it',
  input: z.object({ id: AudienceId }).strict(),
  roles: ['marketer', 'data_scientist'],
  long: false,
  run: async (ctx, q) => {
    const definition = await audienceDefinition(wsOf(ctx).artifacts, q.id);
    const revisions = [];
    for (const revision of await audienceRevisions(wsOf(ctx).artifacts, q.id)) {
      const m = (await readAudienceRevision<AudienceManifest>(wsOf(ctx).artifacts, q.id, revision))?.manifest;
      if (!m) continue;
      revisions.push({
        revision,
        createdAt: m.createdAt,
        trigger: m.trigger ?? 'create',
        size: m.size,
        universeSize: m.universeSize,
        expectedPrecision: m.expectedPrecision,
        ci: m.ci,
        reached: m.reached,
        consentExcluded: m.consent?.excluded ?? 0,
        reachLockHeld: m.reachLock?.held ?? false,
        snapshot: m.snapshot,
      });
    }
    return { audienceId: q.id, definition: publicDefinition(definition), revisions };
  },
});
