/**
 * `lookalike audience …`: audiences, their refreshes and revisions, destinations and shares. Each
 * command turns its flags into its operation's input (`ops/audiences`, `ops/exports`) and runs it
 * with `runCliOp`, on the workspace or through the server that holds it: the defaults, limits and
 * messages are the operation's, as over the API.
 */
import type { Command } from 'commander';
import {
  audienceRevisionsOp,
  createAudienceOp,
  getAudienceOp,
  listAudiencesOp,
  refreshAudienceOp,
  updateAudienceOp,
} from '../../ops/index.ts';
import { flagNumber, runCliOp } from '../cli-op.ts';
import { fmtNumber, fmtPercent, type GlobalOptions, print, textTable } from '../cli-support.ts';
import { registerAnalysisCommands } from './audience-analysis.ts';
import {
  conditionsFlag,
  list,
  reachLockFrom,
  type TargetFlags,
  targetFrom,
  targetOptions,
} from './audience-flags.ts';
import { registerSharesCommands } from './audience-shares.ts';
import { idsFromFile } from './cli-inputs.ts';

/** Registers `lookalike audience …`. */
export function registerAudienceCommands(program: Command, globals: () => GlobalOptions): void {
  const audience = program
    .command('audience')
    .description('audiences: create, refresh, inspect, compare; destinations and shares for ad platforms');
  addCreate(audience, globals);
  addList(audience, globals);
  addShow(audience, globals);
  addRefresh(audience, globals);
  addRevisions(audience, globals);
  addUpdate(audience, globals);
  registerAnalysisCommands(audience, globals);
  registerSharesCommands(audience, globals);
}

/** `lookalike audience create` */
function addCreate(parent: Command, globals: () => GlobalOptions): void {
  targetOptions(parent.command('create').description(createAudienceOp.summary).argument('<modelId>'))
    .option('--opted-out <file>', 'IDs that opted out since training')
    .option('--exclude <file>', 'other IDs to leave out')
    .option('--as-of <day>', 'members universe: features as of this day')
    .option('--no-need-mix', 'skip the need mix')
    .option('--id <id>', 'audience id')
    .option(
      '--conditions <json>',
      'rule conditions every member meets, e.g. [{"kind":"age_band","values":["30代"]},{"kind":"region","values":["東京"]}]',
    )
    .action(async (modelId: string, o: Record<string, string | boolean | undefined> & TargetFlags) => {
      const g = globals();
      const created = await runCliOp(
        g,
        createAudienceOp,
        {
          modelId,
          target: targetFrom(o, true),
          minSize: flagNumber(o.minSize as string | undefined),
          ...(o.optedOut || o.exclude
            ? {
                exclusions: {
                  ...(o.optedOut ? { optedOut: idsFromFile(String(o.optedOut)) } : {}),
                  ...(o.exclude ? { ids: idsFromFile(String(o.exclude)) } : {}),
                },
              }
            : {}),
          consentPurposes: list(o.consent as string | undefined),
          reachLock: reachLockFrom(o as { reachLock?: string; reachTolerance?: string }),
          retention: o.keep !== undefined ? { keep: flagNumber(String(o.keep)) } : undefined,
          schedule: o.everyHours !== undefined ? { everyHours: flagNumber(String(o.everyHours)) } : undefined,
          asOf: o.asOf,
          ...(o.needMix === false ? { needMix: false } : {}),
          ...(typeof o.conditions === 'string' ? { conditions: conditionsFlag(o.conditions) } : {}),
          id: o.id,
        },
        { label: 'scoring' },
      );
      const m = await runCliOp(g, getAudienceOp, { id: created.audienceId });
      if (!('definition' in m)) throw new Error('unexpected shared view');
      print(m, g, () =>
        [
          `audience ${m.id} (revision ${m.revision}): ${fmtNumber(m.size)} of ${fmtNumber(m.universeSize)} (${m.note})`,
          `expected precision ${fmtPercent(m.expectedPrecision)} [${fmtPercent(m.ci[0])}, ${fmtPercent(m.ci[1])}] at ${fmtPercent(m.confidence)}; ${fmtNumber(Math.round(m.expectedPositives))} expected positives; lift ${m.lift.toFixed(2)}`,
          m.consent ? `consent: ${m.consent.excluded} left out without ${m.consent.purposes.join(', ')}` : '',
          m.reached ? '' : 'the target could not be met; this is the best reachable audience',
          m.needMix
            ? `need mix: ${Object.keys(m.needMix).join(', ')}`
            : `need mix: none (${m.needMixReason})`,
        ]
          .filter(Boolean)
          .join('\n'),
      );
    });
}

/** `lookalike audience list` */
function addList(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('list')
    .description(listAudiencesOp.summary)
    .action(async () => {
      const g = globals();
      const { audiences } = await runCliOp(g, listAudiencesOp, {});
      print(audiences, g, () =>
        textTable(
          audiences.map((m) =>
            'modelId' in m
              ? {
                  id: m.id,
                  revision: m.revision,
                  model: m.modelId,
                  target: m.target.kind,
                  size: m.size,
                  precision: fmtPercent(m.expectedPrecision),
                  created: m.createdAt.slice(0, 19),
                }
              : { id: m.id, revision: m.revision, size: m.size },
          ),
        ),
      );
    });
}

/** `lookalike audience show` */
function addShow(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('show')
    .description(getAudienceOp.summary)
    .argument('<audienceId>')
    .option('--revision <n>', 'an earlier revision')
    .option('--head <n>', 'IDs to print', '10')
    .action(async (id: string, o: { revision?: string; head: string }) => {
      const g = globals();
      const a = await runCliOp(g, getAudienceOp, {
        id,
        revision: flagNumber(o.revision),
        head: flagNumber(o.head),
      });
      print(a, g, () =>
        ['head' in a ? textTable(a.head) : '', JSON.stringify({ ...a, head: undefined }, null, 2)].join('\n'),
      );
    });
}

/** `lookalike audience refresh` */
function addRefresh(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('refresh')
    .description(refreshAudienceOp.summary)
    .argument('<audienceId>')
    .action(async (id: string) => {
      const g = globals();
      const r = await runCliOp(g, refreshAudienceOp, { id }, { label: 'refreshing' });
      print(r, g, () =>
        [
          `audience ${r.audienceId}: revision ${r.revision}, ${fmtNumber(r.size)} people, expected precision ${fmtPercent(r.expectedPrecision)}${r.reachLockHeld ? ' (held by the reach lock)' : ''}`,
          ...r.releases.map((x) =>
            x.error
              ? `  ${x.destination}: not released (${x.error})`
              : `  ${x.destination}: released revision ${x.revision}, ${fmtNumber(x.size ?? 0)} IDs`,
          ),
        ].join('\n'),
      );
    });
}

/** `lookalike audience revisions` */
function addRevisions(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('revisions')
    .description(audienceRevisionsOp.summary)
    .argument('<audienceId>')
    .action(async (id: string) => {
      const g = globals();
      const r = await runCliOp(g, audienceRevisionsOp, { id });
      const d = r.definition;
      print(r, g, () =>
        [
          `schedule: ${d.schedule ? `every ${d.schedule.everyHours} h, next ${d.schedule.nextRefreshAt}` : 'on demand'}; keeps ${d.retention.keep} revisions; reach lock ${d.reachLock ? `${d.reachLock.min}-${d.reachLock.max}` : 'none'}`,
          d.lastRefresh?.error ? `last refresh failed at ${d.lastRefresh.at}: ${d.lastRefresh.error}` : '',
          textTable(
            r.revisions.map((x) => ({
              revision: x.revision,
              created: x.createdAt.slice(0, 19),
              trigger: x.trigger,
              size: x.size,
              precision: fmtPercent(x.expectedPrecision),
              'no consent': x.consentExcluded,
              locked: x.reachLockHeld ? 'yes' : '',
            })),
          ),
        ]
          .filter(Boolean)
          .join('\n'),
      );
    });
}

/** `lookalike audience update` */
function addUpdate(parent: Command, globals: () => GlobalOptions): void {
  targetOptions(parent.command('update').description(updateAudienceOp.summary).argument('<audienceId>'))
    .option('--no-schedule', 'stop scheduled refreshes')
    .option('--no-reach-lock', 'release the reach lock')
    .action(async (id: string, o: Record<string, string | boolean | undefined> & TargetFlags) => {
      const g = globals();
      const d = await runCliOp(g, updateAudienceOp, {
        id,
        target: targetFrom(o, false),
        minSize: flagNumber(o.minSize as string | undefined),
        consentPurposes: list(o.consent as string | undefined),
        reachLock:
          o.reachLock === false ? null : reachLockFrom(o as { reachLock?: string; reachTolerance?: string }),
        retention: o.keep !== undefined ? { keep: flagNumber(String(o.keep)) } : undefined,
        schedule:
          o.schedule === false
            ? null
            : o.everyHours !== undefined
              ? { everyHours: flagNumber(String(o.everyHours)) }
              : undefined,
      });
      print(d, g, () => JSON.stringify(d, null, 2));
    });
}
