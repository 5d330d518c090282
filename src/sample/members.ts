/**
 * One member's demographics (the `members` row) and behavioural traits (activity, channel mix,
 * individual category preferences), drawn from their persona with individual noise.
 */
import { AGE_BANDS } from '../schema/index.ts';
import { dayParts, formatDay, parseDay } from './calendar.ts';
import type { GenContext } from './context.ts';
import { STREAMS } from './context.ts';
import { makeId } from './ids.ts';
import { KNOWN_AGE_BANDS, type PersonaModel } from './personas.ts';
import type { Population } from './population.ts';
import type { Rng } from './rng.ts';

export const GENDER_CODES = ['female', 'male', 'unknown'] as const;
/** Age range (years at the period's end) drawn within each known band. */
const BAND_AGES: Readonly<Record<string, readonly [number, number]>> = {
  '10s': [16, 20],
  '20s': [20, 30],
  '30s': [30, 40],
  '40s': [40, 50],
  '50s': [50, 60],
  '60s': [60, 70],
  '70+': [70, 86],
};
const EARLIEST_REGISTRATION = parseDay('2012-04-01');
/** Share of members who joined during the period (their history starts later). */
const NEW_MEMBER_RATE = 0.18;
/** Share of members who lapse during the period (recency varies). */
const CHURN_RATE = 0.1;
/** Gamma shape of the per-member category noise: a Dirichlet-like spread around the persona. */
const PREFERENCE_SHAPE = 3;
const ACTIVITY_SIGMA = 0.45;
const EC_CONCENTRATION = 10;
/** Share of members staying in the home store's prefecture. */
const HOME_PREFECTURE = 0.85;

export interface MemberDraw {
  readonly index: number;
  readonly id: string;
  readonly persona: PersonaModel;
  readonly window: number;
  readonly homeStore: number;
  /** Active period days: [activeFrom, activeTo). */
  readonly activeFrom: number;
  readonly activeTo: number;
  readonly activity: number;
  readonly ecShare: number;
  /** Individual preference over `catalog.basketL2`. */
  readonly l2Pref: Float64Array;
  /** Expected appliance purchases over the member's active period. */
  readonly applianceRate: number;
  /** The `members` CSV row. */
  readonly row: string;
}

/** Completed years between two epoch days. */
export function ageOn(birthDay: number, day: number): number {
  const b = dayParts(birthDay);
  const d = dayParts(day);
  return d.year - b.year - (d.month < b.month || (d.month === b.month && d.date < b.date) ? 1 : 0);
}

export function ageBandIndex(age: number): number {
  if (age < 20) return AGE_BANDS.indexOf('10s');
  if (age >= 70) return AGE_BANDS.indexOf('70+');
  return AGE_BANDS.indexOf(`${Math.floor(age / 10)}0s` as (typeof AGE_BANDS)[number]);
}

export function drawMember(ctx: GenContext, pop: Population, i: number, demo: Rng, traits: Rng): MemberDraw {
  const { cal, catalog, seed } = ctx;
  const persona = ctx.personas.models[pop.memberPersona[i]!]!;
  const cfg = persona.config;
  const endDay = cal.startDay + cal.days;
  demo.reseed(seed, STREAMS.memberDemo, i);

  const region = demo.pickCumulative(persona.regionCum);
  const homeStore = catalog.storesByRegion[region]![demo.pickCumulative(ctx.regionStoreCum[region]!)]!;
  let pref = catalog.prefectures.indexOf(catalog.stores[homeStore]!.prefecture);
  if (region !== 2 && !demo.chance(HOME_PREFECTURE)) {
    pref = ctx.regionPrefs[region]![demo.pickCumulative(ctx.regionPrefCum[region]!)]!;
  }
  const gender = demo.chance(0.02) ? 2 : demo.chance(cfg.female) ? 0 : 1;
  const [lo, hi] = BAND_AGES[KNOWN_AGE_BANDS[demo.pickCumulative(persona.ageCum)]!]!;
  const birthDay = endDay - Math.floor(demo.range(lo, hi) * 365.2425);
  const ageBand = ageBandIndex(ageOn(birthDay, endDay));

  const adultDay = birthDay + Math.ceil(16 * 365.2425);
  const from = Math.max(EARLIEST_REGISTRATION, adultDay);
  let registered: number;
  if (demo.chance(NEW_MEMBER_RATE) || from >= cal.startDay) {
    registered = cal.startDay + Math.floor(demo.float() * cal.days * 0.85);
  } else {
    registered = from + Math.floor(demo.float() * (cal.startDay - from));
  }
  const activeFrom = Math.max(0, registered - cal.startDay);
  let activeTo = cal.days;
  if (demo.chance(CHURN_RATE)) {
    activeTo = Math.min(cal.days, activeFrom + 14 + Math.floor(demo.float() * (cal.days - activeFrom)));
  }

  traits.reseed(seed, STREAMS.memberTraits, i);
  const activity = traits.lognormal(ACTIVITY_SIGMA);
  const ecShare = traits.betaMean(cfg.ec_share, EC_CONCENTRATION);
  const window = pop.memberWindow[i]!;
  const l2Pref = new Float64Array(catalog.basketL2.length);
  catalog.basketL2.forEach((k, j) => {
    l2Pref[j] = (persona.l2Weights[k]! * traits.gamma(PREFERENCE_SHAPE)) / PREFERENCE_SHAPE;
  });
  let applianceFactor = 1;
  if (window >= 0) {
    // Window shoppers browse a category heavily and almost never buy it.
    for (const k of ctx.interests.relatedL2[window]!) {
      const j = catalog.basketL2.indexOf(k);
      if (j >= 0) l2Pref[j] = l2Pref[j]! * ctx.interests.buyFactor;
    }
    if (ctx.interests.touchesAppliances[window]) applianceFactor = ctx.interests.buyFactor;
  }
  const activeMonths = (Math.max(0, activeTo - activeFrom) / 365.2425) * 12;
  const applianceRate = ((cfg.appliances.rate * activeMonths) / 12) * Math.sqrt(activity) * applianceFactor;

  pop.memberGender[i] = gender;
  pop.memberAgeBand[i] = ageBand;
  pop.memberPref[i] = pref;
  pop.memberEcShare[i] = ecShare;

  const id = makeId('M', i + 1, ctx.widths.member);
  const store = catalog.stores[homeStore]!;
  const birth = demo.chance(0.02) ? '' : formatDay(birthDay);
  // The sample holds no contact details (email, phone empty): nothing in it can reach a real person.
  const row = `${id},${GENDER_CODES[gender]},${birth},${catalog.prefectures[pref]},${store.id},${formatDay(registered)},,`;
  return {
    index: i,
    id,
    persona,
    window,
    homeStore,
    activeFrom,
    activeTo,
    activity,
    ecShare,
    l2Pref,
    applianceRate,
    row,
  };
}
