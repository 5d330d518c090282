/**
 * The substantive-text classifier on the hand-labelled lines it never saw in fitting (the "test"
 * split, hard cases included: short answers with a fact, long gushing reactions), and the fit's own
 * optimality condition.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { LABELLED_TEXTS, SubstantiveClassifier } from '../../src/ladders/index.ts';
import { fitLogistic } from '../../src/ladders/substantive.ts';
import { kuromojiTokenizer } from '../../src/needs/index.ts';

let c: SubstantiveClassifier;
beforeAll(async () => {
  c = await SubstantiveClassifier.create(kuromojiTokenizer);
});

describe('substantive classifier', () => {
  it('labels held-out answers and reviews with at least 90% accuracy and 90% precision', async () => {
    const test = LABELLED_TEXTS.filter((l) => l.split === 'test');
    const got = await c.classify(test.map((l) => l.text));
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let tn = 0;
    test.forEach((l, i) => {
      const p = got[i]!.substantive;
      if (p && l.substantive) tp++;
      else if (p) fp++;
      else if (l.substantive) fn++;
      else tn++;
    });
    const accuracy = (tp + tn) / test.length;
    console.log(
      `held-out labelled lines: ${test.length}, accuracy ${accuracy.toFixed(3)}, precision ${(tp / (tp + fp)).toFixed(3)}, recall ${(tp / (tp + fn)).toFixed(3)}`,
    );
    expect(test.length).toBeGreaterThanOrEqual(50);
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
    expect(tp / (tp + fp)).toBeGreaterThanOrEqual(0.9);
  });

  it('judges the textbook cases and an empty text', async () => {
    const [a, b, empty] = await c.classify([
      'すごいですね！',
      '予熱を5分してから入れると、焼きムラが出ません。',
      '  ',
    ]);
    expect(a!.substantive).toBe(false);
    expect(b!.substantive).toBe(true);
    expect(empty).toEqual({ substantive: false, score: 0 });
  });

  it('fits deterministically, at a point where the penalised gradient vanishes', async () => {
    const again = await SubstantiveClassifier.create(kuromojiTokenizer);
    expect(again.model.weights).toEqual(c.model.weights);
    expect(again.model.bias).toBe(c.model.bias);
    // A small problem: the gradient of the L2-penalised log loss at the fit is zero.
    const x = [
      [0, 1],
      [1, 0],
      [2, 2],
      [3, 1],
      [1, 3],
      [0, 0],
    ];
    const y = [0, 0, 1, 1, 1, 0];
    const f = fitLogistic(x, y, 0.5);
    const z = x.map((r) => r.map((v, j) => (v - f.mean[j]!) / f.scale[j]!));
    const grad = [0, 0, 0];
    z.forEach((r, i) => {
      const p = 1 / (1 + Math.exp(-(f.bias + r[0]! * f.weights[0]! + r[1]! * f.weights[1]!)));
      grad[0]! += (p - y[i]!) * r[0]!;
      grad[1]! += (p - y[i]!) * r[1]!;
      grad[2]! += p - y[i]!;
    });
    expect(Math.abs(grad[0]! + 0.5 * f.weights[0]!)).toBeLessThan(1e-9);
    expect(Math.abs(grad[1]! + 0.5 * f.weights[1]!)).toBeLessThan(1e-9);
    expect(Math.abs(grad[2]!)).toBeLessThan(1e-9);
  });
});
