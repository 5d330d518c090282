/**
 * `tp_searches`: 0-8 distinct Japanese queries per person, from their persona's pool, the pools
 * of interests they browse, and a general pool. Window shoppers also search their window
 * category, which makes them look like buyers to a keyword-based audience.
 */
import type { GenContext } from './context.ts';
import { STREAMS } from './context.ts';
import type { CsvSink } from './csv.ts';
import { csvField } from './csv.ts';
import type { TpPerson } from './profiles.ts';
import type { Rng } from './rng.ts';

const MAX_QUERIES = 8;
const MEAN_QUERIES = 2.6;

export class SearchWriter {
  private readonly personaPools: readonly (readonly string[])[];
  private readonly interestPools: readonly (readonly string[] | undefined)[];
  private readonly general: readonly string[];
  /** Reused per person: the table key is (tp_id, query), so queries must be distinct. */
  private readonly seen = new Set<string>();

  constructor(
    private readonly ctx: GenContext,
    private readonly sink: CsvSink,
  ) {
    const s = ctx.config.searches;
    this.personaPools = ctx.personas.models.map((m) => s.personas[m.id] ?? []);
    this.interestPools = ctx.interests.codes.map((code) => s.interests[code]);
    this.general = s.general;
  }

  person(person: TpPerson, rng: Rng, browsed: Int32Array, browsedCount: number): void {
    const { ctx } = this;
    rng.reseed(ctx.seed, STREAMS.searches, person.index);
    const seen = this.seen;
    seen.clear();
    const own = this.personaPools[person.persona.index]!;
    const windowPool = person.window >= 0 ? this.interestPools[person.window] : undefined;
    let n = Math.min(MAX_QUERIES, rng.poisson(MEAN_QUERIES));
    if (windowPool) n = Math.min(MAX_QUERIES, n + 2 + rng.int(3));
    for (let k = 0, tries = 0; seen.size < n && tries < 4 * MAX_QUERIES; tries++, k++) {
      let pool: readonly string[] | undefined;
      let weight = 0;
      if (windowPool && k < 3) {
        pool = windowPool;
        weight = 2;
      } else {
        const u = rng.float();
        if (u < 0.55) {
          pool = own;
          weight = 1;
        } else if (u < 0.85 && browsedCount > 0) {
          pool = this.interestPools[browsed[rng.int(browsedCount)]!];
        } else pool = this.general;
      }
      if (!pool || pool.length === 0) continue;
      const q = rng.pick(pool);
      if (seen.has(q)) continue;
      seen.add(q);
      const count = Math.min(10, 1 + rng.poisson(0.8 + weight));
      this.sink.line(`${person.id},${csvField(q)},${count}`);
    }
  }
}
