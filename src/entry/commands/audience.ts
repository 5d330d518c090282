/**
 * `lookalike audience …`: audiences, their refreshes and revisions, destinations and shares. Each
 * command turns its flags into its operation's input (`ops/audiences`, `ops/exports`) and runs it
 * with `runCliOp`, on the workspace or through the server that holds it: the defaults, limits and
 * messages are the operation's, as over the API.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  audienceRevisionsOp,
  audienceSharesOp,
  consentSummaryOp,
  createAudienceOp,
  describeExportOp,
  driversOp,
  getAudienceOp,
  listAudiencesOp,
  listDestinationsOp,
  overlapOp,
  putDestinationOp,
  refreshAudienceOp,
  relaxOp,
  shareOp,
  unshareOp,
  updateAudienceOp,
} from '../../ops/index.ts';
import { InvalidInputError } from '../../schema/index.ts';
import { flagNumber, runCliOp } from '../cli-op.ts';
import { fmtNumber, fmtPercent, type GlobalOptions, print, textTable } from '../cli-support.ts';

/** IDs from a file: one per line, or a JSON array. */
/** A `--conditions` flag: a JSON list, values as stored or as said (30代, 女性, 東京, 料理). */
function conditionsFlag(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    throw new InvalidInputError('--conditions must be a JSON list of conditions', 'conditions');
  }
}

function idsFromFile(path: string): string[] {
  const text = readFileSync(path, 'utf8').trim();
  if (text.startsWith('[')) return (JSON.parse(text) as unknown[]).map(String);
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

const list = (value: string | undefined) =>
  value === undefined ? undefined : value.split(',').map((v) => v.trim());

interface TargetFlags {
  size?: string;
  precision?: string;
  lower?: boolean;
  budget?: string;
}

/** `--size`, `--precision [--lower]` or `--budget cost,value[,rate[,maxSpend]]` as the operation's target. */
function targetFrom(o: TargetFlags, required: boolean): unknown {
  const given = [o.size, o.precision, o.budget].filter((v) => v !== undefined).length;
  if (given === 0 && !required) return undefined;
  if (given !== 1)
    throw new InvalidInputError('give exactly one of --size, --precision or --budget', 'target');
  if (o.size !== undefined) return { kind: 'size', size: flagNumber(o.size) };
  if (o.precision !== undefined)
    return {
      kind: 'precision',
      minPrecision: flagNumber(o.precision),
      basis: o.lower ? 'lower' : 'expected',
    };
  const [cost, value, rate, maxSpend] = o.budget!.split(',').map((v) => flagNumber(v));
  return {
    kind: 'budget',
    costPerContact: cost,
    valuePerConversion: value,
    ...(rate !== undefined ? { conversionRate: rate } : {}),
    ...(maxSpend !== undefined ? { maxSpend } : {}),
  };
}

/** `--reach-lock 900-1100` or `--reach-tolerance 0.1`. */
function reachLockFrom(o: { reachLock?: string; reachTolerance?: string }): unknown {
  if (o.reachLock !== undefined) {
    const m = /^(\d+)-(\d+)$/.exec(o.reachLock);
    return m ? { min: Number(m[1]), max: Number(m[2]) } : o.reachLock;
  }
  return o.reachTolerance !== undefined ? { tolerance: flagNumber(o.reachTolerance) } : undefined;
}

const targetOptions = (cmd: Command) =>
  cmd
    .option('--size <n>', 'target size')
    .option('--precision <p>', 'minimum expected precision (0-1)')
    .option('--lower', 'with --precision: hold the interval lower bound to it')
    .option(
      '--budget <cost,value[,rate[,maxSpend]]>',
      'cost per contact, value per conversion, conversion rate, spend cap',
    )
    .option('--min-size <n>', 'smallest audience released (default 100)')
    .option('--consent <purposes>', 'consent purposes every member must have granted, comma-separated')
    .option('--reach-lock <min-max>', 'keep every refresh within this size band')
    .option('--reach-tolerance <share>', 'keep every refresh within this share of the first size (e.g. 0.1)')
    .option('--keep <n>', 'revisions to keep (default 10)')
    .option('--every-hours <n>', 'refresh on a schedule, every n hours');

/** Registers `lookalike audience …`. */
export function registerAudienceCommands(program: Command, globals: () => GlobalOptions): void {
  const audience = program
    .command('audience')
    .description('audiences: create, refresh, inspect, compare; destinations and shares for ad platforms');

  targetOptions(audience.command('create').description(createAudienceOp.summary).argument('<modelId>'))
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

  audience
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

  audience
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

  audience
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

  audience
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

  targetOptions(audience.command('update').description(updateAudienceOp.summary).argument('<audienceId>'))
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

  audience
    .command('relax')
    .description(relaxOp.summary)
    .argument('<modelId>')
    .requiredOption('--target <n>', 'target size')
    .requiredOption(
      '--conditions <json>',
      'JSON list, e.g. [{"kind":"interest","category":"alcohol","minVisits":8}]',
    )
    .action(async (modelId: string, o: { target: string; conditions: string }) => {
      const g = globals();
      const conditions = conditionsFlag(o.conditions);
      const r = await runCliOp(g, relaxOp, { modelId, conditions, targetSize: flagNumber(o.target) });
      print(r, g, () =>
        [
          `as given: ${fmtNumber(r.full.size)} people, expected precision ${fmtPercent(r.full.expectedPrecision)}; target ${fmtNumber(r.targetSize)} (${r.method} search, ${r.evaluated} choices)`,
          ...r.readings.map((x) => `read ${x.field} "${x.typed}" as "${x.value}"`),
          `plan: ${r.note}`,
          r.explanation.en,
          textTable(
            r.alternatives.map((a) => ({
              changes: a.changes.map((c) => c.label).join('; '),
              size: a.size,
              precision: fmtPercent(a.expectedPrecision),
              reaches: a.reachesTarget ? 'yes' : 'no',
            })),
          ),
        ].join('\n'),
      );
    });

  audience
    .command('drivers')
    .description(driversOp.summary)
    .argument('<id>', 'an audience id, or a model id with --size')
    .option('--size <n>', 'audience size (the argument is then a model id)')
    .option('--top <n>', 'drivers to list (default 15)')
    .action(async (id: string, o: { size?: string; top?: string }) => {
      const g = globals();
      const input = o.size !== undefined ? { modelId: id, size: flagNumber(o.size) } : { id };
      const d = await runCliOp(g, driversOp, { ...input, top: flagNumber(o.top) });
      print(d, g, () =>
        textTable(
          d.drivers.map((x) => ({
            feature: x.feature,
            contribution: Number(x.meanContribution.toFixed(3)),
            prevalence: fmtPercent(x.prevalence),
            universe: fmtPercent(x.referencePrevalence),
            index: x.index === null ? null : Math.round(x.index),
          })),
        ),
      );
    });

  audience
    .command('overlap')
    .description(overlapOp.summary)
    .argument('<audiences...>', 'audience ids (id or id@revision)')
    .action(async (ids: string[]) => {
      const g = globals();
      const audiences = ids.map((x) => {
        const [id, revision] = x.split('@');
        return { id, ...(revision ? { revision: flagNumber(revision) } : {}) };
      });
      const r = await runCliOp(g, overlapOp, { audiences });
      print(r, g, () =>
        [
          `${fmtNumber(r.union)} people in at least one, ${fmtNumber(r.inAll)} in all`,
          textTable(
            r.pairs.map((p) => ({
              a: p.a,
              b: p.b,
              both: p.intersection,
              jaccard: Number(p.jaccard.toFixed(4)),
              'of a': fmtPercent(p.shareOfA),
              'of b': fmtPercent(p.shareOfB),
            })),
          ),
          textTable(
            r.combinations.map((c) => ({
              'only in': c.audiences.join(' + '),
              people: c.exclusive,
              share: fmtPercent(c.share),
            })),
          ),
        ].join('\n'),
      );
    });

  audience
    .command('consent')
    .description(consentSummaryOp.summary)
    .argument('<audienceId>')
    .option('--purposes <list>', 'comma-separated purposes')
    .action(async (id: string, o: { purposes?: string }) => {
      const g = globals();
      const r = await runCliOp(g, consentSummaryOp, { id, purposes: list(o.purposes) });
      print(r, g, () =>
        [
          textTable(r.purposes.map((p) => ({ ...p }))),
          textTable(
            r.destinations.map((d) => ({
              destination: d.destination,
              revision: d.revision,
              released: d.size,
              'no consent': d.counts?.consentExcluded ?? null,
              'no identifier': d.counts?.noIdentifier ?? null,
              error: d.lastReleaseError?.error ?? '',
            })),
          ),
        ].join('\n'),
      );
    });

  audience
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

  audience
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

  audience
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

  audience
    .command('unshare')
    .description(unshareOp.summary)
    .argument('<audienceId>')
    .argument('<destination>')
    .action(async (id: string, destination: string) => {
      const g = globals();
      const r = await runCliOp(g, unshareOp, { id, destination });
      print(r, g, () => `${id} is no longer shared with ${destination}`);
    });

  audience
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

  audience
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
