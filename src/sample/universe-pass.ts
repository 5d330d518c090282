/**
 * Streams the third-party universe one person at a time into `tp_profiles`, `tp_interests`,
 * `tp_searches`, `site_visits`, `texts` and their truth files, then adds cookie-only site visitors.
 */
import type { GenContext } from './context.ts';
import { anyFull, type CsvSink, flushFull } from './csv.ts';
import { InterestWriter } from './interests.ts';
import type { Progress } from './member-pass.ts';
import type { Population } from './population.ts';
import { profileRow, resolvePerson, type TpPerson } from './profiles.ts';
import { Rng } from './rng.ts';
import { SearchWriter } from './searches.ts';
import { COOKIE_ONLY_RATIO, SiteWriter } from './site-visits.ts';
import { TextWriter } from './texts.ts';
import { tpTruthRow } from './truth.ts';

export interface UniverseSinks {
  tpProfiles: CsvSink;
  tpInterests: CsvSink;
  tpSearches: CsvSink;
  siteVisits: CsvSink;
  texts: CsvSink;
  tpTruth: CsvSink;
  textTruth: CsvSink;
}

const PROGRESS_EVERY = 20_000;

export async function universePass(
  ctx: GenContext,
  pop: Population,
  sinks: UniverseSinks,
  progress: Progress,
): Promise<{ personaCounts: number[]; siteVisitors: number; texts: number }> {
  const rng = new Rng(ctx.seed, 0);
  const interests = new InterestWriter(ctx, sinks.tpInterests);
  const searches = new SearchWriter(ctx, sinks.tpSearches);
  const site = new SiteWriter(ctx, sinks.siteVisits);
  const texts = new TextWriter(ctx, sinks.texts, sinks.textTruth);
  const all = Object.values(sinks);
  const personaCounts = new Array<number>(ctx.personas.models.length).fill(0);
  const person: TpPerson = {
    index: 0,
    id: '',
    persona: ctx.personas.models[0]!,
    window: -1,
    owner: -1,
    ecShare: 0,
  };
  for (let t = 0; t < ctx.universe; t++) {
    resolvePerson(ctx, pop, t, rng, person);
    personaCounts[person.persona.index]!++;
    sinks.tpProfiles.line(profileRow(ctx, pop, person, rng));
    interests.person(person, rng);
    searches.person(person, rng, interests.browsed, interests.count);
    site.person(person, rng);
    texts.person(person, rng);
    sinks.tpTruth.line(tpTruthRow(ctx, person, rng));
    if (anyFull(all)) await flushFull(all);
    if ((t + 1) % PROGRESS_EVERY === 0) progress('universe', t + 1, ctx.universe);
  }
  progress('universe', ctx.universe, ctx.universe);
  const cookieOnly = Math.round(site.visitors * COOKIE_ONLY_RATIO);
  for (let j = 0; j < cookieOnly; j++) {
    site.cookieOnly(j, rng);
    if (anyFull(all)) await flushFull(all);
  }
  return { personaCounts, siteVisitors: site.visitors, texts: texts.texts };
}
