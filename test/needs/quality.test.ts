import { describe, expect, it } from 'vitest';
import { initTf } from '../../src/features/tf-backend.ts';
import { loadNeedModel, serializeNeedModel } from '../../src/needs/artifact.ts';
import type { NeedClassifier } from '../../src/needs/classifier.ts';
import { type CorpusRow, loadCorpus } from '../../src/needs/corpus.ts';
import { evaluateDecisions } from '../../src/needs/evaluate.ts';
import type { NeedMetrics } from '../../src/needs/model.ts';
import { DEFAULT_MODELS_DIR } from '../../src/needs/paths.ts';
import { prepareTexts } from '../../src/needs/prepare.ts';
import { loadNeedClassifier } from '../../src/needs/registry.ts';
import { listThemes, loadTheme } from '../../src/needs/themes.ts';
import { kuromojiTokenizer } from '../../src/needs/tokenizer.ts';
import { trainNeedClassifier } from '../../src/needs/train.ts';

async function evaluateShipped(themeId: string): Promise<{ clf: NeedClassifier; metrics: NeedMetrics }> {
  const clf = await loadNeedClassifier(themeId);
  const test: CorpusRow[] = loadCorpus(loadTheme(themeId)).rows.filter((r) => r.split === 'test');
  const prepared = await prepareTexts(
    test.map((r) => r.text),
    kuromojiTokenizer,
  );
  const scores = clf.score(prepared);
  const metrics = evaluateDecisions(
    clf.needIds,
    test,
    prepared.map((p, i) => clf.decide(p, scores[i]!)),
  );
  return { clf, metrics };
}

function report(themeId: string, version: string, m: NeedMetrics): void {
  const pct = (x: number) => (x * 100).toFixed(1);
  console.log(
    `${themeId} (${version}) test split, ${m.texts} texts: micro-F1 ${pct(m.microF1)}, macro-F1 ${pct(m.macroF1)}, ` +
      `after-adversative focus ${pct(m.focusRecall)}% of ${m.focusPairs}, met/unmet ${pct(m.polarityAccuracy)}% of ${m.polarityPairs}`,
  );
  console.table(
    m.perNeed.map((n) => ({
      need: n.id,
      precision: pct(n.precision),
      recall: pct(n.recall),
      f1: pct(n.f1),
      support: n.support,
    })),
  );
}

describe('shipped need classifiers on their held-out test split', () => {
  it('convection_oven: micro-F1 >= 0.85, macro-F1 >= 0.80, after-adversative need found >= 85%', async () => {
    const { clf, metrics } = await evaluateShipped('convection_oven');
    report('convection_oven', clf.version, metrics);
    expect(clf.model, 'models/needs/convection_oven is missing: run lookalike needs train').not.toBeNull();
    expect(metrics.texts).toBeGreaterThanOrEqual(80);
    expect(metrics.microF1).toBeGreaterThanOrEqual(0.85);
    expect(metrics.macroF1).toBeGreaterThanOrEqual(0.8);
    expect(metrics.focusPairs).toBeGreaterThanOrEqual(20);
    expect(metrics.focusRecall).toBeGreaterThanOrEqual(0.85);
  });

  it('every other theme: micro-F1 >= 0.80', async () => {
    for (const themeId of listThemes().filter((t) => t !== 'convection_oven')) {
      const { clf, metrics } = await evaluateShipped(themeId);
      report(themeId, clf.version, metrics);
      expect(metrics.microF1, themeId).toBeGreaterThanOrEqual(0.8);
    }
  });
});

describe('the shipped convection_oven classifier is reproducible by one command', () => {
  it('retraining with its manifest parameters gives the same weights, or the model is stale', async () => {
    const backend = await initTf();
    const { manifest } = await loadNeedModel(`${DEFAULT_MODELS_DIR}convection_oven`);
    const theme = loadTheme('convection_oven');
    const corpus = loadCorpus(theme);
    expect(
      corpus.fingerprint,
      'the corpus changed since models/needs/convection_oven was trained: run `lookalike needs train --all`',
    ).toBe(manifest.training.corpusFingerprint);
    expect(theme.fingerprint, 'the theme file changed since the model was trained').toBe(
      manifest.training.themeFingerprint,
    );
    const result = await trainNeedClassifier(theme, corpus, { params: manifest.params });
    const again = serializeNeedModel(result.model, {
      corpusFingerprint: corpus.fingerprint,
      trainTexts: result.trainTexts,
      testTexts: result.testTexts,
      tfBackend: backend,
      metrics: null,
    }).manifest;
    if (backend === manifest.training.tfBackend) {
      expect(again.sha256.weights).toBe(manifest.sha256.weights);
      expect(again.version).toBe(manifest.version);
    } else {
      // Another TensorFlow.js backend may round differently in the last bit; decisions must agree.
      console.warn(
        `trained on ${manifest.training.tfBackend}, retrained on ${backend}: comparing metrics only`,
      );
      expect(result.test.microF1).toBeCloseTo(manifest.metrics!.test.microF1, 2);
    }
  });
});
