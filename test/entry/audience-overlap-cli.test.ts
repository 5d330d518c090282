/**
 * `lookalike audience overlap` on a workspace of three audiences, checked against plain set
 * arithmetic: the CLI is a thin adapter over the overlap operation, so its JSON must be exactly
 * the independent counts, and its text output the same figures.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audienceRevisionPrefix, encodeMembers } from '../../src/audience/index.ts';
import { tempWorkspace } from '../helpers/workspace.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'lookalike.js');
const tp = (k: number) => `tp_${String(k).padStart(6, '0')}`;
const range = (from: number, to: number, step = 1) =>
  Array.from({ length: Math.ceil((to - from) / step) }, (_, i) => tp(from + i * step));

// Overlapping in every way: A and B share 300..599, C (every third of 0..1199) cuts through both.
const AUDIENCES: Record<string, string[]> = {
  au_a: range(0, 600),
  au_b: range(300, 900),
  au_c: range(0, 1200, 3),
};

let home: string;
let cleanup: () => void;

beforeAll(async () => {
  const t = await tempWorkspace();
  home = t.dir;
  cleanup = t.cleanup;
  for (const [id, ids] of Object.entries(AUDIENCES)) {
    // Rank order differs from ID order, as in a scored audience.
    const ranked = [...ids].reverse();
    await t.ws.artifacts.publish(audienceRevisionPrefix(id, 1), {
      'manifest.json': JSON.stringify({
        kind: 'audience',
        version: 1,
        id,
        revision: 1,
        modelId: 'lm_x',
        universe: 'third_party',
        idKind: 'third_party',
        size: ranked.length,
        minSize: 100,
        snapshot: '0123456789abcdef',
        createdAt: '2026-04-01T00:00:00.000Z',
      }),
      'members.arrow': encodeMembers({
        ids: ranked,
        scores: Float32Array.from(ranked, (_, i) => 1 - i / 2000),
        ranks: Int32Array.from(ranked, (_, i) => i + 1),
      }),
    });
  }
  // The CLI opens the workspace itself: release this process's hold on it.
  t.ws.close();
});
afterAll(() => cleanup?.());

const cli = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args, '--home', home], { encoding: 'utf8', timeout: 120_000 });

/** The independent answer: for each person, the set of audiences holding them. */
function expected() {
  const names = Object.keys(AUDIENCES);
  const sets = names.map((n) => new Set(AUDIENCES[n]));
  const everyone = new Set(names.flatMap((n) => AUDIENCES[n]!));
  const combos = new Map<string, number>();
  for (const x of everyone) {
    const key = names.filter((_, i) => sets[i]!.has(x)).join('+');
    combos.set(key, (combos.get(key) ?? 0) + 1);
  }
  const pairs = [];
  for (let i = 0; i < names.length; i++)
    for (let j = i + 1; j < names.length; j++) {
      const both = [...sets[i]!].filter((x) => sets[j]!.has(x)).length;
      const union = new Set([...sets[i]!, ...sets[j]!]).size;
      pairs.push({ a: names[i], b: names[j], intersection: both, jaccard: both / union });
    }
  return {
    union: everyone.size,
    inAll: combos.get(names.join('+')) ?? 0,
    pairs,
    combinations: Object.fromEntries(combos),
  };
}

describe('lookalike audience overlap', () => {
  it('prints the pairwise and UpSet counts of three audiences exactly (--json; id@revision names a revision)', () => {
    const out = cli('audience', 'overlap', 'au_a@1', 'au_b', 'au_c', '--json');
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    const r = JSON.parse(out.stdout) as {
      union: number;
      inAll: number;
      audiences: { id: string; revision: number; size: number }[];
      pairs: { a: string; b: string; intersection: number; jaccard: number }[];
      combinations: { audiences: string[]; exclusive: number; share: number }[];
    };
    const want = expected();
    expect(r.audiences).toEqual([
      { id: 'au_a', revision: 1, size: 600 },
      { id: 'au_b', revision: 1, size: 600 },
      { id: 'au_c', revision: 1, size: 400 },
    ]);
    expect([r.union, r.inAll]).toEqual([want.union, want.inAll]);
    expect(r.pairs.map((p) => ({ a: p.a, b: p.b, intersection: p.intersection }))).toEqual(
      want.pairs.map(({ a, b, intersection }) => ({ a, b, intersection })),
    );
    for (const [i, p] of r.pairs.entries()) expect(p.jaccard).toBeCloseTo(want.pairs[i]!.jaccard, 12);
    expect(Object.fromEntries(r.combinations.map((c) => [c.audiences.join('+'), c.exclusive]))).toEqual(
      want.combinations,
    );
    // Largest first, and the exclusive counts partition the union.
    const sizes = r.combinations.map((c) => c.exclusive);
    expect(sizes).toEqual([...sizes].sort((x, y) => y - x));
    expect(sizes.reduce((s, x) => s + x, 0)).toBe(want.union);
  });

  it('refuses one audience, or an unknown one, in one line', () => {
    const one = cli('audience', 'overlap', 'au_a');
    expect(one.status).not.toBe(0);
    expect(one.stderr.trim().split('\n')).toHaveLength(1);
    const unknown = cli('audience', 'overlap', 'au_a', 'au_nope');
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain('au_nope');
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
  });
});
