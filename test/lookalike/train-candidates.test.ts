/**
 * The architecture rule: the higher validation AUC wins unless the MLP's lead is under the tie
 * threshold or within one standard error of the difference.
 */
import { describe, expect, it } from 'vitest';
import type { CandidateMetrics } from '../../src/lookalike/artifact.ts';
import { chooseCandidate, TIE_AUC } from '../../src/lookalike/train-candidates.ts';
import { candidate as base } from './candidate-metrics.ts';

const candidate = (architecture: 'logistic' | 'mlp', validationAuc: number, se?: number) =>
  base(architecture, validationAuc, se === undefined ? undefined : { difference: validationAuc - 0.8, se });

const chosen = (...c: CandidateMetrics[]) => chooseCandidate(c).architecture;

describe('chooseCandidate', () => {
  it('keeps logistic regression unless the MLP leads by the threshold and by more than one standard error', () => {
    const logistic = candidate('logistic', 0.8);
    expect(chosen(logistic, candidate('mlp', 0.8 + TIE_AUC / 2, 0))).toBe('logistic');
    expect(chosen(logistic, candidate('mlp', 0.83, 0.03))).toBe('logistic');
    expect(chosen(logistic, candidate('mlp', 0.83, 0.0299))).toBe('mlp');
    expect(chosen(logistic, candidate('mlp', 0.78, 0.01))).toBe('logistic');
    // Without a stored standard error (a model trained before the rule), the threshold alone.
    expect(chosen(logistic, candidate('mlp', 0.81))).toBe('mlp');
    expect(chosen(candidate('mlp', 0.7))).toBe('mlp');
  });
});
