/**
 * Orchestrates one sample workspace: catalog and stores, the member pass, the universe pass,
 * the manifest, and the final atomic rename of every file.
 */
import { TABLES, type TableName } from '../schema/index.ts';
import { nodeFiles } from '../store/node-files.ts';
import { formatDay } from './calendar.ts';
import { COMMUNITY_TRUTH, CommunityWriter } from './community.ts';
import type { SampleConfig } from './config.ts';
import { loadSampleConfig } from './config.ts';
import { buildContext, type GenContext } from './context.ts';
import { CsvSink, csvField } from './csv.ts';
import { memberPass } from './member-pass.ts';
import type { GeneratedFile, GenerateOptions, GenerateResult } from './options.ts';
import { resolveCommunityShare, resolveOptions, seed32 } from './options.ts';
import { drawPopulation } from './population.ts';
import { TRUTH_FILES, tpTruthHeader } from './truth.ts';
import { universePass } from './universe-pass.ts';

/** Bumped whenever the same options would produce different bytes. */
export const GENERATOR_VERSION = '1.1.0';

function header(table: TableName): string[] {
  return TABLES[table].columns.map((c) => c.name);
}

async function writeMasters(ctx: GenContext, products: CsvSink, stores: CsvSink): Promise<void> {
  const { catalog } = ctx;
  for (const p of catalog.products) {
    const l1 = catalog.l1[p.l1]!;
    const l2 = catalog.l2[p.l2]!;
    const l3 = catalog.l3[p.l3]!;
    products.line(
      [p.id, csvField(p.name), l1.code, l1.name, l2.code, l2.name, l3.code, csvField(l3.name), p.price].join(
        ',',
      ),
    );
  }
  for (const s of catalog.stores) stores.line(`${s.id},${csvField(s.name)},${s.prefecture}`);
}

/**
 * Generates the deterministic sample workspace: the contract tables under `tables/`, ground
 * truth under `truth/` and `manifest.json`. Files are written under temporary names and renamed
 * only after everything succeeded. Memory stays bounded at any size: rows are streamed, and only
 * compact per-person typed arrays are kept.
 *
 * @param opts output folder, seed and sizes (see {@link GenerateOptions})
 * @returns paths and row counts of every file, and the elapsed seconds
 * @throws InvalidInputError when an option is out of range (e.g. universe smaller than members)
 * @example
 * const r = await generateSampleWorkspace({ outDir: '/tmp/ws', members: 2000, universe: 20000, months: 6 });
 * r.tables.transactions.rows; // receipt lines
 */
export async function generateSampleWorkspace(opts: GenerateOptions): Promise<GenerateResult> {
  const started = performance.now();
  const o = resolveOptions(opts);
  const outDir = nodeFiles.resolve(o.outDir);
  const report = (stage: string, done: number, total: number) => opts.onProgress?.({ stage, done, total });
  report('setup', 0, 1);
  const config = loadSampleConfig();
  const ctx = buildContext(config, { ...o, seed: seed32(o.seed) });
  const pop = drawPopulation(ctx);
  report('setup', 1, 1);

  const files = openSinks(outDir, ctx);
  try {
    const counts = await writeTables(ctx, pop, files, resolveCommunityShare(opts), report);
    report('finalize', 0, 1);
    for (const s of files.opened) await s.close();
    const manifest = manifestOf(outDir, o, ctx, config, pop, files, counts);
    const manifestPath = nodeFiles.join(outDir, 'manifest.json');
    nodeFiles.writeTextSync(`${manifestPath}.partial`, `${JSON.stringify(manifest, null, 2)}\n`);
    for (const s of files.opened) s.commit();
    nodeFiles.renameSync(`${manifestPath}.partial`, manifestPath);
    report('finalize', 1, 1);

    const listed = (r: Record<string, CsvSink>) =>
      Object.fromEntries(Object.entries(r).map(([k, s]) => [k, { path: s.path, rows: s.rows }])) as Record<
        string,
        GeneratedFile
      >;
    return {
      outDir,
      tables: listed(files.sinks) as Record<TableName, GeneratedFile>,
      truth: listed(files.truthSinks),
      personas: ctx.personas.models.length,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (error) {
    for (const s of files.opened) s.abort();
    throw error;
  }
}

type Report = (stage: string, done: number, total: number) => void;
type Population = ReturnType<typeof drawPopulation>;

/** Every output file of one run, opened in a fixed order (tables, then truth files). */
interface Sinks {
  outDir: string;
  sinks: Record<TableName, CsvSink>;
  truthSinks: Record<string, CsvSink>;
  /** Every sink, in opening order: closed, committed or aborted together. */
  opened: CsvSink[];
}

function openSinks(outDir: string, ctx: GenContext): Sinks & { truthOf: (name: string) => CsvSink } {
  const tablesDir = nodeFiles.join(outDir, 'tables');
  const truthDir = nodeFiles.join(outDir, 'truth');
  nodeFiles.mkdirSync(tablesDir);
  nodeFiles.mkdirSync(truthDir);
  const sinks = {} as Record<TableName, CsvSink>;
  const truthSinks: Record<string, CsvSink> = {};
  const opened: CsvSink[] = [];
  const truthHeaders: Record<string, readonly string[]> = {
    member_persona: TRUTH_FILES.member_persona,
    tp_persona: tpTruthHeader(ctx),
    text_needs: TRUTH_FILES.text_needs,
    ...COMMUNITY_TRUTH,
  };
  try {
    for (const name of Object.keys(TABLES) as TableName[]) {
      sinks[name] = new CsvSink(nodeFiles.join(tablesDir, `${name}.csv`), header(name));
      opened.push(sinks[name]);
    }
    // Same order as the passes used to open them, so the manifest lists truth files alike.
    for (const name of [
      'member_persona',
      'tp_persona',
      'text_needs',
      'community_actors',
      'community_steps',
      'action_texts',
    ]) {
      const s = new CsvSink(nodeFiles.join(truthDir, `${name}.csv`), truthHeaders[name]!);
      opened.push(s);
      truthSinks[name] = s;
    }
  } catch (error) {
    for (const s of opened) s.abort();
    throw error;
  }
  return { outDir, sinks, truthSinks, opened, truthOf: (name) => truthSinks[name]! };
}

/** The three passes over the population: masters, members, the third-party universe, community. */
async function writeTables(
  ctx: GenContext,
  pop: Population,
  files: ReturnType<typeof openSinks>,
  communityShare: ReturnType<typeof resolveCommunityShare>,
  report: Report,
) {
  const { sinks, truthOf } = files;
  await writeMasters(ctx, sinks.products, sinks.stores);
  const members = await memberPass(
    ctx,
    pop,
    {
      members: sinks.members,
      transactions: sinks.transactions,
      idLinks: sinks.id_links,
      memberTruth: truthOf('member_persona'),
    },
    report,
  );
  const universe = await universePass(
    ctx,
    pop,
    {
      tpProfiles: sinks.tp_profiles,
      tpInterests: sinks.tp_interests,
      tpSearches: sinks.tp_searches,
      siteVisits: sinks.site_visits,
      texts: sinks.texts,
      tpTruth: truthOf('tp_persona'),
      textTruth: truthOf('text_needs'),
    },
    report,
  );
  const community = {
    actions: sinks.actions,
    actors: truthOf('community_actors'),
    steps: truthOf('community_steps'),
    texts: truthOf('action_texts'),
  };
  const communitySummary = await new CommunityWriter(ctx, community).write(pop, communityShare, report);
  return { members, universe, communitySummary };
}

function manifestOf(
  outDir: string,
  o: ReturnType<typeof resolveOptions>,
  ctx: GenContext,
  config: SampleConfig,
  pop: Population,
  files: Sinks,
  { members, universe, communitySummary }: Awaited<ReturnType<typeof writeTables>>,
) {
  const rel = (s: CsvSink) => ({
    file: s.path.slice(outDir.length + 1).replaceAll('\\', '/'),
    rows: s.rows,
  });
  return {
    generator: 'lookalike-engine/sample',
    version: GENERATOR_VERSION,
    seed: o.seed,
    options: { members: o.members, universe: o.universe, months: o.months, startDate: o.startDate },
    period: { start: formatDay(ctx.cal.startDay), end: formatDay(ctx.cal.startDay + ctx.cal.days - 1) },
    tables: Object.fromEntries(Object.entries(files.sinks).map(([k, s]) => [k, rel(s)])),
    truth: Object.fromEntries(Object.entries(files.truthSinks).map(([k, s]) => [k, rel(s)])),
    counts: {
      products: ctx.catalog.products.length,
      stores: ctx.catalog.stores.length,
      receipts: members.receipts,
      links: pop.linkTp.length,
      linkedMembers: countLinked(pop.linkStart),
      siteVisitors: universe.siteVisitors,
      texts: universe.texts,
    },
    community: communitySummary,
    personas: ctx.personas.models.map((m, i) => ({
      id: m.id,
      name_ja: m.config.name_ja,
      name_en: m.config.name_en,
      share_members: m.config.share_members,
      share_universe: m.config.share_universe,
      members: members.personaCounts[i],
      universe: universe.personaCounts[i],
    })),
    interests: config.interests.categories.map((c) => ({
      code: c.code,
      name_ja: c.name_ja,
      related_l2: c.related_l2,
    })),
  };
}

function countLinked(linkStart: Uint32Array): number {
  let n = 0;
  for (let i = 0; i + 1 < linkStart.length; i++) if (linkStart[i + 1]! > linkStart[i]!) n++;
  return n;
}
