/**
 * DeLong's paired AUC comparison against its definition computed pair by pair (O(m n)), and a
 * small case worked by hand.
 */
import { describe, expect, it } from 'vitest';
import { compareAucs } from '../../src/lookalike/auc-compare.ts';
import { auc } from '../../src/lookalike/metrics.ts';
import { Rng } from '../../src/lookalike/rng.ts';

/** DeLong (1988) from the kernel psi(x, y) = 1, 1/2 or 0 over every positive-negative pair. */
function delongByPairs(a: number[], b: number[], pos: number[], neg: number[]) {
  const psi = (x: number, y: number) => (x > y ? 1 : x === y ? 0.5 : 0);
  const comps = (z: number[]) => ({
    v10: pos.map((i) => neg.reduce((s, j) => s + psi(z[i]!, z[j]!), 0) / neg.length),
    v01: neg.map((j) => pos.reduce((s, i) => s + psi(z[i]!, z[j]!), 0) / pos.length),
  });
  const ca = comps(a);
  const cb = comps(b);
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const cov = (u: number[], v: number[]) => {
    const mu = mean(u);
    const mv = mean(v);
    return u.reduce((s, x, k) => s + (x - mu) * (v[k]! - mv), 0) / (u.length - 1);
  };
  const s10 = cov(ca.v10, ca.v10) + cov(cb.v10, cb.v10) - 2 * cov(ca.v10, cb.v10);
  const s01 = cov(ca.v01, ca.v01) + cov(cb.v01, cb.v01) - 2 * cov(ca.v01, cb.v01);
  return { a: mean(ca.v10), b: mean(cb.v10), se: Math.sqrt(s10 / pos.length + s01 / neg.length) };
}

describe('compareAucs', () => {
  it('works a small case by hand', () => {
    // Positives 0-2, negatives 3-6. a orders 9 of the 12 pairs right and ties one; b orders 11 right.
    const a = [0.9, 0.4, 0.3, 0.5, 0.3, 0.2, 0.1];
    const b = [0.9, 0.8, 0.4, 0.5, 0.3, 0.2, 0.1];
    const rows = { pos: [0, 1, 2], neg: [3, 4, 5, 6] };
    const d = compareAucs(a, b, rows);
    expect(d.a).toBeCloseTo(9.5 / 12, 12);
    expect(d.b).toBeCloseTo(11 / 12, 12);
    expect(d.difference).toBeCloseTo(-1.5 / 12, 12);
    expect(d.se).toBeCloseTo(delongByPairs(a, b, rows.pos, rows.neg).se, 12);
    expect(d.se).toBeGreaterThan(0);
  });

  it('matches the pair-by-pair definition on correlated scores with ties', () => {
    const rng = new Rng(3, 1);
    for (let trial = 0; trial < 5; trial++) {
      const n = 60 + trial * 17;
      const y = Array.from({ length: n }, () => (rng.float() < 0.3 ? 1 : 0));
      // Rounded to one decimal so ties occur, within and across classes.
      const signal = y.map((v) => v + rng.float() * 2);
      const a = signal.map((s) => Math.round((s + rng.float()) * 10) / 10);
      const b = signal.map((s) => Math.round((s + rng.float() * 1.5) * 10) / 10);
      const pos = y.flatMap((v, i) => (v ? [i] : []));
      const neg = y.flatMap((v, i) => (v ? [] : [i]));
      const d = compareAucs(a, b, { pos, neg });
      const ref = delongByPairs(a, b, pos, neg);
      expect(d.a).toBeCloseTo(ref.a, 12);
      expect(d.b).toBeCloseTo(ref.b, 12);
      expect(d.a).toBeCloseTo(
        auc(
          pos.map((i) => a[i]!),
          neg.map((i) => a[i]!),
        ),
        12,
      );
      expect(d.se).toBeCloseTo(ref.se, 12);
    }
  });

  it('has no spread between a scoring and itself, and rejects an empty class', () => {
    const z = [0.3, 0.9, 0.1, 0.5];
    expect(compareAucs(z, z, { pos: [1, 3], neg: [0, 2] })).toEqual({ a: 1, b: 1, difference: 0, se: 0 });
    expect(() => compareAucs(z, z, { pos: [], neg: [0, 1] })).toThrow(
      'comparing AUCs needs positive and negative rows (got 0 and 2)',
    );
  });
});
