/**
 * `tp_interests`: browsing aggregated per (tp_id, interest category). Persona sets which
 * categories a person browses and how much; window shoppers browse their window category
 * 5-20x as much as a typical browser of it.
 */
import type { GenContext } from './context.ts';
import { STREAMS } from './context.ts';
import type { CsvSink } from './csv.ts';
import type { TpPerson } from './profiles.ts';
import type { Rng } from './rng.ts';

const INTENSITY_SIGMA = 0.5;

export class InterestWriter {
  /** Interest indices the last person browsed, for the search writer. */
  readonly browsed: Int32Array;
  count = 0;

  constructor(
    private readonly ctx: GenContext,
    private readonly sink: CsvSink,
  ) {
    this.browsed = new Int32Array(ctx.interests.codes.length);
  }

  person(person: TpPerson, rng: Rng): void {
    const { ctx } = this;
    rng.reseed(ctx.seed, STREAMS.interests, person.index);
    const p = person.persona;
    const intensity = rng.lognormal(INTENSITY_SIGMA);
    const [lo, hi] = ctx.interests.windowMultiplier;
    const days = ctx.cal.days;
    this.count = 0;
    for (let c = 0; c < ctx.interests.codes.length; c++) {
      let visits: number;
      if (c === person.window) {
        visits = Math.max(1, Math.round(ctx.personas.typicalVisits[c]! * rng.range(lo, hi)));
      } else {
        if (!rng.chance(p.interestProb[c]!)) continue;
        visits = 1 + rng.poisson(p.interestRate[c]! * intensity);
      }
      // The last of `visits` uniform visit days: heavy browsers were seen recently.
      const last = Math.min(days - 1, Math.floor(days * rng.float() ** (1 / visits)));
      this.browsed[this.count++] = c;
      this.sink.line(`${person.id},${ctx.interests.codes[c]},${visits},${ctx.cal.dateStr[last]}`);
    }
  }
}
