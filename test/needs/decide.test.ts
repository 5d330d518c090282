import { describe, expect, it } from 'vitest';
import { decideText } from '../../src/needs/model/classifier.ts';
import type { TextScores } from '../../src/needs/model/score.ts';
import type { Clause } from '../../src/needs/types.ts';
import { clausesOf } from './helpers.ts';

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

describe('decideText: the point-clause prior', () => {
  const clauses = [clause('A', false, true), clause('B', true, false)];
  const none: [number, number][] = [
    [0, 0],
    [0, 0],
  ];

  it('reports a need said in the clause after the adversative at its point-clause threshold', () => {
    // Need 0: text 0.3 under its threshold 0.5, but 0.25 in the point clause >= its prior 0.2.
    const s = scores(
      [0.3, 0.1],
      [
        [0.1, 0.1],
        [0.25, 0.1],
      ],
      none,
    );
    const d = decideText(clauses, s, { ...scoring, focusThresholds: [0.2, 0.5] });
    expect(d.needs).toEqual([0]);
    expect(d.clauseNeeds).toEqual([[], [0]]);
    // Without the prior (older artifacts) the text threshold alone decides.
    expect(decideText(clauses, s, scoring).needs).toEqual([]);
    // The same score in the conceded clause does not count: only the point clause has the prior.
    const conceded = scores(
      [0.3, 0.1],
      [
        [0.25, 0.1],
        [0.1, 0.1],
      ],
      none,
    );
    expect(decideText(clauses, conceded, { ...scoring, focusThresholds: [0.2, 0.5] }).needs).toEqual([]);
  });

  it('places a reported need in the point clause at the lower of its clause and point thresholds', () => {
    // Need 0 reported by its text score, strongest in clause 0; 0.22 in the point clause is under
    // the clause threshold 0.3 but reaches the prior 0.2. Need 1 is the point clause's own.
    const s = scores(
      [0.9, 0.9],
      [
        [0.9, 0.1],
        [0.22, 0.6],
      ],
      none,
    );
    expect(decideText(clauses, s, { ...scoring, focusThresholds: [0.2, 0.5] }).clauseNeeds).toEqual([
      [0],
      [0, 1],
    ]);
    expect(decideText(clauses, s, scoring).clauseNeeds).toEqual([[0], [1]]);
  });
});

describe('decideText: a point clause of pure praise answers the conceded need', () => {
  /** Scores of 「場所はとるけど、それでも買ってよかった」 as a model might give them (space, taste). */
  function praised(dictTaste: number): TextScores {
    const s = scores(
      [0.9, 0.6],
      [
        [0.8, 0.1],
        [0.1, 0.55],
      ],
      [
        [0.9, 0],
        [0, 0],
      ],
    );
    const dict = (taste: number) => ({ evidence: [[], []], scores: Float32Array.from([0, taste]) });
    return { ...s, inputs: { features: [[], []], dict: [dict(0), dict(dictTaste)] } } as TextScores;
  }

  it('drops the taste the model read into 良かった and carries the conceded need', async () => {
    const clauses = await clausesOf('場所はとるけど、それでも買ってよかった');
    const d = decideText(clauses, praised(0), scoring);
    // Hand label: space unmet, the point clause answers space; no taste.
    expect(d.needs).toEqual([0]);
    expect(d.clauseNeeds).toEqual([[0], [0]]);
    expect(d.unmet).toEqual([true, false]);
  });

  it('keeps taste when the point clause names a taste word (the dictionary matches it)', async () => {
    const clauses = await clausesOf('場所はとるけど、カリッと焼けてよかった');
    const d = decideText(clauses, praised(0.5), scoring);
    expect(d.needs).toEqual([0, 1]);
    expect(d.clauseNeeds).toEqual([[0], [1]]);
  });

  it('keeps taste when the point clause is more than a verdict, even without a dictionary word', async () => {
    // パン is a word of its own here (the test dictionary does not match it): not pure praise.
    const clauses = await clausesOf('場所はとるけど、パンはよかった');
    expect(decideText(clauses, praised(0), scoring).clauseNeeds).toEqual([[0], [1]]);
  });
});

describe('decideText: the unmet threshold', () => {
  it('marks a need unmet at the model’s tuned cut instead of 0.5', () => {
    const clauses = [clause('A', false, false)];
    const s = scores([0.9, 0.1], [[0.9, 0.1]], [[0.45, 0]]);
    // 0.45 is under 0.5 (met) but at or above a cut of 0.4 (unmet).
    expect(decideText(clauses, s, scoring).unmet).toEqual([false, false]);
    expect(decideText(clauses, s, { ...scoring, unmetThreshold: 0.4 }).unmet).toEqual([true, false]);
  });
});
