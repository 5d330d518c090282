/**
 * Pooling backtest cases against published figures: the BCG trials' DerSimonian-Laird
 * meta-analysis as metafor reports it, and chi-square / normal tail values from scipy.
 */
import { describe, expect, it } from 'vitest';
import { poolLiftRatios, standingsIfUniform } from '../../src/lookalike/backtest-pool.ts';
import { BCG_TRIALS, logRiskRatio } from './bcg-trials.ts';

const Z95 = 1.959963984540054;

/** A case whose 95% interval is the normal one on the log scale with standard error `se`. */
function caseWith(ratio: number, se: number): { ratio: number; ci: [number, number] } {
  return { ratio, ci: [ratio * Math.exp(-Z95 * se), ratio * Math.exp(Z95 * se)] };
}

describe('poolLiftRatios', () => {
  it("matches metafor's DerSimonian-Laird analysis of the BCG trials", () => {
    const cases = BCG_TRIALS.map(logRiskRatio).map(({ y, v }) => caseWith(Math.exp(y), Math.sqrt(v)));
    const pooled = poolLiftRatios(cases)!;
    expect(pooled.cases).toBe(13);
    expect(pooled.pooled).toBe(13);
    expect(pooled.df).toBe(12);
    expect(pooled.q).toBeCloseTo(152.233, 3);
    expect(pooled.tau ** 2).toBeCloseTo(0.3088, 4);
    expect(Math.log(pooled.ratio)).toBeCloseTo(-0.7141, 4);
    expect(Math.log(pooled.ci[0])).toBeCloseTo(-0.7141 - Z95 * 0.1787, 3);
    expect(Math.log(pooled.ci[1])).toBeCloseTo(-0.7141 + Z95 * 0.1787, 3);
    expect(pooled.p).toBeLessThan(1e-12);
  });

  it('reports no between-case spread when the cases agree within their noise', () => {
    const pooled = poolLiftRatios([caseWith(1.1, 0.2), caseWith(1.05, 0.15), caseWith(1.0, 0.3)])!;
    expect(pooled.tau).toBe(0);
    // With tau = 0 the estimate is the inverse-variance weighted mean of the log ratios.
    const w = [1 / 0.04, 1 / 0.0225, 1 / 0.09];
    const mean = (w[0]! * Math.log(1.1) + w[1]! * Math.log(1.05)) / (w[0]! + w[1]! + w[2]!);
    expect(pooled.ratio).toBeCloseTo(Math.exp(mean), 12);
    const q = w.reduce((s, wi, i) => s + wi * ([Math.log(1.1), Math.log(1.05), 0][i]! - mean) ** 2, 0);
    expect(pooled.q).toBeCloseTo(q, 12);
    expect(pooled.p).toBeCloseTo(Math.exp(-q / 2), 9); // chi-square with 2 df has survival e^(-q/2)
  });

  it('leaves out cases without a usable spread and counts them', () => {
    const pooled = poolLiftRatios([
      caseWith(1.2, 0.2),
      caseWith(0.9, 0.25),
      { ratio: 1, ci: [1, 1] },
      { ratio: 0.5, ci: [0, Number.POSITIVE_INFINITY] },
      { ratio: 0.75, ci: [0, 2] },
    ])!;
    expect(pooled.cases).toBe(5);
    expect(pooled.pooled).toBe(2);
  });

  it('pools nothing from fewer than two usable cases, and rejects a confidence outside (0, 1)', () => {
    expect(poolLiftRatios([caseWith(1.2, 0.2), { ratio: 1, ci: [1, 1] }])).toBeNull();
    expect(() => poolLiftRatios([caseWith(1.2, 0.2), caseWith(1, 0.1)], 95)).toThrow(
      'confidence must be in (0, 1), got 95',
    );
  });
});

describe('standingsIfUniform', () => {
  it('expects cases behind even when every case is truly ahead', () => {
    const cases = [caseWith(1.3, 0.2), caseWith(0.9, 0.1), caseWith(1.0, 0.3)];
    const s = standingsIfUniform(cases, 1.1);
    // scipy.stats.norm.cdf(-log(1.1) / se) for se = 0.2, 0.1, 0.3.
    const p = [0.31684097731917266, 0.17026924760728052, 0.37535602827022474];
    expect(s.cases).toBe(3);
    expect(s.notAhead).toBeCloseTo(p[0]! + p[1]! + p[2]!, 6);
    expect(s.allAhead).toBeCloseTo((1 - p[0]!) * (1 - p[1]!) * (1 - p[2]!), 6);
  });

  it('depends only on the spreads, not on the observed ratios', () => {
    const a = standingsIfUniform([caseWith(2, 0.2), caseWith(0.5, 0.1)], 1.1);
    const b = standingsIfUniform([caseWith(1, 0.2), caseWith(1, 0.1)], 1.1);
    expect(a.notAhead).toBeCloseTo(b.notAhead, 12);
  });

  it('rejects a truth that is not a positive ratio', () => {
    expect(() => standingsIfUniform([caseWith(1, 0.2)], 0)).toThrow('truth must be a positive ratio, got 0');
  });
});
