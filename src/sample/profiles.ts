/**
 * Third-party people and their `tp_profiles` rows. A linked member's profile repeats the member's
 * demographics with the disagreement real DMP data has; everyone else follows their persona,
 * with the universe spread more nationally than the retailer's members.
 */
import { AGE_BANDS } from '../schema/index.ts';
import type { GenContext } from './context.ts';
import { drawWindow, STREAMS } from './context.ts';
import { makeId } from './ids.ts';
import { GENDER_CODES } from './members.ts';
import { KNOWN_AGE_BANDS, type PersonaModel } from './personas.ts';
import type { Population } from './population.ts';
import type { Rng } from './rng.ts';

const UNKNOWN = 0.05;
const UNKNOWN_BAND = AGE_BANDS.indexOf('unknown');
/** Non-members: share placed by the persona's region mix (the rest follows national population). */
const PERSONA_REGION = 0.5;

export interface TpPerson {
  index: number;
  id: string;
  persona: PersonaModel;
  window: number;
  /** Owning member index, -1 for non-members. */
  owner: number;
  /** The member's online share, or the persona mean for non-members. */
  ecShare: number;
}

/** Resolves who tp index `t` is; `person` is reused to keep the 10M-row loop allocation-free. */
export function resolvePerson(
  ctx: GenContext,
  pop: Population,
  t: number,
  rng: Rng,
  person: TpPerson,
): TpPerson {
  const owner = pop.tpOwner[t]!;
  person.index = t;
  person.id = makeId('tp_', t + 1, ctx.widths.tp);
  person.owner = owner;
  if (owner >= 0) {
    person.persona = ctx.personas.models[pop.memberPersona[owner]!]!;
    person.window = pop.memberWindow[owner]!;
    person.ecShare = pop.memberEcShare[owner]!;
  } else {
    rng.reseed(ctx.seed, STREAMS.tpPersona, t);
    person.persona = ctx.personas.models[rng.pickCumulative(ctx.personas.universeShareCum)]!;
    person.window = drawWindow(ctx, rng);
    person.ecShare = person.persona.config.ec_share;
  }
  return person;
}

export function profileRow(ctx: GenContext, pop: Population, person: TpPerson, rng: Rng): string {
  rng.reseed(ctx.seed, STREAMS.tpProfile, person.index);
  const { catalog } = ctx;
  let gender: number;
  let band: number;
  let pref: number;
  if (person.owner >= 0) {
    const m = person.owner;
    gender = pop.memberGender[m]!;
    if (gender < 2 && rng.chance(0.02)) gender = 1 - gender;
    band = pop.memberAgeBand[m]!;
    const u = rng.float();
    if (u < 0.07) band = Math.max(0, Math.min(UNKNOWN_BAND - 1, band + (rng.chance(0.5) ? 1 : -1)));
    pref = pop.memberPref[m]!;
    if (rng.chance(0.05)) {
      const r = catalog.prefRegion[pref]!;
      pref = ctx.regionPrefs[r]![rng.pickCumulative(ctx.regionPrefCum[r]!)]!;
    }
  } else {
    const p = person.persona;
    gender = rng.chance(p.config.female) ? 0 : 1;
    band = AGE_BANDS.indexOf(KNOWN_AGE_BANDS[rng.pickCumulative(p.ageCum)]!);
    if (rng.chance(PERSONA_REGION)) {
      const r = rng.pickCumulative(p.regionCum);
      pref = ctx.regionPrefs[r]![rng.pickCumulative(ctx.regionPrefCum[r]!)]!;
    } else pref = rng.pickCumulative(ctx.nationalPrefCum);
  }
  if (rng.chance(UNKNOWN)) gender = 2;
  if (rng.chance(UNKNOWN)) band = UNKNOWN_BAND;
  const region = rng.chance(UNKNOWN) ? '' : catalog.prefectures[pref]!;
  return `${person.id},${GENDER_CODES[gender]},${AGE_BANDS[band]},${region}`;
}
