/**
 * Destinations and the ID form each declares. Changing a destination's form, platform, consent
 * purposes or key releases every audience shared with it again: its next pull is a full one.
 */
import { z } from 'zod';
import { type AudienceManifest, audienceRevisions, readAudienceRevision } from '../../audience/index.ts';
import {
  DEFAULT_PURPOSES,
  ID_FORM_DESCRIPTIONS,
  ID_FORMS,
  listDestinations,
  PLATFORMS,
  putDestination,
} from '../../export/index.ts';
import { Purposes } from '../audiences/fields.ts';
import { defineOp, wsOf } from '../operation.ts';
import { releaseDestination, releaseMinimum } from './releases.ts';

export const DestinationName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'use 1-100 letters, digits, "_", "-" or "." (not first)')
  .meta({ example: 'meta-jp' });

export const PutDestinationInput = z
  .object({
    name: DestinationName,
    idForm: z.enum(ID_FORMS).meta({
      description: Object.entries(ID_FORM_DESCRIPTIONS)
        .map(([k, v]) => `\`${k}\`: ${v}`)
        .join('; '),
    }),
    platform: z.enum(PLATFORMS).default('generic').meta({
      description:
        'whose normalisation contact hashes follow (meta: phone digits without +; google: Gmail rules)',
    }),
    purposes: Purposes.min(1)
      .default([...DEFAULT_PURPOSES])
      .meta({
        description: `consent a member must have granted to be sent (default ${DEFAULT_PURPOSES.join(', ')})`,
      }),
    rotateKey: z
      .boolean()
      .default(false)
      .meta({ description: 'hmac_sha256: start a new secret (new IDs for this destination)' }),
  })
  .strict()
  .meta({ id: 'DestinationRequest' });

export const putDestinationOp = defineOp({
  name: 'destination.put',
  summary: 'Declare a destination (or change it): its ID form, platform and consent purposes',
  input: PutDestinationInput,
  roles: ['marketer'],
  long: false,
  run: async (ctx, input) => {
    const by = ctx.caller?.keyId ?? null;
    const { name, ...settings } = input;
    const { destination, created, changed } = await putDestination(wsOf(ctx).artifacts, name, settings, by);
    const releases =
      changed && !created
        ? await releaseDestination(
            wsOf(ctx),
            name,
            async (audienceId) => {
              const latest = (await audienceRevisions(wsOf(ctx).artifacts, audienceId)).at(-1);
              const m = latest
                ? (await readAudienceRevision<AudienceManifest>(wsOf(ctx).artifacts, audienceId, latest))
                    ?.manifest
                : null;
              return releaseMinimum(m?.minSize);
            },
            by,
          )
        : [];
    return { destination, created, releases };
  },
});

export const listDestinationsOp = defineOp({
  name: 'destination.list',
  summary: 'Destinations with the ID form, platform and consent purposes each declares',
  input: z.object({}).strict(),
  roles: ['marketer', 'data_scientist'],
  long: false,
  run: async (ctx) => ({
    destinations: await listDestinations(wsOf(ctx).artifacts),
    idForms: ID_FORMS.map((idForm) => ({ idForm, description: ID_FORM_DESCRIPTIONS[idForm] })),
  }),
});
