import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { AffinityRow, SiteVisitorComparison } from '../../enrich/index.ts';
import {
  getSegmentationOp,
  listSegmentationsOp,
  memberFeaturesOp,
  runSegmentationOp,
  segmentAffinityOp,
  segmentMembersOp,
  siteVisitorsOp,
} from '../../ops/index.ts';
import type { SegmentationManifest } from '../../segment/index.ts';
import { flagNumber, runCliOp } from '../cli-op.ts';
import { fmtNumber, fmtPercent, type GlobalOptions, print, textTable } from '../cli-support.ts';

/** `3-15` (or `3..15`, `3,15`) as the [low, high] pair the operation checks. */
function kRangeOf(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  const m = /^(\d+)(?:-|\.\.|,)(\d+)$/.exec(value);
  return m ? [Number(m[1]), Number(m[2])] : value;
}

function segmentsTable(m: SegmentationManifest): string {
  return textTable(
    m.segments.map((s) => ({
      segment: s.segmentId,
      name: s.nameJa,
      members: s.size,
      'members %': fmtPercent(s.memberShare),
      'sales %': fmtPercent(s.salesShare),
      'important %': fmtPercent(s.importantRate),
      'link %': m.affinity
        ? fmtPercent(m.affinity.segments.find((a) => a.segmentId === s.segmentId)?.matchRate ?? 0)
        : '',
      english: s.nameEn,
    })),
  );
}

function summary(m: SegmentationManifest): string {
  const sel = m.params.kSelection;
  const lines = [
    `segmentation ${m.id}: ${fmtNumber(m.data.members)} members as of ${m.data.asOf}, k = ${m.params.k}${sel ? ` (chosen by silhouette over ${m.params.kRange.join('-')})` : ''}, ${m.metrics.seconds.toFixed(1)} s`,
  ];
  if (sel)
    lines.push(`silhouette by k: ${sel.scores.map((s) => `${s.k}:${s.silhouette.toFixed(3)}`).join('  ')}`);
  lines.push(segmentsTable(m));
  const p = m.pareto;
  lines.push(
    `Pareto: top ${fmtPercent(p.importantShare)} of members make ${fmtPercent(p.topShareOfSales)} of sales; ${fmtPercent(p.membersFor80PctOfSales)} make 80%; Gini ${p.gini.toFixed(3)}`,
  );
  lines.push(
    `growth grid (frequency cuts ${m.grid.frequency.cuts.join(', ') || '-'}; category cuts ${m.grid.breadth.cuts.join(', ') || '-'}):`,
  );
  lines.push(
    textTable(
      m.grid.cells.map((c) => ({
        frequency: c.frequencyBand,
        categories: c.breadthBand,
        members: c.members,
        'sales %': fmtPercent(c.salesShare),
        action: c.actionJa,
      })),
    ),
  );
  for (const h of m.siteVisitors?.highlights ?? []) lines.push(h.ja);
  return lines.join('\n');
}

/**
 * CLI commands of the segmentation step. Each turns its flags into its operation's input
 * (`ops/segments`): the defaults, limits and messages are the operation's, as over the API.
 */
export function registerSegmentCommands(program: Command, globals: () => GlobalOptions): void {
  memberFeaturesCommand(program, globals);
  segmentCommand(program, globals);
  segmentationsCommand(program, globals);
  segmentationCommand(program, globals);
  segmentMembersCommand(program, globals);
  affinityCommand(program, globals);
  siteVisitorsCommand(program, globals);
}

function memberFeaturesCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('member-features')
    .description(memberFeaturesOp.summary)
    .option('--as-of <date>', 'only purchases before this day (YYYY-MM-DD)')
    .option('--since <date>', 'only purchases from this day on')
    .option('--category-level <n>', 'product-tree level of the category shares: 1, 2 or 3 (default: chosen)')
    .option('--out <file>', 'write all rows as CSV')
    .action(async (o: { asOf?: string; since?: string; categoryLevel?: string; out?: string }) => {
      const g = globals();
      const r = await runCliOp(g, memberFeaturesOp, {
        asOf: o.asOf,
        since: o.since,
        categoryLevel: flagNumber(o.categoryLevel),
        out: o.out ? resolve(o.out) : undefined,
      });
      print(r, g, () =>
        [
          `${fmtNumber(r.members)} members x ${r.means.length} features as of ${r.asOf} (categories at level ${r.categoryLevel})${r.out ? `, written to ${r.out}` : ''}`,
          textTable(r.means),
        ].join('\n'),
      );
    });
}

function segmentCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('segment')
    .description(runSegmentationOp.summary)
    .option('--k <n>', 'number of segments (default: chosen by the data)')
    .option('--k-range <min-max>', 'candidate k when choosing (default 3-15)')
    .option('--as-of <date>', 'only purchases before this day (YYYY-MM-DD)')
    .option('--seed <n>', 'random seed (default 1)')
    .option('--category-level <n>', 'product-tree level of the category shares: 1, 2 or 3')
    .option('--sample-size <n>', 'members the fit is seeded on before everyone refines it (default 10000)')
    .option('--min-support <n>', 'least members behind an affinity index (default 30)')
    .option('--min-linked <n>', 'least linked members in a segment for its affinities (default 50)')
    .option('--no-affinity', 'skip third-party enrichment')
    .action(
      async (o: {
        k?: string;
        kRange?: string;
        asOf?: string;
        seed?: string;
        categoryLevel?: string;
        sampleSize?: string;
        minSupport?: string;
        minLinked?: string;
        affinity: boolean;
      }) => {
        const g = globals();
        const result = await runCliOp(
          g,
          runSegmentationOp,
          {
            k: flagNumber(o.k),
            kRange: kRangeOf(o.kRange),
            asOf: o.asOf,
            seed: flagNumber(o.seed),
            categoryLevel: flagNumber(o.categoryLevel),
            sampleSize: flagNumber(o.sampleSize),
            affinity: o.affinity
              ? { minSupport: flagNumber(o.minSupport), minLinked: flagNumber(o.minLinked) }
              : false,
          },
          { label: 'segmenting' },
        );
        const m = await runCliOp(g, getSegmentationOp, { id: result.segmentationId });
        print(m, g, () => summary(m));
      },
    );
}

function segmentationsCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('segmentations')
    .description(listSegmentationsOp.summary)
    .action(async () => {
      const g = globals();
      const { segmentations } = await runCliOp(g, listSegmentationsOp, {});
      print(segmentations, g, () =>
        textTable(
          segmentations.map((s) => ({
            id: s.id,
            created: s.createdAt,
            k: s.k,
            members: s.members,
            'as of': s.asOf,
          })),
        ),
      );
    });
}

function segmentationCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('segmentation')
    .description(getSegmentationOp.summary)
    .argument('<id>', 'segmentation id (see `segmentations`)')
    .action(async (id: string) => {
      const g = globals();
      const m = await runCliOp(g, getSegmentationOp, { id });
      print(m, g, () => summary(m));
    });
}

function segmentMembersCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('segment-members')
    .description(`${segmentMembersOp.summary}, one per line`)
    .argument('<segmentation>', 'segmentation id')
    .argument('<segment>', 'segment id, e.g. seg_01')
    .action(async (segmentation: string, segment: string) => {
      const g = globals();
      const r = await runCliOp(g, segmentMembersOp, { id: segmentation, segmentId: segment });
      print(r.memberIds, g, () => r.memberIds.join('\n'));
    });
}

function affinityCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('affinity')
    .description(`${segmentAffinityOp.summary} (index = segment share / population share x 100)`)
    .argument('<segmentation>', 'segmentation id')
    .option('--segment <id>', 'only this segment')
    .option('--dimension <name>', 'only this dimension')
    .option('--top <n>', 'rows per segment (default 50)')
    .option('--min-support <n>', 'least members behind an index (recomputes)')
    .option('--min-linked <n>', 'least linked members in a segment (recomputes)')
    .option('--confidence <level>', 'interval level: 0.8, 0.9, 0.95, 0.98 or 0.99 (recomputes)')
    .action(
      async (
        segmentation: string,
        o: {
          segment?: string;
          dimension?: string;
          top?: string;
          minSupport?: string;
          minLinked?: string;
          confidence?: string;
        },
      ) => {
        const g = globals();
        const report = await runCliOp(g, segmentAffinityOp, {
          id: segmentation,
          segmentId: o.segment,
          dimension: o.dimension,
          limit: flagNumber(o.top),
          minSupport: flagNumber(o.minSupport),
          minLinked: flagNumber(o.minLinked),
          confidence: flagNumber(o.confidence),
        });
        print(report, g, () =>
          report.segments
            .map((s) =>
              [
                `${s.segmentId}: ${fmtNumber(s.linked)} of ${fmtNumber(s.members)} members linked (${fmtPercent(s.matchRate)})${s.warning ? ` WARNING: ${s.warning}` : ''}`,
                affinityTable(s.rows),
              ].join('\n'),
            )
            .join('\n\n'),
        );
      },
    );
}

function siteVisitorsCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('site-visitors')
    .description(siteVisitorsOp.summary)
    .option('--segmentation <id>', 'the comparison stored with this segmentation (default: computed now)')
    .option('--top <n>', 'attributes to show each way', '10')
    .action(async (o: { segmentation?: string; top: string }) => {
      const g = globals();
      const r = await runCliOp(g, siteVisitorsOp, { id: o.segmentation });
      const top = Number(o.top) || 10;
      print(r, g, () => (r.comparison ? visitorsText(r.comparison, top) : (r.reason ?? '')));
    });
}

function affinityTable(rows: readonly AffinityRow[]): string {
  return textTable(
    rows.map((r) => ({
      dimension: r.dimension,
      value: r.value,
      members: r.segmentCount,
      'segment %': fmtPercent(r.segmentShare),
      'population %': fmtPercent(r.populationShare),
      index: r.index === null ? '' : Math.round(r.index),
      '95% CI': r.ciLow === null ? (r.reason ?? '') : `${Math.round(r.ciLow)}-${Math.round(r.ciHigh!)}`,
    })),
  );
}

function visitorsText(c: SiteVisitorComparison, top: number): string {
  const rows = (list: SiteVisitorComparison['rows']) =>
    textTable(
      list.slice(0, top).map((r) => ({
        dimension: r.dimension,
        value: r.value,
        'non-buyers %': fmtPercent(r.nonBuyerShare),
        'buyers %': fmtPercent(r.buyerShare),
        index: r.index === null ? '' : Math.round(r.index),
        '95% CI': r.ciLow === null ? '' : `${Math.round(r.ciLow)}-${Math.round(r.ciHigh!)}`,
      })),
    );
  return [
    ...c.highlights.map((h) => h.ja),
    'over-represented among visitors who do not buy:',
    rows(c.overIndexedAmongNonBuyers),
    'over-represented among buyers:',
    rows(c.overIndexedAmongBuyers),
  ].join('\n');
}
