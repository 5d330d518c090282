/**
 * What drives an audience: the features whose contributions lift its members above the
 * universe, from samples of both (evenly spaced ranks inside the audience, a seeded random
 * sample of the universe).
 */
import { type FeatureDriver, featureDrivers, rowsOfIds } from '../lookalike/explain.ts';
import { Rng } from '../lookalike/rng.ts';
import type { Workspace } from '../store/index.ts';
import { openFrontier } from './create.ts';

/**
 * Feature drivers of the top `size` of a model's ranking against its whole universe.
 *
 * @param ws - the workspace.
 * @param modelId - a stored lookalike model.
 * @param size - audience size (top of the ranking).
 * @param options - sample sizes and how many drivers.
 * @example
 * const drivers = await explainAudience(ws, 'lm_…', 20_000);
 * drivers[0]; // { feature: 'interest:alcohol', meanContribution: 1.4, prevalence: 0.92, index: 560, ... }
 */
export async function explainAudience(
  ws: Workspace,
  modelId: string,
  size: number,
  options: {
    sample?: number;
    top?: number;
    seed?: number;
    /**
     * A stored audience's members in rank order: sampled instead of the top of the ranking, so an
     * audience narrowed by conditions or consent is described as it is.
     */
    members?: readonly string[];
  } = {},
): Promise<FeatureDriver[]> {
  const { scored, model } = await openFrontier(ws, modelId);
  let audienceIds: string[];
  let referenceIds: string[];
  try {
    const n = Math.min(size, scored.size);
    const k = Math.min(n, options.sample ?? 1000);
    const ranks = Uint32Array.from({ length: k }, (_, i) => Math.floor((i * n) / k));
    const members = options.members;
    if (members) {
      const kk = Math.min(members.length, options.sample ?? 1000);
      audienceIds = Array.from({ length: kk }, (_, i) => members[Math.floor((i * members.length) / kk)]!);
    } else audienceIds = await scored.idsOfRows(Uint32Array.from(ranks, (r) => scored.order[r]!));
    const rng = new Rng(options.seed ?? 1, 5);
    const m = Math.min(scored.size, options.sample ?? 1000);
    const rows = new Set<number>();
    while (rows.size < m) rows.add(rng.int(scored.size));
    referenceIds = await scored.idsOfRows(Uint32Array.from([...rows].sort((a, b) => a - b)));
  } finally {
    await scored.close();
  }
  const a = await rowsOfIds(ws, model, audienceIds);
  const u = await rowsOfIds(ws, model, referenceIds);
  return featureDrivers(model.model, a.x, u.x, options.top ?? 15);
}
