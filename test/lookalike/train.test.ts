import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../src/adapters/index.ts';
import {
  diagnoseSeed,
  listLookalikeModels,
  loadLookalikeModel,
  type NetworkData,
  scoreProfiles,
  scoreUniverse,
  type TpProfile,
  type TrainResult,
  trainLookalike,
  trainNetwork,
} from '../../src/lookalike/index.ts';
import {
  CancelledError,
  InsufficientDataError,
  InvalidInputError,
  NotFoundError,
} from '../../src/schema/index.ts';
import { runSegmentation } from '../../src/segment/index.ts';
import { personaMembers, type SampleWs, sampleWorkspace } from './helpers.ts';

let s: SampleWs;
let first: TrainResult;
const base = { universe: 'third_party' as const, backend: 'wasm' as const, bootstrap: 100 };

beforeAll(async () => {
  s = await sampleWorkspace({ members: 2000, universe: 20_000, months: 6, seed: 11 });
  first = await trainLookalike(s.ws, {
    ...base,
    id: 'lm_busy_a',
    seed: { kind: 'members', memberIds: personaMembers(s, 'busy_family') },
    randomSeed: 5,
  });
});
afterAll(() => s?.cleanup());

describe('trainLookalike', () => {
  it('trains both architectures, keeps the better by validation, and reports seed diagnostics', () => {
    const m = first.manifest;
    expect(m.kind).toBe('lookalike');
    expect(m.candidates.map((c) => c.architecture)).toEqual(['logistic', 'mlp']);
    const best = Math.max(...m.candidates.map((c) => c.validationAuc));
    const chosen = m.candidates.find((c) => c.architecture === m.architecture)!;
    expect(best - chosen.validationAuc).toBeLessThan(0.002 + 1e-12);
    expect(m.params.backend).toBe('wasm');
    const d = m.diagnostics;
    expect(d.seedSize).toBe(personaMembers(s, 'busy_family').length);
    expect(d.matched).toBeGreaterThan(100);
    expect(d.matchRate).toBeGreaterThan(0.4);
    expect(d.matchRate).toBeLessThan(0.8);
    expect(d.distinctiveness).toBeGreaterThan(0.85);
    expect(d.warnings).toEqual([]);
    // Existing customers and the seed are never in the scored universe.
    expect(m.training.universeSize).toBeLessThan(20_000 - d.matched);
    expect(m.training.labelledCalibration + m.training.labelledValidation + m.training.labelledTrain).toBe(
      d.matched,
    );
  });

  it('publishes an artifact that loads back bit-for-bit and scores identically', async () => {
    const loaded = await loadLookalikeModel(s.ws.artifacts, first.id);
    expect(loaded.manifest).toEqual(first.manifest);
    expect(loaded.model.spec).toEqual(first.model.spec);
    loaded.model.layers.forEach((l, i) => {
      const orig = first.model.layers[i]!;
      expect(Buffer.from(l.weights.buffer, l.weights.byteOffset, l.weights.byteLength)).toEqual(
        Buffer.from(orig.weights.buffer, orig.weights.byteOffset, orig.weights.byteLength),
      );
      expect([...l.bias]).toEqual([...orig.bias]);
    });
    expect([...loaded.calibration.heldOut]).toEqual([...first.calibration.heldOut]);
    const profiles: TpProfile[] = [
      {
        gender: 'female',
        age_band: '30s',
        interests: { baby_kids: 14, time_saving_cooking: 6 },
        searches: ['離乳食 冷凍'],
      },
      { gender: 'male', age_band: '60s', interests: { travel: 3 } },
    ];
    expect(scoreProfiles(loaded.model, profiles)).toEqual(scoreProfiles(first.model, profiles));
    expect((await listLookalikeModels(s.ws.artifacts)).map((m) => m.id)).toContain(first.id);
  });

  it('is deterministic: the same seed and data give identical weights and universe scores', async () => {
    const again = await trainLookalike(s.ws, {
      ...base,
      id: 'lm_busy_b',
      seed: { kind: 'members', memberIds: personaMembers(s, 'busy_family') },
      randomSeed: 5,
    });
    expect(again.manifest.architecture).toBe(first.manifest.architecture);
    again.model.layers.forEach((l, i) => {
      expect([...l.weights]).toEqual([...first.model.layers[i]!.weights]);
    });
    const a = await scoreUniverse(s.ws, await loadLookalikeModel(s.ws.artifacts, first.id));
    const b = await scoreUniverse(s.ws, await loadLookalikeModel(s.ws.artifacts, again.id));
    try {
      expect(a.size).toBe(b.size);
      expect(Buffer.from(a.logits.buffer)).toEqual(Buffer.from(b.logits.buffer));
      expect([...a.order.subarray(0, 500)]).toEqual([...b.order.subarray(0, 500)]);
      expect(await a.ids(0, 20)).toEqual(await b.ids(0, 20));
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('trains from a purchase query, a top-value seed, a segment, and with a negative seed', async () => {
    const purchase = await trainLookalike(s.ws, {
      ...base,
      seed: { kind: 'purchase', categories: ['H05'], minSpend: 1000 },
      architectures: { logistic: {} },
    });
    expect(purchase.manifest.seed.description).toContain('categories H05');
    expect(purchase.manifest.diagnostics.matched).toBeGreaterThan(100);
    const top = await trainLookalike(s.ws, {
      ...base,
      seed: { kind: 'top_value', share: 0.2 },
      negativeSeed: { kind: 'members', memberIds: personaMembers(s, 'student') },
      architectures: { logistic: {} },
    });
    // 20% of the members who bought anything.
    expect(top.manifest.diagnostics.seedSize).toBeGreaterThan(380);
    expect(top.manifest.diagnostics.seedSize).toBeLessThanOrEqual(400);
    expect(top.manifest.diagnostics.negatives).toBeGreaterThan(20);
    expect(top.manifest.training.negatives).toBe(top.manifest.diagnostics.negatives);
    const seg = await runSegmentation(s.ws, { k: 6, seed: 3, affinity: false });
    const biggest = [...seg.segments].sort((a, b) => b.size - a.size)[0]!;
    const fromSegment = await trainLookalike(s.ws, {
      ...base,
      seed: { kind: 'segment', segmentationId: seg.id, segmentId: biggest.segmentId },
      architectures: { logistic: {} },
    });
    expect(fromSegment.manifest.seed.size).toBe(biggest.size);
  });

  it('trains the same network in a worker thread as in process', async () => {
    const n = 300;
    const d = 6;
    const x = Float32Array.from({ length: n * d }, (_, i) => ((i * 7919) % 13) / 13);
    const y = Float32Array.from({ length: n }, (_, i) => (x[i * d]! + x[i * d + 1]! > 1 ? 1 : 0));
    const data: NetworkData = { x, y, w: new Float32Array(n).fill(1), n, d };
    const params = {
      hidden: [4],
      epochs: 3,
      batchSize: 64,
      learningRate: 0.05,
      l2: 0,
      seed: 3,
      backend: 'wasm' as const,
    };
    const local = await trainNetwork(data, data, params);
    const pool = new WorkerPool({ size: 1 });
    try {
      const remote = await pool.run<typeof local>('lookalike-train', {
        train: data,
        validation: data,
        params,
      });
      expect([...remote.layers[0]!.weights]).toEqual([...local.layers[0]!.weights]);
      expect(remote.validationAuc).toEqual(local.validationAuc);
    } finally {
      await pool.close();
    }
  });
});

describe('seed diagnostics and long-work hooks', () => {
  it('diagnoses a seed before training: size, match rate, and the warnings it earns', async () => {
    const d = await diagnoseSeed(s.ws, {
      seed: { kind: 'members', memberIds: personaMembers(s, 'gourmet_drinker') },
      universe: 'third_party',
    });
    expect(d.seedSize).toBe(personaMembers(s, 'gourmet_drinker').length);
    expect(d.matched).toBeLessThan(100);
    expect(d.warnings.map((w) => w.code)).toContain('too_small');
    const broad = await diagnoseSeed(s.ws, {
      seed: { kind: 'top_value', share: 0.6 },
      universe: 'third_party',
    });
    expect(broad.warnings.map((w) => w.code)).toContain('too_broad');
    const none = await diagnoseSeed(s.ws, {
      seed: { kind: 'members', memberIds: ['NOPE'] },
      universe: 'third_party',
    });
    expect(none).toMatchObject({ seedSize: 1, matched: 0, matchRate: 0 });
  });

  it('reports progress and stops when cancelled', async () => {
    const stages: string[] = [];
    const controller = new AbortController();
    const run = trainLookalike(
      s.ws,
      {
        ...base,
        seed: { kind: 'members', memberIds: personaMembers(s, 'busy_family') },
        architectures: { logistic: {} },
      },
      {
        signal: controller.signal,
        progress: (_f, stage) => {
          stages.push(stage);
          if (stage.startsWith('training')) controller.abort();
        },
      },
    );
    await expect(run).rejects.toThrow(CancelledError);
    await expect(run).rejects.toThrow('training was cancelled');
    expect(stages.slice(0, 3)).toEqual(['resolving seed', 'staging universe', 'building features']);
  });
});

describe('bad input', () => {
  it('a seed with no matches says so', async () => {
    await expect(
      trainLookalike(s.ws, { ...base, seed: { kind: 'purchase', nameContains: 'そんな商品はない' } }),
    ).rejects.toThrow(/matched no one/);
    const none = trainLookalike(s.ws, { ...base, seed: { kind: 'members', memberIds: ['NOPE1', 'NOPE2'] } });
    await expect(none).rejects.toBeInstanceOf(InsufficientDataError);
    await expect(none).rejects.toThrow(
      /none of the seed's 2 members has a linked third-party profile \(0 matched/,
    );
  });

  it('a seed smaller than the minimum gives its size and the minimum', async () => {
    const few = personaMembers(s, 'busy_family').slice(0, 60);
    await expect(
      trainLookalike(s.ws, { ...base, seed: { kind: 'members', memberIds: few } }),
    ).rejects.toThrow(
      /the seed is too small: \d+ of its 60 members matched the third_party universe, the minimum is 100/,
    );
  });

  it('unknown universes, seed kinds, architectures and models are named', async () => {
    const seed = { kind: 'members' as const, memberIds: personaMembers(s, 'busy_family') };
    await expect(trainLookalike(s.ws, { ...base, universe: 'everyone' as 'members', seed })).rejects.toThrow(
      InvalidInputError,
    );
    await expect(trainLookalike(s.ws, { ...base, seed: { kind: 'vibes' } as never })).rejects.toThrow(
      /unknown seed kind "vibes"/,
    );
    await expect(
      trainLookalike(s.ws, { ...base, seed, architectures: { transformer: {} } as never }),
    ).rejects.toThrow(/unknown model architecture "transformer"/);
    await expect(loadLookalikeModel(s.ws.artifacts, 'lm_missing')).rejects.toBeInstanceOf(NotFoundError);
    await expect(loadLookalikeModel(s.ws.artifacts, '../etc')).rejects.toThrow(
      /model id "..\/etc" is not valid/,
    );
    await expect(
      trainLookalike(s.ws, {
        ...base,
        seed: { kind: 'segment', segmentationId: 'sgm_nope', segmentId: 'seg_01' },
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});
