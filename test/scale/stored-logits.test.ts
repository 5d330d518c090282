/**
 * Scoring from a stored snapshot instead of rebuilding the representation: `scoreUniverse` with
 * the snapshot source gives exactly the logits, ranking and IDs of a rebuild, with the model's
 * and the caller's exclusions, and rebuilds when no snapshot is current.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LookalikeModel,
  type ScoredUniverse,
  type StoredLogits,
  scoreUniverse,
  storedLogitsOf,
  useStoredLogits,
} from '../../src/lookalike/index.ts';
import { ensureSnapshot, snapshotLogits } from '../../src/scale/index.ts';
import { personaModel, type SampleWs, sampleWorkspace } from '../lookalike/helpers.ts';

let s: SampleWs;
let model: LookalikeModel;

beforeAll(async () => {
  s = await sampleWorkspace({ members: 1200, universe: 6000, months: 4, seed: 11 });
  model = await personaModel(s, 'busy_family', { randomSeed: 5, bootstrap: 50 });
});
afterAll(() => s?.cleanup());

async function both<T>(
  options: Parameters<typeof scoreUniverse>[2],
  read: (a: ScoredUniverse) => Promise<T>,
): Promise<{ rebuilt: T; stored: T; stages: string[] }> {
  const stages: string[] = [];
  const rebuilt = await scoreUniverse(s.ws, model, { ...options, storedLogits: null });
  const stored = await scoreUniverse(
    s.ws,
    model,
    { ...options, storedLogits: snapshotLogits(s.ws) },
    { progress: (_f, stage) => stages.push(stage) },
  );
  try {
    return { rebuilt: await read(rebuilt), stored: await read(stored), stages };
  } finally {
    await rebuilt.close();
    await stored.close();
  }
}

const view = async (a: ScoredUniverse) => ({
  size: a.size,
  logits: [...a.logits],
  order: [...a.order],
  top: await a.ids(0, 300),
  snapshot: a.snapshot,
});

describe('scoreUniverse from a universe snapshot', () => {
  it('rebuilds when the workspace has no snapshot for the spec', async () => {
    expect(await snapshotLogits(s.ws)(model.model.spec, 'third_party', model.model, {})).toBeNull();
    const { rebuilt, stored, stages } = await both({}, view);
    expect(stored).toEqual(rebuilt);
    expect(stages.some((x) => x.includes('snapshot'))).toBe(false);
  });

  it('reads the snapshot and gives exactly the rebuilt logits, ranking and IDs', async () => {
    const built = await ensureSnapshot(s.ws, model.model.spec, 'third_party', 1500);
    expect(built.manifest.shards.length).toBe(4);
    const { rebuilt, stored, stages } = await both({}, view);
    expect(stages.filter((x) => x.includes(`snapshot ${built.manifest.key}`))).toHaveLength(4);
    // Rows are the universe minus the seed: fewer than the snapshot's, picked by ID.
    expect(rebuilt.size).toBeLessThan(built.manifest.rows);
    expect(stored).toEqual(rebuilt);
  });

  it("applies a caller's extra exclusions the same way", async () => {
    const first = await scoreUniverse(s.ws, model, { storedLogits: null });
    const drop = await first.ids(0, 25);
    await first.close();
    const { rebuilt, stored } = await both({ exclusions: { ids: drop } }, view);
    expect(rebuilt.top.some((id) => drop.includes(id))).toBe(false);
    expect(stored).toEqual(rebuilt);
  });

  it('uses the source registered for the workspace unless told otherwise', async () => {
    const calls: string[] = [];
    const spy: StoredLogits = async (spec, universe, m, hooks) => {
      calls.push(universe);
      return snapshotLogits(s.ws)(spec, universe, m, hooks);
    };
    useStoredLogits(s.ws.db, spy); // another object: not this workspace's source
    expect(storedLogitsOf(s.ws)).toBeNull();
    useStoredLogits(s.ws, spy);
    try {
      await (await scoreUniverse(s.ws, model)).close();
      await (await scoreUniverse(s.ws, model, { storedLogits: null })).close();
      expect(calls).toEqual(['third_party']);
    } finally {
      useStoredLogits(s.ws, null);
    }
    expect(storedLogitsOf(s.ws)).toBeNull();
  });

  it('fails clearly when stored logits do not cover the universe', async () => {
    const short: StoredLogits = async () => new Float32Array(10);
    await expect(scoreUniverse(s.ws, model, { storedLogits: short })).rejects.toThrow(
      /stored logits cover 10 rows, the third_party universe has 6000/,
    );
  });
});
