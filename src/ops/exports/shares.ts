/**
 * Sharing audiences with destinations. A share is made only when its first release can be: the
 * destination is declared, its ID form fits the audience, and enough people are left after
 * consent and identifiers. Unsharing deletes the destination's releases at once.
 */
import { z } from 'zod';
import { type AudienceManifest, audienceRevisions, readAudienceRevision } from '../../audience/index.ts';
import {
  buildRelease,
  deleteReleases,
  deleteShare,
  getShare,
  putShare,
  requireDestination,
  type Share,
  sharedAudiences,
  sharedView,
  sharesOfAudience,
  workspaceDirectory,
} from '../../export/index.ts';
import { NotFoundError } from '../../schema/index.ts';
import { AudienceId } from '../audiences/fields.ts';
import { defineOp, wsOf } from '../operation.ts';
import { DestinationName } from './destinations.ts';
import { releaseMinimum } from './releases.ts';

export const ShareInput = z.object({ id: AudienceId, destination: DestinationName }).strict();

export const shareOp = defineOp({
  name: 'export.share',
  summary: 'Share an audience with a destination: release its latest revision in the destination’s ID form',
  input: ShareInput,
  roles: ['marketer'],
  long: false,
  run: async (ctx, input) => {
    const store = wsOf(ctx).artifacts;
    const latest = (await audienceRevisions(store, input.id)).at(-1);
    const m =
      latest === undefined
        ? null
        : (await readAudienceRevision<AudienceManifest>(store, input.id, latest))?.manifest;
    if (!m) throw new NotFoundError('audience', input.id);
    const destination = await requireDestination(store, input.destination);
    const by = ctx.caller?.keyId ?? null;
    const release = await buildRelease(store, workspaceDirectory(wsOf(ctx)), {
      destination,
      audienceId: input.id,
      minSize: releaseMinimum(m.minSize),
      by,
    });
    const existed = (await getShare(store, input.destination, input.id)) !== null;
    const share: Share = {
      destination: input.destination,
      audienceId: input.id,
      idForm: destination.idForm,
      sharedBy: by,
      sharedAt: new Date().toISOString(),
      lastReleaseError: null,
    };
    await putShare(store, share);
    return {
      created: !existed,
      share: await sharedView(store, share),
      release: { revision: release.revision, size: release.size },
    };
  },
});

export const unshareOp = defineOp({
  name: 'export.unshare',
  summary: 'Stop sharing an audience with a destination (its key gets 404 at once; its releases are deleted)',
  input: ShareInput,
  roles: ['marketer'],
  long: false,
  run: async (ctx, input) => {
    if (!(await deleteShare(wsOf(ctx).artifacts, input.destination, input.id)))
      throw new NotFoundError('share', `${input.id} → ${input.destination}`);
    await deleteReleases(wsOf(ctx).artifacts, input.destination, input.id);
    return { audienceId: input.id, destination: input.destination, unshared: true };
  },
});

export const audienceSharesOp = defineOp({
  name: 'export.shares',
  summary: 'Destinations an audience is shared with, and what each last received',
  input: z.object({ id: AudienceId }).strict(),
  roles: ['marketer'],
  long: false,
  run: async (ctx, input) => {
    const store = wsOf(ctx).artifacts;
    const shares = await sharesOfAudience(store, input.id);
    if (shares.length === 0 && (await audienceRevisions(store, input.id)).length === 0)
      throw new NotFoundError('audience', input.id);
    const out = [];
    for (const share of shares) out.push(await sharedView(store, share));
    return { shares: out };
  },
});

export const sharedAudiencesOp = defineOp({
  name: 'export.shared',
  summary:
    'Audiences shared with the caller (an ad_platform key: its destination; marketers: every destination, or one)',
  input: z.object({ destination: DestinationName.optional() }).strict(),
  roles: ['marketer', 'ad_platform'],
  long: false,
  run: async (ctx, input) => {
    const wanted = ctx.caller?.role === 'ad_platform' ? (ctx.caller.destination ?? '') : input.destination;
    return { audiences: await sharedAudiences(wsOf(ctx).artifacts, wanted) };
  },
});
