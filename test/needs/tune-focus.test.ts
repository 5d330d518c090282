import { describe, expect, it } from 'vitest';
import { type FocusSample, tuneFocusThresholds } from '../../src/needs/model/tune-focus.ts';

// Two needs, text thresholds 0.5; need b's point-clause scores never separate its labels.
const samples: FocusSample[] = [
  { text: [0.6, 0.6], focus: null, labels: ['a', 'b'] },
  { text: [0.35, 0.3], focus: [0.3, 0.3], labels: ['a'] },
  { text: [0.25, 0.4], focus: [0.2, 0.4], labels: ['b'] },
  { text: [0.45, 0.1], focus: null, labels: ['a'] },
];

describe('tuneFocusThresholds', () => {
  it('picks the point-clause threshold with the best text-level F1 for each need, or none', () => {
    // Need a, by hand: no prior (0.5) or 0.4 → TP 1, FN 2, F1 0.5; 0.3 finds the second text
    // (TP 2, FN 1) → 0.8; 0.2 also reports the third (FP 1) → 0.667. Best: 0.3.
    // Need b: 0.4 adds its one positive (text 3, 0.4) but 0.3 adds text 2 wrongly:
    // no prior → TP 1, FN 1 → 0.667; 0.4 → TP 2 → 1.0. Best: 0.4.
    expect(tuneFocusThresholds(samples, ['a', 'b'], [0.5, 0.5], [0.1, 0.2, 0.3, 0.4])).toEqual([0.3, 0.4]);
  });

  it('keeps the text threshold (no prior) when a lower one finds nothing or costs precision', () => {
    const c: FocusSample[] = [
      { text: [0.6], focus: [0.6], labels: ['c'] },
      { text: [0.2], focus: [0.3], labels: [] },
      { text: [0.1], focus: [0.05], labels: [] },
    ];
    // No prior: TP 1 → F1 1. At 0.3 or below the second text is a false positive (F1 0.667).
    expect(tuneFocusThresholds(c, ['c'], [0.5], [0.1, 0.2, 0.3])).toEqual([0.5]);
    // Grid values at or above the text threshold are not candidates.
    expect(tuneFocusThresholds(samples, ['a'], [0.3], [0.3, 0.4])).toEqual([0.3]);
  });
});
