import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DIMENSIONS, type Dimension, segmentAffinity, siteVisitorComparison } from '../../enrich/index.ts';
import { type CategoryLevel, computeMemberFeatures } from '../../features/index.ts';
import { InvalidInputError } from '../../schema/index.ts';
import {
  listSegmentations,
  loadSegmentation,
  runSegmentation,
  type SegmentationManifest,
  type SegmentationOptions,
  segmentMemberIds,
} from '../../segment/index.ts';
import {
  fmtNumber,
  fmtPercent,
  type GlobalOptions,
  print,
  progressBar,
  textTable,
  withWorkspace,
} from '../cli-support.ts';

function whole(value: string | undefined, name: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new InvalidInputError(`--${name} must be a whole number >= ${min}, got "${value}"`, name);
  return n;
}

function kRangeOf(value: string | undefined): [number, number] | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)(?:-|\.\.|,)(\d+)$/.exec(value);
  if (!m) throw new InvalidInputError(`--k-range must look like 2-15, got "${value}"`, 'k-range');
  return [Number(m[1]), Number(m[2])];
}

function levelOf(value: string | undefined): CategoryLevel | undefined {
  if (value === undefined) return undefined;
  if (value !== '1' && value !== '2' && value !== '3') {
    throw new InvalidInputError(`--category-level must be 1, 2 or 3, got "${value}"`, 'category-level');
  }
  return Number(value) as CategoryLevel;
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

/** CLI commands of the segmentation step: features, segment, segmentations, members, affinity, visitors. */
export function registerSegmentCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('member-features')
    .description(
      'compute member purchase features as of a date (recency, frequency, monetary, basket, category, channel, time shares)',
    )
    .option('--as-of <date>', 'only purchases before this day (YYYY-MM-DD)')
    .option('--since <date>', 'only purchases from this day on')
    .option('--category-level <n>', 'product-tree level of the category shares: 1, 2 or 3 (default: chosen)')
    .option('--out <file>', 'write all rows as CSV')
    .action(async (o: { asOf?: string; since?: string; categoryLevel?: string; out?: string }) => {
      const g = globals();
      const level = levelOf(o.categoryLevel);
      const m = await withWorkspace(g, (ws) =>
        computeMemberFeatures(ws.db, {
          ...(o.asOf ? { asOf: o.asOf } : {}),
          ...(o.since ? { since: o.since } : {}),
          ...(level ? { categoryLevel: level } : {}),
        }),
      );
      if (o.out) {
        const lines = [['member_id', ...m.featureNames].join(',')];
        for (let r = 0; r < m.rows; r++) {
          lines.push(
            [m.memberIds[r], ...Array.from(m.values.subarray(r * m.cols, (r + 1) * m.cols))].join(','),
          );
        }
        await writeFile(resolve(o.out), `${lines.join('\n')}\n`);
      }
      const info = {
        members: m.rows,
        features: m.featureNames,
        asOf: m.asOf,
        categoryLevel: m.categoryLevel,
        out: o.out ?? null,
      };
      print(info, g, () =>
        [
          `${fmtNumber(m.rows)} members x ${m.cols} features as of ${m.asOf} (categories at level ${m.categoryLevel})${o.out ? `, written to ${o.out}` : ''}`,
          textTable(
            m.featureNames.map((name, c) => {
              let s = 0;
              for (let r = 0; r < m.rows; r++) s += m.values[r * m.cols + c]!;
              return { feature: name, mean: m.rows ? s / m.rows : 0 };
            }),
          ),
        ].join('\n'),
      );
    });

  program
    .command('segment')
    .description(
      'segment members by purchase behaviour (k-means; k chosen by silhouette unless --k), with Pareto, growth grid and affinity',
    )
    .option('--k <n>', 'number of segments (default: chosen by the data)')
    .option('--k-range <min-max>', 'candidate k when choosing', '3-15')
    .option('--as-of <date>', 'only purchases before this day (YYYY-MM-DD)')
    .option('--seed <n>', 'random seed', '1')
    .option('--category-level <n>', 'product-tree level of the category shares: 1, 2 or 3')
    .option('--sample-size <n>', 'members the fit is seeded on before everyone refines it', '10000')
    .option('--min-support <n>', 'least members behind an affinity index', '30')
    .option('--min-linked <n>', 'least linked members in a segment for its affinities', '50')
    .option('--no-affinity', 'skip third-party enrichment')
    .action(
      async (o: {
        k?: string;
        kRange: string;
        asOf?: string;
        seed: string;
        categoryLevel?: string;
        sampleSize: string;
        minSupport: string;
        minLinked: string;
        affinity: boolean;
      }) => {
        const g = globals();
        const options: SegmentationOptions = {
          seed: whole(o.seed, 'seed', 0)!,
          kRange: kRangeOf(o.kRange)!,
          sampleSize: whole(o.sampleSize, 'sample-size', 100)!,
          affinity: o.affinity
            ? {
                minSupport: whole(o.minSupport, 'min-support')!,
                minLinked: whole(o.minLinked, 'min-linked')!,
              }
            : false,
        };
        const k = whole(o.k, 'k', 2);
        if (k !== undefined) options.k = k;
        if (o.asOf) options.asOf = o.asOf;
        const level = levelOf(o.categoryLevel);
        if (level) options.categoryLevel = level;
        const bar = progressBar('segmenting');
        const m = await withWorkspace(g, (ws) =>
          runSegmentation(ws, options, { progress: (f, msg) => bar.update(f, msg) }),
        ).finally(bar.stop);
        print(m, g, () => summary(m));
      },
    );

  program
    .command('segmentations')
    .description('list published segmentations, newest first')
    .action(async () => {
      const g = globals();
      const list = await withWorkspace(g, (ws) => listSegmentations(ws));
      print(list, g, () =>
        textTable(
          list.map((s) => ({ id: s.id, created: s.createdAt, k: s.k, members: s.members, 'as of': s.asOf })),
        ),
      );
    });

  program
    .command('segmentation')
    .description('show a segmentation: segments, Pareto, growth grid and site-visitor highlights')
    .argument('<id>', 'segmentation id (see `segmentations`)')
    .action(async (id: string) => {
      const g = globals();
      const m = await withWorkspace(g, (ws) => loadSegmentation(ws, id));
      print(m, g, () => summary(m));
    });

  program
    .command('segment-members')
    .description('member ids of one segment, one per line')
    .argument('<segmentation>', 'segmentation id')
    .argument('<segment>', 'segment id, e.g. seg_01')
    .action(async (segmentation: string, segment: string) => {
      const g = globals();
      const ids = await withWorkspace(g, (ws) => segmentMemberIds(ws, segmentation, segment));
      print(ids, g, () => ids.join('\n'));
    });

  program
    .command('affinity')
    .description(
      'third-party affinity of a segmentation: index = segment share / population share x 100, ranked by the interval lower bound',
    )
    .argument('<segmentation>', 'segmentation id')
    .option('--segment <id>', 'only this segment')
    .option('--dimension <name>', `only this dimension: ${DIMENSIONS.join(', ')}`)
    .option('--top <n>', 'rows per segment', '10')
    .option('--min-support <n>', 'least members behind an index', '30')
    .option('--min-linked <n>', 'least linked members in a segment', '50')
    .action(
      async (
        segmentation: string,
        o: { segment?: string; dimension?: string; top: string; minSupport: string; minLinked: string },
      ) => {
        const g = globals();
        if (o.dimension && !(DIMENSIONS as readonly string[]).includes(o.dimension)) {
          throw new InvalidInputError(
            `--dimension must be one of ${DIMENSIONS.join(', ')}, got "${o.dimension}"`,
            'dimension',
          );
        }
        const report = await withWorkspace(g, (ws) =>
          segmentAffinity(ws, segmentation, {
            minSupport: whole(o.minSupport, 'min-support')!,
            minLinked: whole(o.minLinked, 'min-linked')!,
            ...(o.dimension ? { dimensions: [o.dimension as Dimension] } : {}),
          }),
        );
        const top = whole(o.top, 'top')!;
        const segments = report.segments.filter((s) => !o.segment || s.segmentId === o.segment);
        print({ ...report, segments }, g, () =>
          segments
            .map((s) =>
              [
                `${s.segmentId}: ${fmtNumber(s.linked)} of ${fmtNumber(s.members)} members linked (${fmtPercent(s.matchRate)})${s.warning ? ` WARNING: ${s.warning}` : ''}`,
                textTable(
                  s.rows.slice(0, top).map((r) => ({
                    dimension: r.dimension,
                    value: r.value,
                    members: r.segmentCount,
                    'segment %': fmtPercent(r.segmentShare),
                    'population %': fmtPercent(r.populationShare),
                    index: r.index === null ? '' : Math.round(r.index),
                    '95% CI':
                      r.ciLow === null ? (r.reason ?? '') : `${Math.round(r.ciLow)}-${Math.round(r.ciHigh!)}`,
                  })),
                ),
              ].join('\n'),
            )
            .join('\n\n'),
        );
      },
    );

  program
    .command('site-visitors')
    .description('compare site visitors who bought with those who did not')
    .option('--top <n>', 'attributes to show each way', '10')
    .action(async (o: { top: string }) => {
      const g = globals();
      const c = await withWorkspace(g, (ws) => siteVisitorComparison(ws));
      const top = whole(o.top, 'top')!;
      const rows = (list: typeof c.rows) =>
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
      print(c, g, () =>
        [
          ...c.highlights.map((h) => h.ja),
          'over-represented among visitors who do not buy:',
          rows(c.overIndexedAmongNonBuyers),
          'over-represented among buyers:',
          rows(c.overIndexedAmongBuyers),
        ].join('\n'),
      );
    });
}
