import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  type AudienceTarget,
  type Condition,
  createAudience,
  explainAudience,
  listAudiences,
  loadAudience,
  modelFrontier,
  relaxConditions,
} from '../../audience/index.ts';
import {
  explainIds,
  listLookalikeModels,
  loadLookalikeModel,
  type SeedSpec,
  type TrainLookalikeOptions,
  trainLookalike,
} from '../../lookalike/index.ts';
import { InvalidInputError } from '../../schema/index.ts';
import {
  fmtNumber,
  fmtPercent,
  type GlobalOptions,
  print,
  progressBar,
  textTable,
  withWorkspace,
} from '../cli-support.ts';

function num(value: string, name: string, integer = false): number {
  const n = Number(value);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new InvalidInputError(`--${name} must be a ${integer ? 'whole ' : ''}number, got "${value}"`, name);
  }
  return n;
}

/** IDs from a file: one per line, or a JSON array. */
function idsFromFile(path: string): string[] {
  const text = readFileSync(path, 'utf8').trim();
  if (text.startsWith('[')) return (JSON.parse(text) as unknown[]).map(String);
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

interface SeedFlags {
  segment?: string;
  members?: string;
  tpIds?: string;
  purchase?: string;
  category?: string;
  since?: string;
  until?: string;
  minSpend?: string;
  top?: string;
}

function seedFrom(o: SeedFlags, prefix: string): SeedSpec | undefined {
  const given = [o.segment, o.members, o.tpIds, o.purchase ?? o.category, o.top].filter(
    (v) => v !== undefined,
  );
  if (given.length > 1) {
    throw new InvalidInputError(`give one ${prefix}seed source, got ${given.length}`, `${prefix}seed`);
  }
  if (o.segment) {
    const [segmentationId, segmentId] = o.segment.split(':');
    if (!segmentationId || !segmentId) {
      throw new InvalidInputError(
        `--${prefix}segment must be <segmentationId>:<segmentId>, got "${o.segment}"`,
        'segment',
      );
    }
    return { kind: 'segment', segmentationId, segmentId };
  }
  if (o.members) return { kind: 'members', memberIds: idsFromFile(o.members) };
  if (o.tpIds) return { kind: 'third_party_ids', tpIds: idsFromFile(o.tpIds) };
  if (o.purchase !== undefined || o.category !== undefined) {
    return {
      kind: 'purchase',
      ...(o.purchase ? { nameContains: o.purchase } : {}),
      ...(o.category ? { categories: o.category.split(',') } : {}),
      ...(o.since ? { since: o.since } : {}),
      ...(o.until ? { until: o.until } : {}),
      ...(o.minSpend ? { minSpend: num(o.minSpend, 'min-spend') } : {}),
    };
  }
  if (o.top) {
    const v = num(o.top, 'top');
    return v < 1 ? { kind: 'top_value', share: v } : { kind: 'top_value', count: Math.round(v) };
  }
  return undefined;
}

function targetFrom(o: {
  size?: string;
  precision?: string;
  lower?: boolean;
  budget?: string;
}): AudienceTarget {
  const given = [o.size, o.precision, o.budget].filter((v) => v !== undefined).length;
  if (given !== 1)
    throw new InvalidInputError('give exactly one of --size, --precision or --budget', 'target');
  if (o.size) return { kind: 'size', size: num(o.size, 'size', true) };
  if (o.precision)
    return {
      kind: 'precision',
      minPrecision: num(o.precision, 'precision'),
      basis: o.lower ? 'lower' : 'expected',
    };
  const [cost, value, rate, maxSpend] = o.budget!.split(',').map((v) => num(v, 'budget'));
  if (cost === undefined || value === undefined) {
    throw new InvalidInputError('--budget is cost,value[,conversionRate[,maxSpend]]', 'budget');
  }
  return {
    kind: 'budget',
    costPerPerson: cost,
    valuePerConversion: value,
    ...(rate !== undefined ? { conversionRate: rate } : {}),
    ...(maxSpend !== undefined ? { maxSpend } : {}),
  };
}

/**
 * `lookalike model ...` (train, list, show, frontier, explain) and `lookalike audience ...`
 * (create, list, show, relax, drivers).
 *
 * @param program the root command
 * @param globals the global options (--json, --home)
 * @example
 * registerLookalikeCommands(program, () => program.opts());
 */
export function registerLookalikeCommands(program: Command, globals: () => GlobalOptions): void {
  const model = program
    .command('model')
    .description('lookalike models: train from a seed, inspect, frontier, explain');
  model
    .command('train')
    .description('train a lookalike scorer from a 1st-party seed')
    .requiredOption('--universe <universe>', 'third_party (acquisition) or members (cross-sell)')
    .option('--segment <sgm:seg>', 'seed: a segment, as <segmentationId>:<segmentId>')
    .option('--members <file>', 'seed: member IDs, one per line or a JSON array')
    .option('--tp-ids <file>', 'seed: third-party IDs (third_party universe)')
    .option('--purchase <text>', 'seed: members who bought products whose name contains this')
    .option('--category <codes>', 'seed: members who bought in these category codes (comma-separated)')
    .option('--since <day>', 'purchase/top seed window start (YYYY-MM-DD)')
    .option('--until <day>', 'purchase/top seed window end, exclusive')
    .option('--min-spend <n>', 'purchase seed: smallest spend on matching lines')
    .option('--top <n>', 'seed: top members by net sales, a count or a share (< 1)')
    .option('--negative-members <file>', 'negative seed: members to be unlike')
    .option('--negative-segment <sgm:seg>', 'negative seed: a segment to be unlike')
    .option('--as-of <day>', 'members universe: features from data strictly before this day')
    .option('--opted-out <file>', 'IDs that must never be scored')
    .option('--exclude <file>', 'other IDs to leave out')
    .option('--keep-customers', 'third_party universe: do not exclude existing customers')
    .option('--random-seed <n>', 'random seed', '42')
    .option('--unlabelled <n>', 'unlabelled sample size', '40000')
    .option('--id <id>', 'model id')
    .action(async (o: SeedFlags & Record<string, string | boolean | undefined>) => {
      const g = globals();
      const seed = seedFrom(o, '');
      if (!seed)
        throw new InvalidInputError(
          'give a seed: --segment, --members, --tp-ids, --purchase, --category or --top',
          'seed',
        );
      const negative = seedFrom(
        {
          members: o.negativeMembers as string | undefined,
          segment: o.negativeSegment as string | undefined,
        },
        'negative-',
      );
      const options: TrainLookalikeOptions = {
        seed,
        universe: o.universe as TrainLookalikeOptions['universe'],
        randomSeed: num(String(o.randomSeed), 'random-seed', true),
        unlabelledSample: num(String(o.unlabelled), 'unlabelled', true),
        exclusions: {
          existingCustomers: !o.keepCustomers,
          ...(o.optedOut ? { optedOut: idsFromFile(String(o.optedOut)) } : {}),
          ...(o.exclude ? { ids: idsFromFile(String(o.exclude)) } : {}),
        },
        ...(negative ? { negativeSeed: negative } : {}),
        ...(o.asOf ? { asOf: String(o.asOf) } : {}),
        ...(o.id ? { id: String(o.id) } : {}),
      };
      const bar = progressBar('training');
      const result = await withWorkspace(g, (ws) =>
        trainLookalike(ws, options, { progress: (f, stage) => bar.update(f, stage) }),
      );
      bar.stop();
      const m = result.manifest;
      print(m, g, () =>
        [
          `model ${m.id}: ${m.architecture} on ${m.universe} (${fmtNumber(m.training.universeSize)} people after exclusions)`,
          `seed: ${m.seed.description}; ${fmtNumber(m.diagnostics.matched)} matched${m.diagnostics.matchRate === null ? '' : ` (match rate ${fmtPercent(m.diagnostics.matchRate)})`}`,
          textTable(
            m.candidates.map((c) => ({
              model: c.architecture,
              validationAuc: Number(c.validationAuc.toFixed(4)),
              epoch: c.bestEpoch,
              seconds: Number(c.seconds.toFixed(1)),
            })),
          ),
          `estimated positive share ${fmtPercent(m.calibration.positiveShare)} [${fmtPercent(m.calibration.positiveShareInterval[0])}, ${fmtPercent(m.calibration.positiveShareInterval[1])}]`,
          ...m.diagnostics.warnings.map((w) => `warning (${w.code}): ${w.message}`),
        ].join('\n'),
      );
    });

  model
    .command('list')
    .description('stored lookalike models, newest first')
    .action(async () => {
      const g = globals();
      const models = await withWorkspace(g, (ws) => listLookalikeModels(ws.artifacts));
      print(models, g, () =>
        textTable(
          models.map((m) => ({
            id: m.id,
            universe: m.universe,
            model: m.architecture,
            seed: m.seed.description,
            matched: m.seed.matched,
            auc: Number((m.diagnostics.distinctiveness ?? 0).toFixed(3)),
            created: m.createdAt.slice(0, 19),
          })),
        ),
      );
    });

  model
    .command('show')
    .description('a model manifest: data, seed, metrics, calibration, diagnostics')
    .argument('<modelId>')
    .action(async (id: string) => {
      const g = globals();
      const m = await withWorkspace(g, async (ws) => (await loadLookalikeModel(ws.artifacts, id)).manifest);
      print(m, g, () => JSON.stringify(m, null, 2));
    });

  model
    .command('frontier')
    .description('expected precision with its interval at every audience size')
    .argument('<modelId>')
    .option('--sizes <n,...>', 'exact sizes to include')
    .option('--steps <n>', 'grid points', '40')
    .action(async (id: string, o: { sizes?: string; steps: string }) => {
      const g = globals();
      const sizes = o.sizes ? o.sizes.split(',').map((s) => num(s, 'sizes', true)) : [];
      const f = await withWorkspace(g, (ws) =>
        modelFrontier(ws, id, { steps: num(o.steps, 'steps', true), sizes }),
      );
      print(f, g, () =>
        [
          `universe ${fmtNumber(f.summary.universeSize)}, estimated positive share ${fmtPercent(f.summary.positiveShare)} [${fmtPercent(f.summary.positiveShareCi[0])}, ${fmtPercent(f.summary.positiveShareCi[1])}]`,
          textTable(
            f.points.map((p) => ({
              size: p.size,
              share: fmtPercent(p.share),
              threshold: Number(p.threshold.toFixed(4)),
              precision: fmtPercent(p.expectedPrecision),
              ci: `${fmtPercent(p.ci[0])} - ${fmtPercent(p.ci[1])}`,
              positives: Math.round(p.expectedPositives),
              recall: fmtPercent(p.heldOutRecall),
              lift: Number(p.lift.toFixed(2)),
            })),
          ),
        ].join('\n'),
      );
    });

  model
    .command('explain')
    .description('top feature contributions of given IDs')
    .argument('<modelId>')
    .argument('<ids...>')
    .option('--top <n>', 'contributions per ID', '8')
    .action(async (id: string, ids: string[], o: { top: string }) => {
      const g = globals();
      const out = await withWorkspace(g, (ws) => explainIds(ws, id, ids, num(o.top, 'top', true)));
      print(out, g, () =>
        out
          .map((e) =>
            [
              `${e.id}  score ${e.score.toFixed(4)}`,
              ...e.contributions.map(
                (c) =>
                  `  ${c.contribution >= 0 ? '+' : ''}${c.contribution.toFixed(3)}  ${c.feature} = ${Number(c.value.toFixed(3))}`,
              ),
            ].join('\n'),
          )
          .join('\n'),
      );
    });

  const audience = program
    .command('audience')
    .description('audiences: create for a target, inspect, relax conditions');
  audience
    .command('create')
    .description('materialise an audience for a size, a minimum precision or a budget')
    .argument('<modelId>')
    .option('--size <n>', 'target size')
    .option('--precision <p>', 'minimum expected precision (0-1)')
    .option('--lower', 'with --precision: hold the interval lower bound to it')
    .option(
      '--budget <cost,value[,rate[,maxSpend]]>',
      'cost per person, value per conversion, conversion rate, spend cap',
    )
    .option('--min-size <n>', 'smallest audience released', '100')
    .option('--opted-out <file>', 'further IDs to leave out')
    .option('--no-need-mix', 'skip the need mix')
    .option('--id <id>', 'audience id')
    .action(async (modelId: string, o: Record<string, string | boolean | undefined>) => {
      const g = globals();
      const target = targetFrom(o as { size?: string; precision?: string; lower?: boolean; budget?: string });
      const bar = progressBar('scoring');
      const a = await withWorkspace(g, (ws) =>
        createAudience(
          ws,
          {
            modelId,
            target,
            minSize: num(String(o.minSize), 'min-size', true),
            ...(o.optedOut ? { exclusions: { optedOut: idsFromFile(String(o.optedOut)) } } : {}),
            ...(o.needMix === false ? { needMix: false as const } : {}),
            ...(o.id ? { id: String(o.id) } : {}),
          },
          { progress: (f, s) => bar.update(f, s) },
        ),
      );
      bar.stop();
      const m = a.manifest;
      print(m, g, () =>
        [
          `audience ${m.id}: ${fmtNumber(m.size)} of ${fmtNumber(m.universeSize)} (${m.note})`,
          `expected precision ${fmtPercent(m.expectedPrecision)} [${fmtPercent(m.ci[0])}, ${fmtPercent(m.ci[1])}] at ${fmtPercent(m.confidence)}; ${fmtNumber(Math.round(m.expectedPositives))} expected positives; lift ${m.lift.toFixed(2)}; held-out recall ${fmtPercent(m.heldOutRecall)}`,
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
    .description('stored audiences, newest first')
    .action(async () => {
      const g = globals();
      const list = await withWorkspace(g, (ws) => listAudiences(ws));
      print(list, g, () =>
        textTable(
          list.map((m) => ({
            id: m.id,
            model: m.modelId,
            target: m.target.kind,
            size: m.size,
            precision: fmtPercent(m.expectedPrecision),
            created: m.createdAt.slice(0, 19),
          })),
        ),
      );
    });

  audience
    .command('show')
    .description('an audience manifest and its first IDs')
    .argument('<audienceId>')
    .option('--head <n>', 'IDs to print', '10')
    .action(async (id: string, o: { head: string }) => {
      const g = globals();
      const a = await withWorkspace(g, (ws) => loadAudience(ws, id));
      const head = num(o.head, 'head', true);
      const rows = a.members.ids.slice(0, head).map((x, i) => ({
        rank: a.members.ranks[i]!,
        id: x,
        score: Number(a.members.scores[i]!.toFixed(4)),
      }));
      print({ manifest: a.manifest, head: rows }, g, () =>
        [JSON.stringify(a.manifest, null, 2), textTable(rows)].join('\n'),
      );
    });

  audience
    .command('relax')
    .description('which conditions of a rule-based audience to loosen to reach a size')
    .argument('<modelId>')
    .requiredOption('--target <n>', 'target size')
    .requiredOption(
      '--conditions <json>',
      'JSON list, e.g. [{"kind":"interest","category":"alcohol","minVisits":8}]',
    )
    .action(async (modelId: string, o: { target: string; conditions: string }) => {
      const g = globals();
      let conditions: Condition[];
      try {
        conditions = JSON.parse(o.conditions) as Condition[];
      } catch {
        throw new InvalidInputError('--conditions must be a JSON list of conditions', 'conditions');
      }
      const r = await withWorkspace(g, (ws) =>
        relaxConditions(ws, { modelId, conditions, targetSize: num(o.target, 'target', true) }),
      );
      print(r, g, () =>
        [
          `as given: ${fmtNumber(r.full.size)} people, expected precision ${fmtPercent(r.full.expectedPrecision)}; target ${fmtNumber(r.targetSize)} (${r.method} search, ${r.evaluated} choices)`,
          `plan: ${r.note}`,
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
    .description('the features that drive the top of a model ranking')
    .argument('<modelId>')
    .requiredOption('--size <n>', 'audience size')
    .action(async (modelId: string, o: { size: string }) => {
      const g = globals();
      const d = await withWorkspace(g, (ws) => explainAudience(ws, modelId, num(o.size, 'size', true)));
      print(d, g, () =>
        textTable(
          d.map((x) => ({
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
