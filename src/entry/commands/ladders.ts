import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  buildEngagementOp,
  cpmMovementsOp,
  cpmOp,
  decilesOp,
  engagementStatusOp,
  engagementTransitionsOp,
  getEngagementOp,
  ladderMembersOp,
  listEngagementOp,
  rfmOp,
  taxonomyOp,
} from '../../ops/index.ts';
import { InvalidInputError } from '../../schema/index.ts';
import { flagNumber, runCliOp } from '../cli-op.ts';
import { fmtNumber, fmtPercent, type GlobalOptions, print, textTable } from '../cli-support.ts';

interface ThresholdFlags {
  lapseDays?: string;
  tenureDays?: string;
  spend?: string;
}

/** `--tenure-days 90,210` as the pair the operation checks; `auto` stays text. */
function pairOf(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  const m = /^(\d+)(?:,|-|\.\.)(\d+)$/.exec(value.trim());
  return m ? [Number(m[1]), Number(m[2])] : value;
}

/** A comma list of numbers (`30,60,120`), or `auto`. */
function numbersOf(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  if (value.trim() === 'auto') return 'auto';
  return value.split(',').map((v) => flagNumber(v.trim()));
}

function thresholdsOf(o: ThresholdFlags): Record<string, unknown> | undefined {
  const t = {
    ...(o.lapseDays !== undefined ? { lapseDays: flagNumber(o.lapseDays) } : {}),
    ...(o.tenureDays !== undefined ? { tenureDays: pairOf(o.tenureDays) } : {}),
    ...(o.spend !== undefined ? { spend: flagNumber(o.spend) } : {}),
  };
  return Object.keys(t).length ? t : undefined;
}

const withThresholds = (cmd: Command) =>
  cmd
    .option('--lapse-days <n>', '離脱 after this many days without a purchase (default 240), or auto')
    .option(
      '--tenure-days <a,b>',
      'tenure bands in days: よちよち below a, 流行 below b (default 90,210), or auto',
    )
    .option(
      '--spend <amount>',
      'cumulative spend of 流行/優良 (default auto: the top fifth of repeat customers)',
    );

/** `R4-5` / `F3-5` / `M5` flags as [low, high] ranges. */
function rangeOf(value: string | undefined, dim: string): unknown {
  if (value === undefined) return undefined;
  const m = /^(\d)(?:-(\d))?$/.exec(value.trim());
  if (!m) throw new InvalidInputError(`--${dim} must be a rank or a range like 4-5, got "${value}"`, dim);
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

function readJsonFile(path: string, field: string): unknown {
  try {
    return JSON.parse(readFileSync(resolve(path), 'utf8'));
  } catch (err) {
    throw new InvalidInputError(`${field}: cannot read JSON from ${path}: ${(err as Error).message}`, field);
  }
}

/** `support=5,contribution=3` as the thresholds object. */
function engagementThresholds(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const part of value.split(',')) {
    const [k, v] = part.split('=');
    if (!k || v === undefined)
      throw new InvalidInputError(
        `--thresholds takes index=n pairs, e.g. support=5,contribution=3; got "${value}"`,
        'thresholds',
      );
    out[k.trim()] = flagNumber(v.trim());
  }
  return out;
}

function ladderCpmCommand(parent: Command, globals: () => GlobalOptions): void {
  withThresholds(parent.command('cpm').description(cpmOp.summary))
    .requiredOption('--as-of <date>', 'classes as of this day (YYYY-MM-DD)')
    .action(async (o: ThresholdFlags & { asOf: string }) => {
      const g = globals();
      const r = await runCliOp(g, cpmOp, { asOf: o.asOf, thresholds: thresholdsOf(o) });
      print(r, g, () =>
        [
          `CPM as of ${r.asOf}: ${fmtNumber(r.customers)} customers`,
          ...Object.values(r.thresholds).map((t) => `  ${t.explanation.ja}`),
          textTable(
            r.classes.map((c) => {
              const grid = r.grid.byClass.find((b) => b.id === c.id);
              return {
                class: c.ja,
                members: c.members,
                'members %': fmtPercent(c.memberShare),
                'sales %': fmtPercent(c.salesShare),
                'avg spend': Math.round(c.avgSpend),
                'grid action': grid?.mainAction
                  ? `${grid.mainAction.ja.split('：')[0]} (${fmtPercent(grid.mainAction.share)})`
                  : '',
                playbook: c.playbook.ja,
              };
            }),
          ),
        ].join('\n'),
      );
    });
}

function ladderMovementsCommand(parent: Command, globals: () => GlobalOptions): void {
  withThresholds(parent.command('movements').description(cpmMovementsOp.summary))
    .requiredOption('--from <date>', 'the first day')
    .requiredOption('--to <date>', 'the later day')
    .action(async (o: ThresholdFlags & { from: string; to: string }) => {
      const g = globals();
      const r = await runCliOp(g, cpmMovementsOp, { from: o.from, to: o.to, thresholds: thresholdsOf(o) });
      const name = new Map(r.classes.map((c) => [c.id, c.ja]));
      print(r, g, () =>
        [
          `CPM movements ${r.from} -> ${r.to}: ${fmtNumber(r.members)} customers`,
          textTable(r.totals.map((t) => ({ movement: t.ja, members: t.members }))),
          textTable(
            r.cells.map((c) => ({
              from: name.get(c.from),
              to: name.get(c.to),
              members: c.members,
              'share of from': fmtPercent(c.share),
              movement: c.kind,
            })),
          ),
        ].join('\n'),
      );
    });
}

function ladderRfmCommand(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('rfm')
    .description(rfmOp.summary)
    .requiredOption('--as-of <date>', 'ranks as of this day')
    .option('--since <date>', 'only purchases from this day on')
    .option('--r-cuts <list>', 'recency cut points in days (up to 4, ascending), or auto')
    .option('--f-cuts <list>', 'frequency cut points in purchases, or auto')
    .option('--m-cuts <list>', 'monetary cut points in spend, or auto')
    .action(async (o: { asOf: string; since?: string; rCuts?: string; fCuts?: string; mCuts?: string }) => {
      const g = globals();
      const cuts = { r: numbersOf(o.rCuts), f: numbersOf(o.fCuts), m: numbersOf(o.mCuts) };
      const r = await runCliOp(g, rfmOp, {
        asOf: o.asOf,
        since: o.since,
        cuts: Object.values(cuts).some((v) => v !== undefined) ? cuts : undefined,
      });
      print(r, g, () =>
        [
          `RFM as of ${r.asOf}${r.since ? ` since ${r.since}` : ''}: ${fmtNumber(r.customers)} customers`,
          `cuts: R ${r.cuts.r.cuts.join('/')} days, F ${r.cuts.f.cuts.join('/')}, M ${r.cuts.m.cuts.join('/')}`,
          textTable(
            [1, 2, 3, 4, 5].map((k) => ({
              rank: k,
              R: r.distribution.r[k - 1],
              F: r.distribution.f[k - 1],
              M: r.distribution.m[k - 1],
            })),
          ),
          textTable(
            r.cells
              .slice(0, 15)
              .map((c) => ({ score: c.score, members: c.members, 'sales %': fmtPercent(c.salesShare) })),
          ),
        ].join('\n'),
      );
    });
}

function ladderDecilesCommand(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('deciles')
    .description(decilesOp.summary)
    .requiredOption('--as-of <date>', 'as of this day')
    .option('--since <date>', 'only purchases from this day on (e.g. the last 12 months)')
    .action(async (o: { asOf: string; since?: string }) => {
      const g = globals();
      const r = await runCliOp(g, decilesOp, { asOf: o.asOf, since: o.since });
      print(r, g, () =>
        [
          `デシル分析 as of ${r.asOf}${r.since ? ` since ${r.since}` : ''}: ${fmtNumber(r.customers)} customers, sales ${fmtNumber(r.totalSales)}`,
          textTable(
            r.deciles.map((d) => ({
              decile: d.decile,
              members: d.members,
              'sales %': fmtPercent(d.salesShare),
              'cumulative %': fmtPercent(d.cumulativeShare),
              'spend from': Math.round(d.minSpend),
              'spend to': Math.round(d.maxSpend),
            })),
          ),
        ].join('\n'),
      );
    });
}

function ladderMembersCommand(parent: Command, globals: () => GlobalOptions): void {
  withThresholds(parent.command('members').description(`${ladderMembersOp.summary}, one per line`))
    .requiredOption('--as-of <date>', 'the class as of this day')
    .option(
      '--cpm <classes>',
      'CPM classes, stages or states, comma-separated: 優良・現役, loyal_active, 現役, ...',
    )
    .option('--r <range>', 'RFM recency rank or range, e.g. 4-5')
    .option('--f <range>', 'RFM frequency rank or range')
    .option('--m <range>', 'RFM monetary rank or range')
    .option('--deciles <list>', 'spend deciles, e.g. 1,2')
    .option('--since <date>', 'RFM and deciles: only purchases from this day on')
    .option('--engagement <ladderId>', 'an engagement ladder (with --statuses)')
    .option('--statuses <list>', 'engagement statuses, e.g. 貢献度,交流度')
    .option('--third-party', 'print the linked third-party IDs instead of member IDs')
    .action(
      async (
        o: ThresholdFlags & {
          asOf: string;
          cpm?: string;
          r?: string;
          f?: string;
          m?: string;
          deciles?: string;
          since?: string;
          engagement?: string;
          statuses?: string;
          thirdParty?: boolean;
        },
      ) => {
        const g = globals();
        const list = (v: string) =>
          v
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean);
        let cls: unknown;
        if (o.cpm) cls = { ladder: 'cpm', classes: list(o.cpm), thresholds: thresholdsOf(o) };
        else if (o.deciles)
          cls = { ladder: 'decile', deciles: list(o.deciles).map(flagNumber), since: o.since };
        else if (o.engagement)
          cls = { ladder: 'engagement', ladderId: o.engagement, statuses: list(o.statuses ?? '') };
        else if (o.r || o.f || o.m)
          cls = {
            ladder: 'rfm',
            r: rangeOf(o.r, 'r'),
            f: rangeOf(o.f, 'f'),
            m: rangeOf(o.m, 'm'),
            since: o.since,
          };
        else
          throw new InvalidInputError('name a class: --cpm, --r/--f/--m, --deciles or --engagement', 'class');
        const r = await runCliOp(g, ladderMembersOp, { asOf: o.asOf, class: cls });
        print(r, g, () => (o.thirdParty ? r.thirdPartyIds : r.memberIds).join('\n'));
      },
    );
}

function engagementBuildCommand(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('build')
    .description(buildEngagementOp.summary)
    .requiredOption('--as-of <date>', 'statuses as of this day')
    .option('--window-days <n>', 'days of actions a status counts (default 90)')
    .option('--thresholds <pairs>', 'thresholds to keep fixed, e.g. support=5,contribution=3')
    .option('--max-threshold <n>', 'largest threshold simulated (default 30)')
    .option('--taxonomy <file>', 'a taxonomy JSON file (default: data/ladders/engagement-taxonomy.json)')
    .option('--mined-since <date>', 'mine steps from this day on')
    .option('--lookback-days <n>', 'days before a step an event counts as its trigger (default 30)')
    .option('--min-support <x>', 'least share of steps a trigger preceded (default 0.2)')
    .option('--min-lift <x>', 'least lift of a trigger over members who did not move (default 2)')
    .action(
      async (o: {
        asOf: string;
        windowDays?: string;
        thresholds?: string;
        maxThreshold?: string;
        taxonomy?: string;
        minedSince?: string;
        lookbackDays?: string;
        minSupport?: string;
        minLift?: string;
      }) => {
        const g = globals();
        const triggers = {
          ...(o.lookbackDays ? { lookbackDays: flagNumber(o.lookbackDays) } : {}),
          ...(o.minSupport ? { minSupport: flagNumber(o.minSupport) } : {}),
          ...(o.minLift ? { minLift: flagNumber(o.minLift) } : {}),
        };
        const result = await runCliOp(
          g,
          buildEngagementOp,
          {
            asOf: o.asOf,
            windowDays: flagNumber(o.windowDays),
            thresholds: engagementThresholds(o.thresholds),
            maxThreshold: flagNumber(o.maxThreshold),
            taxonomy: o.taxonomy ? readJsonFile(o.taxonomy, 'taxonomy') : undefined,
            minedSince: o.minedSince,
            triggers: Object.keys(triggers).length ? triggers : undefined,
          },
          { label: 'engagement ladder' },
        );
        const m = await runCliOp(g, getEngagementOp, { id: result.ladderId });
        print(m, g, () => engagementText(m));
      },
    );
}

function engagementListCommand(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('list')
    .description(listEngagementOp.summary)
    .action(async () => {
      const g = globals();
      const { ladders } = await runCliOp(g, listEngagementOp, {});
      print(ladders, g, () =>
        textTable(
          ladders.map((l) => ({
            id: l.id,
            'as of': l.asOf,
            window: l.windowDays,
            members: l.population,
            thresholds: Object.entries(l.thresholds)
              .map(([k, v]) => `${k}=${v}`)
              .join(' '),
          })),
        ),
      );
    });
}

function engagementShowCommand(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('show')
    .description(getEngagementOp.summary)
    .argument('<id>', 'engagement ladder id')
    .action(async (id: string) => {
      const g = globals();
      const m = await runCliOp(g, getEngagementOp, { id });
      print(m, g, () => engagementText(m));
    });
}

function engagementStatusCommand(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('status')
    .description(engagementStatusOp.summary)
    .argument('<id>', 'engagement ladder id')
    .requiredOption('--as-of <date>', 'the day')
    .action(async (id: string, o: { asOf: string }) => {
      const g = globals();
      const r = await runCliOp(g, engagementStatusOp, { id, asOf: o.asOf });
      print(r, g, () =>
        [
          `${r.ladderId} as of ${r.asOf}: ${fmtNumber(r.population)} members`,
          textTable(
            r.distribution.map((d) => ({ status: d.ja, members: d.members, share: fmtPercent(d.share) })),
          ),
        ].join('\n'),
      );
    });
}

function engagementTransitionsCommand(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('transitions')
    .description(engagementTransitionsOp.summary)
    .argument('<id>', 'engagement ladder id')
    .requiredOption('--from <date>', 'the first day')
    .requiredOption('--to <date>', 'the later day')
    .action(async (id: string, o: { from: string; to: string }) => {
      const g = globals();
      const r = await runCliOp(g, engagementTransitionsOp, { id, from: o.from, to: o.to });
      const name = new Map(r.statuses.map((s) => [s.status, s.ja]));
      print(r, g, () =>
        [
          `${r.ladderId}: ${r.from} -> ${r.to}; up ${r.totals.up}, down ${r.totals.down}, stayed ${r.totals.stayed}, new ${r.totals.new}`,
          textTable(
            r.cells.map((c) => ({
              from: name.get(c.from),
              to: name.get(c.to),
              members: c.members,
              'share of from': fmtPercent(c.share),
              kind: c.kind,
            })),
          ),
        ].join('\n'),
      );
    });
}

function ladderTaxonomyCommand(parent: Command, globals: () => GlobalOptions): void {
  parent
    .command('taxonomy')
    .description(taxonomyOp.summary)
    .action(async () => {
      const g = globals();
      const t = await runCliOp(g, taxonomyOp, {});
      const name = (i: string | null) => (i ? `${t.indices[i as keyof typeof t.indices].ja}` : '（なし）');
      print(t, g, () =>
        textTable(
          t.rules.map((r) => ({
            place: r.place,
            type: r.actionType,
            target: r.targetKind,
            index: name(r.index),
            'if not substantive': r.substantive ? name(r.substantive.otherwise) : '',
          })),
        ),
      );
    });
}

/**
 * CLI commands of the growth ladders (`lookalike ladder ...`). Each turns its flags into its
 * operation's input (`ops/ladders`): the defaults, limits and messages are the operation's.
 */
export function registerLadderCommands(program: Command, globals: () => GlobalOptions): void {
  const ladder = program
    .command('ladder')
    .description('Growth ladders: CPM, RFM, deciles, the engagement ladder');
  ladderCpmCommand(ladder, globals);
  ladderMovementsCommand(ladder, globals);
  ladderRfmCommand(ladder, globals);
  ladderDecilesCommand(ladder, globals);
  ladderMembersCommand(ladder, globals);
  const engagement = ladder
    .command('engagement')
    .description('The engagement ladder (応援度 < 好意度 < 交流度 < 貢献度)');
  engagementBuildCommand(engagement, globals);
  engagementListCommand(engagement, globals);
  engagementShowCommand(engagement, globals);
  engagementStatusCommand(engagement, globals);
  engagementTransitionsCommand(engagement, globals);
  ladderTaxonomyCommand(ladder, globals);
}

function engagementText(m: Awaited<ReturnType<typeof getEngagementOp.run>>): string {
  const lines = [
    `engagement ladder ${m.id} as of ${m.asOf} (${m.windowDays}-day window): ${fmtNumber(m.status.population)} members, ${fmtNumber(m.data.actions)} actions`,
    `texts judged: ${fmtNumber(m.data.texts.judged)} (${fmtNumber(m.data.texts.notSubstantive)} not substantive)${m.data.unclassified.length ? `; actions no rule matched: ${m.data.unclassified.map((u) => `${u.place}/${u.actionType}/${u.targetKind} (${u.actions})`).join(', ')}` : ''}`,
    'thresholds (chosen by simulation unless given):',
    ...m.simulation.choices.map((c) => `  ${c.explanation.ja}`),
    textTable(
      m.status.distribution.map((d) => ({ status: d.ja, members: d.members, share: fmtPercent(d.share) })),
    ),
    `routes to 貢献度 (${fmtNumber(m.routes.successful)} of ${fmtNumber(m.routes.onLadder)} members, ${fmtPercent(m.routes.conversion)}):`,
    textTable(
      m.routes.routes.slice(0, 8).map((r) => ({
        route: r.label.ja,
        members: r.members,
        support: fmtPercent(r.support),
        conversion: fmtPercent(r.conversion),
        lift: r.lift.toFixed(2),
        'median days': r.medianDays ?? '',
      })),
    ),
    'triggers:',
    textTable(
      m.triggers.steps.flatMap((s) =>
        s.triggers.map((t) => ({
          step: s.label.ja,
          trigger: t.label.ja,
          support: fmtPercent(t.support),
          'non-movers': fmtPercent(t.baseline),
          lift: t.lift.toFixed(1),
        })),
      ),
    ),
    'next-step nudges:',
    ...m.nudges.map((n) => `  ${n.ja}: ${n.nudge.ja}${n.evidence ? `（${n.evidence.text.ja}）` : ''}`),
  ];
  return lines.join('\n');
}
