import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../src/adapters/index.ts';
import {
  createAudience,
  explainAudience,
  FrontierCache,
  listAudiences,
  loadAudience,
  modelFrontier,
  openMembers,
  relaxConditions,
} from '../../src/audience/index.ts';
import { explainIds, trainLookalike } from '../../src/lookalike/index.ts';
import { TokenizerPool } from '../../src/needs/index.ts';
import { ConflictError, InsufficientDataError, NotFoundError } from '../../src/schema/index.ts';
import { personaMembers, precisionOf, type SampleWs, sampleWorkspace } from '../lookalike/helpers.ts';

let s: SampleWs;
let modelId: string;

beforeAll(async () => {
  s = await sampleWorkspace({ members: 2000, universe: 20_000, months: 6, seed: 13 });
  const m = await trainLookalike(s.ws, {
    seed: { kind: 'members', memberIds: personaMembers(s, 'busy_family') },
    universe: 'third_party',
    backend: 'wasm',
    randomSeed: 2,
    bootstrap: 100,
  });
  modelId = m.id;
});
afterAll(() => s?.cleanup());

describe('createAudience', () => {
  it('materialises the top of the ranking as manifest + members.arrow, readable by the export layer', async () => {
    const a = await createAudience(s.ws, {
      modelId,
      id: 'au_size',
      target: { kind: 'size', size: 1500 },
      needMix: { themes: ['frozen_food'], sample: 300 },
    });
    const m = a.manifest;
    expect(m).toMatchObject({
      kind: 'audience',
      id: 'au_size',
      modelId,
      universe: 'third_party',
      idKind: 'third_party',
      size: 1500,
      minSize: 100,
      reached: true,
    });
    expect(m.ci[0]).toBeLessThanOrEqual(m.expectedPrecision);
    expect(m.ci[1]).toBeGreaterThanOrEqual(m.expectedPrecision);
    expect(m.expectedPositives).toBeCloseTo(m.expectedPrecision * 1500, 6);
    expect(m.snapshot).toMatch(/^[0-9a-f]{16}$/);
    expect(m.needMix === null ? m.needMixReason : Object.keys(m.needMix)).toEqual(['frozen_food']);
    const loaded = await loadAudience(s.ws, 'au_size');
    expect(loaded.manifest).toEqual(m);
    expect(loaded.members.ids).toEqual(a.members.ids);
    expect([...loaded.members.ranks.subarray(0, 3)]).toEqual([1, 2, 3]);
    for (let k = 1; k < 1500; k++)
      expect(loaded.members.scores[k]!).toBeLessThanOrEqual(loaded.members.scores[k - 1]!);
    const bytes = (await s.ws.artifacts.get('audiences/au_size/members.arrow'))!;
    const ranked = openMembers(bytes);
    expect(ranked.length).toBe(1500);
    expect(ranked.id(0)).toBe(a.members.ids[0]);
    // Never an existing customer, always better than random against truth.
    const linked = new Set((await s.ws.db.columns('SELECT tp_id FROM id_links')).columns[0] as string[]);
    expect(a.members.ids.some((id) => linked.has(id))).toBe(false);
    expect(precisionOf(s, a.members.ids, 'busy_family')).toBeGreaterThan(0.6);
    expect((await listAudiences(s.ws)).map((x) => x.id)).toContain('au_size');
  });

  it('computes the need mix with texts tokenized on a worker pool, as the calling thread reads it back', async () => {
    const threads = new WorkerPool({ size: 1 });
    const pool = new TokenizerPool(threads);
    try {
      const target = { kind: 'size', size: 1500 } as const;
      const needMix = { themes: ['rice_cooker'], sample: 300 };
      // Pooled first: the first run tokenizes the texts, the second reads what it classified.
      const pooled = await createAudience(s.ws, {
        modelId,
        id: 'au_mix_pool',
        target,
        needMix: { ...needMix, pool },
      });
      const here = await createAudience(s.ws, { modelId, id: 'au_mix_here', target, needMix });
      expect(pooled.manifest.needMix).not.toBeNull();
      expect(pooled.manifest.needMix).toEqual(here.manifest.needMix);
    } finally {
      await threads.close();
    }
  });

  it('nests audiences of one model: a smaller one is a prefix of a larger one', async () => {
    const small = await createAudience(s.ws, {
      modelId,
      target: { kind: 'size', size: 400 },
      needMix: false,
    });
    const large = await createAudience(s.ws, {
      modelId,
      target: { kind: 'precision', minPrecision: 0.5 },
      needMix: false,
    });
    expect(large.manifest.size).toBeGreaterThan(400);
    expect(large.members.ids.slice(0, 400)).toEqual(small.members.ids);
    const budget = await createAudience(s.ws, {
      modelId,
      target: { kind: 'budget', costPerPerson: 20, valuePerConversion: 1000, conversionRate: 0.05 },
      needMix: false,
    });
    expect(budget.manifest.expectedProfit).toBeGreaterThan(0);
    expect(budget.members.ids.slice(0, 400)).toEqual(small.members.ids);
  });

  it('leaves out opted-out and listed IDs on top of the model exclusions', async () => {
    const before = await loadAudience(s.ws, 'au_size');
    const optedOut = before.members.ids.slice(0, 10);
    const listed = before.members.ids.slice(10, 15);
    const after = await createAudience(s.ws, {
      modelId,
      target: { kind: 'size', size: 1500 },
      exclusions: { optedOut, ids: listed },
      needMix: false,
    });
    expect(after.manifest.universeSize).toBe(before.manifest.universeSize - 15);
    expect(after.members.ids.filter((id) => optedOut.includes(id) || listed.includes(id))).toEqual([]);
    expect(after.members.ids.slice(0, 100)).toEqual(before.members.ids.slice(15, 115));
    expect(after.manifest.snapshot).not.toBe(before.manifest.snapshot);
  });

  it('answers bad requests clearly', async () => {
    const tooSmall = createAudience(s.ws, { modelId, target: { kind: 'size', size: 60 }, needMix: false });
    await expect(tooSmall).rejects.toBeInstanceOf(InsufficientDataError);
    await expect(tooSmall).rejects.toThrow(
      'the audience would have 60 people, below the minimum release size of 100',
    );
    await expect(
      createAudience(s.ws, { modelId: 'lm_nope', target: { kind: 'size', size: 500 } }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      createAudience(s.ws, { modelId, target: { kind: 'size', size: 10_000_000 }, needMix: false }),
    ).rejects.toThrow(/target size 10000000 is larger than the universe: \d+ people are left/);
    const best = await createAudience(s.ws, {
      modelId,
      target: { kind: 'precision', minPrecision: 0.9999, basis: 'lower' },
      needMix: false,
    });
    expect(best.manifest.reached).toBe(false);
    // Either no audience reaches it, or only ones below the minimum release size do.
    expect(best.manifest.note).toMatch(
      /reach(es)? lower-bound precision 0.9999; the best reachable is 0\.\d+, at sizes up to \d+/,
    );
    expect(best.manifest.size).toBeGreaterThanOrEqual(100);
    await expect(
      createAudience(s.ws, { modelId, id: 'au_size', target: { kind: 'size', size: 500 } }),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(loadAudience(s.ws, 'au_missing')).rejects.toThrow('audience "au_missing" does not exist');
  });

  it('serves the frontier and explains the audience and single IDs', async () => {
    const f = await modelFrontier(s.ws, modelId, { steps: 30, sizes: [1500] });
    expect(f.points.find((p) => p.size === 1500)!.expectedPrecision).toBeCloseTo(
      (await loadAudience(s.ws, 'au_size')).manifest.expectedPrecision,
      10,
    );
    const drivers = await explainAudience(s.ws, modelId, 1500, { sample: 300 });
    expect(drivers[0]!.meanContribution).toBeGreaterThan(0);
    expect(drivers.slice(0, 3).map((d) => d.feature)).toContain('interest:baby_kids');
    const top = (await loadAudience(s.ws, 'au_size')).members.ids[0]!;
    const [e] = await explainIds(s.ws, modelId, [top], 5);
    expect(e!.contributions).toHaveLength(5);
    expect(e!.score).toBeCloseTo((await loadAudience(s.ws, 'au_size')).members.scores[0]!, 6);
  });
});

describe('relaxConditions', () => {
  const conditions = [
    { kind: 'gender' as const, values: ['female'] },
    { kind: 'age_band' as const, values: ['30s'] },
    { kind: 'interest' as const, category: 'baby_kids', minVisits: 12 },
    { kind: 'interest' as const, category: 'time_saving_cooking', minVisits: 6 },
    { kind: 'search' as const, term: '離乳食' },
  ];

  it('reaches a target the full conditions miss by half, losing no more precision than the best single drop', async () => {
    const probe = await relaxConditions(s.ws, { modelId, conditions, targetSize: 1 });
    const target = probe.full.size * 3;
    const r = await relaxConditions(s.ws, { modelId, conditions, targetSize: target });
    expect(r.method).toBe('exact');
    expect(r.full.size).toBeLessThan(target / 2);
    expect(r.reached).toBe(true);
    expect(r.plan.size).toBeGreaterThanOrEqual(target);
    const singles = r.alternatives.filter((a) => a.changes.length === 1);
    // Every single change is listed with its size and precision.
    expect(singles.length).toBe(1 + 2 + 4 + 3 + 1);
    const reaching = singles.filter((a) => a.reachesTarget).map((a) => a.expectedPrecision);
    if (reaching.length)
      expect(r.plan.expectedPrecision).toBeGreaterThanOrEqual(Math.max(...reaching) - 1e-12);
    for (const a of r.alternatives) {
      expect(a.size).toBeGreaterThan(0);
      expect(a.expectedPrecision).toBeGreaterThanOrEqual(0);
    }
    console.log(
      `relaxation: full ${r.full.size} at ${r.full.expectedPrecision.toFixed(3)}, target ${target}; plan: ${r.note}\n` +
        r.alternatives
          .slice(0, 14)
          .map(
            (a) =>
              `  ${String(a.size).padStart(6)}  ${a.expectedPrecision.toFixed(3)}  ${a.reachesTarget ? 'reaches' : '       '}  ${a.changes.map((c) => c.label).join('; ')}`,
          )
          .join('\n'),
    );
    const beam = await relaxConditions(s.ws, { modelId, conditions, targetSize: target, exactLimit: 1 });
    expect(beam.method).toBe('beam');
    expect(beam.plan.size).toBeGreaterThanOrEqual(target);
    if (reaching.length)
      expect(beam.plan.expectedPrecision).toBeGreaterThanOrEqual(Math.max(...reaching) - 1e-12);
  });

  it('rejects malformed conditions and targets', async () => {
    await expect(relaxConditions(s.ws, { modelId, conditions: [], targetSize: 10 })).rejects.toThrow(
      /non-empty list/,
    );
    await expect(
      relaxConditions(s.ws, { modelId, conditions: [{ kind: 'age_band', values: ['90s'] }], targetSize: 10 }),
    ).rejects.toThrow(/unknown age band "90s"/);
    await expect(
      relaxConditions(s.ws, { modelId, conditions: [{ kind: 'zodiac' } as never], targetSize: 10 }),
    ).rejects.toThrow(/unknown condition kind "zodiac"/);
    await expect(relaxConditions(s.ws, { modelId, conditions, targetSize: 10_000_000 })).rejects.toThrow(
      /targetSize 10000000 is larger than the universe/,
    );
  });
});

// Last in the file: it changes the workspace's third-party data.
describe('FrontierCache', () => {
  it('scores a model once per data version and agrees with a fresh frontier', async () => {
    const cache = new FrontierCache(s.ws);
    const first = await cache.get(modelId);
    expect(await cache.get(modelId)).toBe(first);
    const fresh = await modelFrontier(s.ws, modelId, { steps: 20 });
    expect(first.snapshot).toBe(fresh.snapshot);
    expect(first.frontier.grid(20, [], 10)).toEqual(fresh.points);

    await s.ws.db.run('DELETE FROM tp_interests WHERE tp_id = (SELECT min(tp_id) FROM tp_interests)');
    const after = await cache.get(modelId);
    expect(after).not.toBe(first);
    expect(after.snapshot).not.toBe(first.snapshot);
    expect(after.snapshot).toBe((await modelFrontier(s.ws, modelId, { steps: 2 })).snapshot);
  });
});
