/**
 * Orchestrates one sample workspace: catalog and stores, the member pass, the universe pass,
 * the manifest, and the final atomic rename of every file.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TABLES, type TableName } from '../schema/index.ts';
import { formatDay } from './calendar.ts';
import { COMMUNITY_TRUTH, CommunityWriter } from './community.ts';
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
  const outDir = resolve(o.outDir);
  const report = (stage: string, done: number, total: number) => opts.onProgress?.({ stage, done, total });
  report('setup', 0, 1);
  const config = loadSampleConfig();
  const ctx = buildContext(config, { ...o, seed: seed32(o.seed) });
  const pop = drawPopulation(ctx);
  report('setup', 1, 1);

  const tablesDir = join(outDir, 'tables');
  const truthDir = join(outDir, 'truth');
  mkdirSync(tablesDir, { recursive: true });
  mkdirSync(truthDir, { recursive: true });
  const table = (name: TableName) => new CsvSink(join(tablesDir, `${name}.csv`), header(name));
  const sinks: Record<TableName, CsvSink> = {} as Record<TableName, CsvSink>;
  const truthSinks: Record<string, CsvSink> = {};
  const opened: CsvSink[] = [];
  try {
    for (const name of Object.keys(TABLES) as TableName[]) {
      sinks[name] = table(name);
      opened.push(sinks[name]);
    }
    const truth = (name: string, cols: readonly string[]) => {
      const s = new CsvSink(join(truthDir, `${name}.csv`), cols);
      opened.push(s);
      truthSinks[name] = s;
      return s;
    };
    const memberTruth = truth('member_persona', TRUTH_FILES.member_persona);
    const tpTruth = truth('tp_persona', tpTruthHeader(ctx));
    const textTruth = truth('text_needs', TRUTH_FILES.text_needs);
    const community = {
      actions: sinks.actions,
      actors: truth('community_actors', COMMUNITY_TRUTH.community_actors),
      steps: truth('community_steps', COMMUNITY_TRUTH.community_steps),
      texts: truth('action_texts', COMMUNITY_TRUTH.action_texts),
    };

    await writeMasters(ctx, sinks.products, sinks.stores);
    const members = await memberPass(
      ctx,
      pop,
      { members: sinks.members, transactions: sinks.transactions, idLinks: sinks.id_links, memberTruth },
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
        tpTruth,
        textTruth,
      },
      report,
    );
    const communitySummary = await new CommunityWriter(ctx, community).write(
      pop,
      resolveCommunityShare(opts),
      report,
    );
    report('finalize', 0, 1);
    for (const s of opened) await s.close();

    const rel = (s: CsvSink) => ({
      file: s.path.slice(outDir.length + 1).replaceAll('\\', '/'),
      rows: s.rows,
    });
    const manifest = {
      generator: 'lookalike-engine/sample',
      version: GENERATOR_VERSION,
      seed: o.seed,
      options: { members: o.members, universe: o.universe, months: o.months, startDate: o.startDate },
      period: { start: formatDay(ctx.cal.startDay), end: formatDay(ctx.cal.startDay + ctx.cal.days - 1) },
      tables: Object.fromEntries(Object.entries(sinks).map(([k, s]) => [k, rel(s)])),
      truth: Object.fromEntries(Object.entries(truthSinks).map(([k, s]) => [k, rel(s)])),
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
    const manifestPath = join(outDir, 'manifest.json');
    writeFileSync(`${manifestPath}.partial`, `${JSON.stringify(manifest, null, 2)}\n`);
    for (const s of opened) s.commit();
    renameSync(`${manifestPath}.partial`, manifestPath);
    report('finalize', 1, 1);

    const files = (r: Record<string, CsvSink>) =>
      Object.fromEntries(Object.entries(r).map(([k, s]) => [k, { path: s.path, rows: s.rows }])) as Record<
        string,
        GeneratedFile
      >;
    return {
      outDir,
      tables: files(sinks) as Record<TableName, GeneratedFile>,
      truth: files(truthSinks),
      personas: ctx.personas.models.length,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (error) {
    for (const s of opened) s.abort();
    throw error;
  }
}

function countLinked(linkStart: Uint32Array): number {
  let n = 0;
  for (let i = 0; i + 1 < linkStart.length; i++) if (linkStart[i + 1]! > linkStart[i]!) n++;
  return n;
}
