/**
 * Jobs train on the worker pool: the networks, and the members-universe logistic's
 * cross-validated fits, which would otherwise hold the server's event loop. The pool must change
 * where the work runs, never what it produces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../src/adapters/index.ts';
import { loadLookalikeModel, trainLookalike } from '../../src/lookalike/index.ts';
import { crossFitIrls } from '../../src/lookalike/irls-train.ts';
import { Rng } from '../../src/lookalike/rng.ts';
import type { NetworkData } from '../../src/lookalike/tf-train.ts';
import { poolTrainers } from '../../src/ops/index.ts';
import { type SampleWs, sampleWorkspace } from '../lookalike/helpers.ts';

let pool: WorkerPool;
let s: SampleWs;
beforeAll(async () => {
  pool = new WorkerPool({ size: 1 });
  s = await sampleWorkspace({ members: 1500, universe: 3000, months: 4, seed: 5 });
}, 120_000);
afterAll(async () => {
  await pool?.close();
  s?.cleanup();
});

function rows(n: number): NetworkData {
  const rng = new Rng(8, 1);
  const d = 4;
  const x = Float32Array.from({ length: n * d }, () => (rng.float() < 0.4 ? 1 : 0));
  const y = Float32Array.from({ length: n }, (_, i) =>
    rng.float() < (x[i * d]! + x[i * d + 1]! > 1 ? 0.6 : 0.1) ? 1 : 0,
  );
  return { x, y, w: new Float32Array(n).fill(1), n, d };
}

describe('poolTrainers', () => {
  it('cross-fits in a worker thread exactly as in process, reporting each fold', async () => {
    const data = rows(500);
    const folds = Uint8Array.from({ length: data.n }, (_, i) => i % 5);
    const scale = Float64Array.of(10, 1, 1, 1);
    const local = crossFitIrls(data, folds, [0.1, 1], scale);
    const reported: number[] = [];
    const remote = await poolTrainers(pool).crossFitter(data, folds, [0.1, 1], scale, {
      progress: (f) => reported.push(f),
    });
    expect([...remote.layers[0]!.weights]).toEqual([...local.layers[0]!.weights]);
    expect([...remote.outOfFold]).toEqual([...local.outOfFold]);
    expect(remote.validationAuc).toEqual(local.validationAuc);
    expect(reported).toEqual([0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('trains the same members-universe model on the pool as in process', async () => {
    const options = {
      seed: { kind: 'top_value' as const, share: 0.2 },
      universe: 'members' as const,
      randomSeed: 3,
      backend: 'wasm' as const,
      architectures: { logistic: {} },
    };
    const local = await trainLookalike(s.ws, { ...options, id: 'lm_local' });
    const pooled = await trainLookalike(s.ws, { ...options, id: 'lm_pooled' }, poolTrainers(pool));
    const a = await loadLookalikeModel(s.ws.artifacts, local.id);
    const b = await loadLookalikeModel(s.ws.artifacts, pooled.id);
    expect([...b.model.layers[0]!.weights]).toEqual([...a.model.layers[0]!.weights]);
    expect([...b.calibration.heldOut]).toEqual([...a.calibration.heldOut]);
    expect(pooled.manifest.candidates[0]!.penalty).toEqual(local.manifest.candidates[0]!.penalty);
    expect(pooled.manifest.candidates[0]!.validationAuc).toBe(local.manifest.candidates[0]!.validationAuc);
  }, 120_000);
});
