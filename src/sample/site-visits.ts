/**
 * `site_visits`: sessions on the retailer's own site. Members and EC-heavy personas buy; some
 * personas (students, young singles) and all window shoppers browse many pages and rarely buy,
 * which is the gap between buyers and non-buying visitors the enrich layer should surface.
 */
import { timestamp } from './calendar.ts';
import type { GenContext } from './context.ts';
import { STREAMS } from './context.ts';
import type { CsvSink } from './csv.ts';
import { makeId, visitorId } from './ids.ts';
import type { PersonaModel } from './personas.ts';
import type { TpPerson } from './profiles.ts';
import type { Rng } from './rng.ts';

const MAX_PAGES = 40;
/** Chance that a session of a known person still carries the tp id (cookie sync is lossy). */
const TP_KNOWN = 0.75;
/** Cookie-only visitors (never matched to the universe), relative to matched visitors. */
export const COOKIE_ONLY_RATIO = 0.12;
const MEMBER_BUY_BOOST = 1.6;
const NON_MEMBER_BUY = 0.7;
const WINDOW_BUY = 0.08;

export class SiteWriter {
  visitors = 0;
  sessions = 0;

  constructor(
    private readonly ctx: GenContext,
    private readonly sink: CsvSink,
  ) {}

  person(person: TpPerson, rng: Rng): void {
    const { ctx } = this;
    rng.reseed(ctx.seed, STREAMS.site, person.index);
    const p = person.persona;
    const member = person.owner >= 0;
    const browsesHere = person.window >= 0 && ctx.interests.sold[person.window] === 1;
    let visit = member ? Math.min(0.9, 0.15 + person.ecShare) : p.config.site.visit;
    if (browsesHere) visit = Math.min(0.9, visit * 3);
    if (!rng.chance(visit)) return;
    this.visitors++;
    const mean = (member ? 2 + 6 * person.ecShare : 1.2) * (browsesHere ? 2 : 1);
    const sessions = 1 + rng.poisson(mean);
    let buy = p.config.site.buy * (member ? MEMBER_BUY_BOOST : NON_MEMBER_BUY);
    if (person.window >= 0) buy *= WINDOW_BUY;
    this.write(visitorId(person.index), person.id, p, Math.min(0.9, buy), person.window >= 0, sessions, rng);
  }

  /** A visitor the DMP never matched: tp_id always empty. */
  cookieOnly(j: number, rng: Rng): void {
    const { ctx } = this;
    const index = ctx.universe + j;
    rng.reseed(ctx.seed, STREAMS.site, index);
    const p = ctx.personas.models[rng.pickCumulative(ctx.personas.universeShareCum)]!;
    this.visitors++;
    const sessions = 1 + rng.poisson(1.2);
    this.write(visitorId(index), '', p, p.config.site.buy * NON_MEMBER_BUY, false, sessions, rng);
  }

  private write(
    visitor: string,
    tpId: string,
    p: PersonaModel,
    buy: number,
    window: boolean,
    sessions: number,
    rng: Rng,
  ): void {
    const { cal } = this.ctx;
    for (let s = 0; s < sessions; s++) {
      const purchased = rng.chance(buy);
      let pages: number;
      if (purchased) pages = 4 + rng.poisson(p.config.site.pages + 6);
      else if (window) pages = 2 + rng.poisson(10);
      else pages = 1 + rng.poisson(Math.max(0, p.config.site.pages - 1));
      const day = rng.int(cal.days);
      const second = rng.pickCumulative(p.ecHourCum) * 3600 + rng.int(3600);
      const tp = tpId && rng.chance(TP_KNOWN) ? tpId : '';
      const session = makeId('sess_', ++this.sessions, 10);
      this.sink.line(
        `${visitor},${tp},${session},${timestamp(cal, day, second)},${Math.min(MAX_PAGES, pages)},${purchased}`,
      );
    }
  }
}
