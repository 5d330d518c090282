import { describe, expect, it } from 'vitest';
import { decideText } from '../../src/needs/model/classifier.ts';
import type { TextScores } from '../../src/needs/model/score.ts';
import type { Clause } from '../../src/needs/types.ts';

const clause = (text: string, adversativeBefore: boolean, adversativeAfter: boolean): Clause => ({
  text,
  tokens: [],
  sentence: 0,
  adversativeBefore,
  adversativeAfter,
  marker: adversativeBefore ? 'けど' : null,
  negated: false,
  negations: [],
});

/** Scores of a text with two needs: text scores, then per clause [need 0, need 1]. */
function scores(text: [number, number], clauses: [number, number][], unmet: [number, number][]): TextScores {
  return {
    text: Float64Array.from(text),
    clause: Float32Array.from(clauses.flat()),
    unmet: Float32Array.from(unmet.flat()),
  } as unknown as TextScores;
}

const scoring = { thresholds: [0.5, 0.5], clauseThresholds: [0.3, 0.3] };

describe('decideText', () => {
  it('places a need in its strongest clause and in every clause at or above the clause threshold', () => {
    // Need 0: text 0.9, clauses 0.8 and 0.35 (both >= 0.3). Need 1: text 0.4 < 0.5, not reported.
    const clauses = [clause('A', false, true), clause('B', true, false)];
    const d = decideText(
      clauses,
      scores(
        [0.9, 0.4],
        [
          [0.8, 0.2],
          [0.35, 0.1],
        ],
        [
          [0.9, 0],
          [0.1, 0],
        ],
      ),
      scoring,
    );
    expect(d.needs).toEqual([0]);
    expect(d.clauseNeeds).toEqual([[0], [0]]);
    // Polarity comes from the strongest clause (0.8 in clause 0, unmet 0.9).
    expect(d.unmet).toEqual([true, false]);
    expect(d.focusClause).toBe(1);
  });

  it('reports a need unmet when any clause it is placed in is unmet, even if its strongest is met', () => {
    // 「唐揚げはイマイチだけど、パンはふっくら」: need 0 placed in both clauses (0.4 and 0.9 >= 0.3),
    // strongest is clause 1 (met, 0.1) but clause 0 is unmet (0.8).
    const clauses = [clause('A', false, true), clause('B', true, false)];
    const d = decideText(
      clauses,
      scores(
        [0.95, 0.1],
        [
          [0.4, 0],
          [0.9, 0],
        ],
        [
          [0.8, 0],
          [0.1, 0],
        ],
      ),
      scoring,
    );
    expect(d.clauseNeeds).toEqual([[0], [0]]);
    expect(d.unmet).toEqual([true, false]);
    // Below the clause threshold (0.2 < 0.3) the unmet clause does not count.
    const weak = decideText(
      clauses,
      scores(
        [0.95, 0.1],
        [
          [0.2, 0],
          [0.9, 0],
        ],
        [
          [0.8, 0],
          [0.1, 0],
        ],
      ),
      scoring,
    );
    expect(weak.clauseNeeds).toEqual([[], [0]]);
    expect(weak.unmet).toEqual([false, false]);
  });

  it('gives a focus clause that names no need the needs of the conceded clause before it', () => {
    // 「重いのは承知で買ったけど、動かすのは一苦労」: the point clause scores no need (0.05, 0.02),
    // the conceded clause carries need 1 (0.9): the point is about that need.
    const clauses = [
      clause('重いのは承知で買ったけど、', false, true),
      clause('動かすのは一苦労', true, false),
    ];
    const d = decideText(
      clauses,
      scores(
        [0.1, 0.92],
        [
          [0.05, 0.9],
          [0.05, 0.02],
        ],
        [
          [0, 0.2],
          [0, 0.7],
        ],
      ),
      scoring,
    );
    expect(d.needs).toEqual([1]);
    expect(d.clauseNeeds).toEqual([[1], [1]]);
    expect(d.focusClause).toBe(1);
  });

  it('does not carry when the focus clause has a need of its own', () => {
    // Need 0 is the focus clause's own (0.7 >= 0.3); need 1 stays in the conceded clause.
    const clauses = [clause('A', false, true), clause('B', true, false)];
    const d = decideText(
      clauses,
      scores(
        [0.8, 0.9],
        [
          [0.1, 0.9],
          [0.7, 0.1],
        ],
        [
          [0, 0],
          [0, 0],
        ],
      ),
      scoring,
    );
    expect(d.clauseNeeds).toEqual([[1], [0]]);
  });

  it('carries nothing into a text without a contrast', () => {
    const clauses = [clause('A', false, false)];
    const d = decideText(clauses, scores([0.9, 0.1], [[0.9, 0.1]], [[0, 0]]), scoring);
    expect(d.clauseNeeds).toEqual([[0]]);
    expect(d.focusClause).toBeNull();
  });
});
