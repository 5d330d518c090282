/**
 * `lookalike audience relax|drivers|overlap|consent`: questions about an audience (how to relax its
 * conditions, what drives it, how audiences overlap, who lacks consent), each one operation.
 */
import type { Command } from 'commander';
import { consentSummaryOp, driversOp, overlapOp, relaxOp } from '../../ops/index.ts';
import { flagNumber, runCliOp } from '../cli-op.ts';
import { fmtNumber, fmtPercent, type GlobalOptions, print, textTable } from '../cli-support.ts';
import { conditionsFlag, list } from './audience-flags.ts';

/** `lookalike audience relax` */
function addRelax(parent: Command, globals: () => GlobalOptions): void {
  parent
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
}

/** `lookalike audience drivers` */
function addDrivers(parent: Command, globals: () => GlobalOptions): void {
  parent
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
}

/** `lookalike audience overlap` */
function addOverlap(parent: Command, globals: () => GlobalOptions): void {
  parent
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
}

/** `lookalike audience consent` */
function addConsent(parent: Command, globals: () => GlobalOptions): void {
  parent
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
}

/** Adds these commands to `lookalike audience`. */
export function registerAnalysisCommands(parent: Command, globals: () => GlobalOptions): void {
  addRelax(parent, globals);
  addDrivers(parent, globals);
  addOverlap(parent, globals);
  addConsent(parent, globals);
}
