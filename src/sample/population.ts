/**
 * The compact per-person state that crosses tables: member personas and traits, which members are
 * linked to which third-party IDs, and member demographics the universe pass copies into linked
 * profiles. Typed arrays only, so 1M members x 10M universe fits in well under 100 MB.
 */
import { InvalidInputError } from '../schema/index.ts';
import { drawWindow, type GenContext, STREAMS } from './context.ts';
import { Rng } from './rng.ts';

/** Share of linked members with a second device ID. */
const SECOND_DEVICE = 0.04;

export interface Population {
  readonly memberPersona: Uint8Array;
  /** Window-shopping interest index, -1 for none. */
  readonly memberWindow: Int16Array;
  /** Member i's tp indices are `linkTp[linkStart[i] .. linkStart[i + 1])`. */
  readonly linkStart: Uint32Array;
  readonly linkTp: Uint32Array;
  /** Member index owning each tp index, -1 for non-members. */
  readonly tpOwner: Int32Array;
  /** Filled by the member pass, read by the universe pass. */
  readonly memberGender: Uint8Array;
  readonly memberAgeBand: Uint8Array;
  readonly memberPref: Uint8Array;
  readonly memberEcShare: Float32Array;
}

export function drawPopulation(ctx: GenContext): Population {
  const { members: m, universe: u, seed } = ctx;
  const rng = new Rng(seed, STREAMS.memberPersona);
  const memberPersona = new Uint8Array(m);
  const memberWindow = new Int16Array(m);
  const linkCount = new Uint8Array(m);
  const linkRng = new Rng(seed, STREAMS.links);
  let links = 0;
  for (let i = 0; i < m; i++) {
    rng.reseed(seed, STREAMS.memberPersona, i);
    const p = rng.pickCumulative(ctx.personas.memberShareCum);
    memberPersona[i] = p;
    memberWindow[i] = drawWindow(ctx, rng);
    linkRng.reseed(seed, STREAMS.links, i);
    if (linkRng.chance(ctx.personas.models[p]!.config.link_rate)) {
      linkCount[i] = linkRng.chance(SECOND_DEVICE) ? 2 : 1;
      links += linkCount[i]!;
    }
  }
  if (links > u) {
    throw new InvalidInputError(
      `universe (${u}) is smaller than the ${links} member links it must contain; use a universe of at least the member count`,
      'universe',
    );
  }
  // Partial Fisher-Yates: linked members get tp ids scattered over the whole universe.
  const perm = new Uint32Array(u);
  for (let i = 0; i < u; i++) perm[i] = i;
  const assign = new Rng(seed, STREAMS.tpAssign);
  for (let i = 0; i < links; i++) {
    const j = i + assign.int(u - i);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  const linkStart = new Uint32Array(m + 1);
  const linkTp = new Uint32Array(links);
  const tpOwner = new Int32Array(u).fill(-1);
  let k = 0;
  for (let i = 0; i < m; i++) {
    linkStart[i] = k;
    const first = k;
    for (let c = 0; c < linkCount[i]!; c++) {
      const tp = perm[k]!;
      linkTp[k++] = tp;
      tpOwner[tp] = i;
    }
    // Ascending tp order keeps each member's id_links rows tidy.
    if (k - first === 2 && linkTp[first]! > linkTp[first + 1]!) {
      const t = linkTp[first]!;
      linkTp[first] = linkTp[first + 1]!;
      linkTp[first + 1] = t;
    }
  }
  linkStart[m] = k;
  return {
    memberPersona,
    memberWindow,
    linkStart,
    linkTp,
    tpOwner,
    memberGender: new Uint8Array(m),
    memberAgeBand: new Uint8Array(m),
    memberPref: new Uint8Array(m),
    memberEcShare: new Float32Array(m),
  };
}
