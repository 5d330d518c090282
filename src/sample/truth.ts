/**
 * Ground truth for evaluation (never read by the pipeline): each person's persona, window
 * category, and per-persona conversion propensity with a drawn outcome. Propensity follows the
 * person's own persona and category similarity between personas; window shopping never raises it.
 */
import type { GenContext } from './context.ts';
import { STREAMS } from './context.ts';
import type { TpPerson } from './profiles.ts';
import type { Rng } from './rng.ts';

const OWN_MIN = 0.3;
const OWN_SPAN = 0.3;
const OTHER_MIN = 0.005;
const OTHER_MAX = 0.05;

export const TRUTH_FILES = {
  member_persona: ['member_id', 'persona', 'window_category'],
  text_needs: ['text_id', 'theme', 'needs', 'unmet', 'focus'],
} as const;

export function tpTruthHeader(ctx: GenContext): string[] {
  const ids = ctx.personas.models.map((m) => m.id);
  return [
    'tp_id',
    'persona',
    'is_member',
    'window_category',
    ...ids.map((p) => `propensity_${p}`),
    ...ids.map((p) => `converted_${p}`),
  ];
}

export function windowCode(ctx: GenContext, window: number): string {
  return window >= 0 ? ctx.interests.codes[window]! : '';
}

export function tpTruthRow(ctx: GenContext, person: TpPerson, rng: Rng): string {
  rng.reseed(ctx.seed, STREAMS.truth, person.index);
  const models = ctx.personas.models;
  const n = models.length;
  const own = person.persona.index;
  const props: string[] = new Array(n);
  const converted: string[] = new Array(n);
  for (let q = 0; q < n; q++) {
    let p: number;
    if (q === own) p = OWN_MIN + OWN_SPAN * rng.betaMean(0.5, 4);
    else {
      const sim = ctx.personas.similarity[own * n + q]!;
      p = OTHER_MIN + (OTHER_MAX - OTHER_MIN) * Math.min(1, sim * rng.range(0.5, 1.5));
    }
    props[q] = p.toFixed(4);
    converted[q] = rng.chance(p) ? '1' : '0';
  }
  return `${person.id},${person.persona.id},${person.owner >= 0},${windowCode(ctx, person.window)},${props.join(',')},${converted.join(',')}`;
}
