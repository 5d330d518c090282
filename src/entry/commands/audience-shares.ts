/**
 * `lookalike audience destination|destinations|share|unshare|shares|export-info`: where audiences
 * are released for ad platforms, each command one operation of `ops/exports`.
 */
import type { Command } from 'commander';
import {
  audienceSharesOp,
  describeExportOp,
  listDestinationsOp,
  putDestinationOp,
  shareOp,
  unshareOp,
} from '../../ops/index.ts';
import { flagNumber, runCliOp } from '../cli-op.ts';
import { fmtNumber, type GlobalOptions, print, textTable } from '../cli-support.ts';
import { list } from './audience-flags.ts';

/** `lookalike audience destination` */
function addDestination(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('destination')
    .description(putDestinationOp.summary)
    .argument('<name>')
    .requiredOption('--id-form <form>', 'tp_id, hmac_sha256, sha256_email or sha256_phone')
    .option('--platform <platform>', 'generic, meta or google (contact normalisation)')
    .option(
      '--purposes <list>',
      'consent purposes, comma-separated (default ad_targeting,third_party_sharing)',
    )
    .option('--rotate-key', 'hmac_sha256: start a new secret')
    .action(
      async (
        name: string,
        o: { idForm: string; platform?: string; purposes?: string; rotateKey?: boolean },
      ) => {
        const g = globals();
        const r = await runCliOp(g, putDestinationOp, {
          name,
          idForm: o.idForm,
          platform: o.platform,
          purposes: list(o.purposes),
          rotateKey: o.rotateKey ?? false,
        });
        print(r, g, () => JSON.stringify(r, null, 2));
      },
    );
}

/** `lookalike audience destinations` */
function addDestinations(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('destinations')
    .description(listDestinationsOp.summary)
    .action(async () => {
      const g = globals();
      const r = await runCliOp(g, listDestinationsOp, {});
      print(r, g, () =>
        textTable(
          r.destinations.map((d) => ({
            name: d.name,
            'id form': d.idForm,
            platform: d.platform,
            purposes: d.purposes.join(','),
            key: d.keyVersion,
          })),
        ),
      );
    });
}

/** `lookalike audience share` */
function addShare(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('share')
    .description(shareOp.summary)
    .argument('<audienceId>')
    .argument('<destination>')
    .action(async (id: string, destination: string) => {
      const g = globals();
      const r = await runCliOp(g, shareOp, { id, destination });
      const s = r.share;
      print(
        r,
        g,
        () =>
          `${s.id} → ${s.destination}: revision ${s.revision} released as ${s.idForm}, ${fmtNumber(s.size ?? 0)} IDs` +
          (s.counts
            ? ` (of ${s.counts.audience}: ${s.counts.consentExcluded} without consent, ${s.counts.noIdentifier} without identifier, ${s.counts.duplicates} duplicates)`
            : ''),
      );
    });
}

/** `lookalike audience unshare` */
function addUnshare(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('unshare')
    .description(unshareOp.summary)
    .argument('<audienceId>')
    .argument('<destination>')
    .action(async (id: string, destination: string) => {
      const g = globals();
      const r = await runCliOp(g, unshareOp, { id, destination });
      print(r, g, () => `${id} is no longer shared with ${destination}`);
    });
}

/** `lookalike audience shares` */
function addShares(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('shares')
    .description(audienceSharesOp.summary)
    .argument('<audienceId>')
    .action(async (id: string) => {
      const g = globals();
      const r = await runCliOp(g, audienceSharesOp, { id });
      print(r, g, () =>
        textTable(
          r.shares.map((s) => ({
            destination: s.destination,
            revision: s.revision,
            'id form': s.idForm,
            size: s.size,
            'last pulled': s.lastPulled ? `${s.lastPulled.revision} at ${s.lastPulled.at.slice(0, 19)}` : '',
          })),
        ),
      );
    });
}

/** `lookalike audience export-info` */
function addExportInfo(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('export-info')
    .description(describeExportOp.summary)
    .argument('<audienceId>')
    .option('--destination <name>', "a destination's release")
    .option('--since <revision>', 'also count the delta since this revision')
    .action(async (id: string, o: { destination?: string; since?: string }) => {
      const g = globals();
      const r = await runCliOp(g, describeExportOp, {
        id,
        destination: o.destination,
        since: flagNumber(o.since),
      });
      print(r, g, () => JSON.stringify(r, null, 2));
    });
}

/** Adds these commands to `lookalike audience`. */
export function registerSharesCommands(parent: Command, globals: () => GlobalOptions): void {
  addDestination(parent, globals);
  addDestinations(parent, globals);
  addShare(parent, globals);
  addUnshare(parent, globals);
  addShares(parent, globals);
  addExportInfo(parent, globals);
}
