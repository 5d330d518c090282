import { describe, expect, it } from 'vitest';
import { nodeNeedFiles } from '../../src/adapters/index.ts';
import { initTf } from '../../src/features/tf-backend.ts';
import { loadNeedModel, serializeNeedModel } from '../../src/needs/model/artifact.ts';
import type { NeedClassifier } from '../../src/needs/model/classifier.ts';
import { evaluateClassifier, evaluateDecisions } from '../../src/needs/model/evaluate.ts';
import type { NeedMetrics } from '../../src/needs/model/model.ts';
import { trainNeedClassifier } from '../../src/needs/model/train.ts';
import { DEFAULT_MODELS_DIR } from '../../src/needs/paths.ts';
import { loadNeedClassifier } from '../../src/needs/registry.ts';
import { prepareTexts } from '../../src/needs/text/prepare.ts';
import { type CorpusRow, loadCorpus, loadEvalSet } from '../../src/needs/themes/corpus.ts';
import { listThemes, loadTheme } from '../../src/needs/themes/themes.ts';
import { kuromojiTokenizer } from '../../src/needs/tokenize/tokenizer.ts';

async function evaluateShipped(themeId: string): Promise<{ clf: NeedClassifier; metrics: NeedMetrics }> {
  const clf = await loadNeedClassifier(nodeNeedFiles, themeId);
  const test: CorpusRow[] = loadCorpus(nodeNeedFiles, loadTheme(nodeNeedFiles, themeId)).rows.filter(
    (r) => r.split === 'test',
  );
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
    for (const themeId of listThemes(nodeNeedFiles).filter((t) => t !== 'convection_oven')) {
      const { clf, metrics } = await evaluateShipped(themeId);
      report(themeId, clf.version, metrics);
      expect(metrics.microF1, themeId).toBeGreaterThanOrEqual(0.8);
    }
  });
});

describe('the shipped convection_oven classifier on the evaluation set written apart from its corpus', () => {
  // The goals as floors (README reports eval micro-F1 0.934, after-adversative 105 of 109):
  // a retrained model that falls under either fails here. Seeds alone moved the after-adversative
  // count by up to four (101-105 of 109), so the floor is the goal, not the shipped figure.
  it('micro-F1 >= 0.92, after-adversative need found >= 95%, confidence not far from calibrated', async () => {
    const theme = loadTheme(nodeNeedFiles, 'convection_oven');
    const clf = await loadNeedClassifier(nodeNeedFiles, 'convection_oven');
    const report = await evaluateClassifier(clf, loadEvalSet(nodeNeedFiles, theme).rows, kuromojiTokenizer);
    const m = report.metrics;
    console.log(
      `evaluation set, ${m.texts} texts: micro-F1 ${m.microF1.toFixed(3)}, macro-F1 ${m.macroF1.toFixed(3)}, ` +
        `after-adversative ${(m.focusRecall * 100).toFixed(1)}% of ${m.focusPairs}, met/unmet ${(m.polarityAccuracy * 100).toFixed(1)}%, ` +
        `unmet recall ${(m.unmetRecall * 100).toFixed(1)}%, ECE ${report.calibration.ece.toFixed(3)}`,
    );
    expect(m.texts).toBe(339);
    expect(m.microF1).toBeGreaterThanOrEqual(0.92);
    expect(m.focusRecall).toBeGreaterThanOrEqual(0.95);
    expect(report.calibration.ece).toBeLessThan(0.15);
    // Every adversative form of the set is split: each has its focus found at least once.
    for (const f of report.byForm) if (f.focusPairs > 0) expect(f.focusRecall, f.name).toBeGreaterThan(0);
  });
});

describe('every shipped model was trained on the corpus and theme as they are now', () => {
  it('records the fingerprints of its training data', () => {
    for (const id of listThemes(nodeNeedFiles)) {
      const { manifest } = loadNeedModel(nodeNeedFiles, `${DEFAULT_MODELS_DIR}${id}`);
      const theme = loadTheme(nodeNeedFiles, id);
      expect(manifest.training.corpusFingerprint, `${id}: run lookalike needs train --all --ship`).toBe(
        loadCorpus(nodeNeedFiles, theme).fingerprint,
      );
      expect(manifest.training.themeFingerprint, id).toBe(theme.fingerprint);
    }
  });
});

describe('the shipped convection_oven classifier is reproducible by one command', () => {
  it('retraining with its manifest parameters gives the same weights, or the model is stale', async () => {
    const backend = await initTf();
    const { manifest } = await loadNeedModel(nodeNeedFiles, `${DEFAULT_MODELS_DIR}convection_oven`);
    const theme = loadTheme(nodeNeedFiles, 'convection_oven');
    const corpus = loadCorpus(nodeNeedFiles, theme);
    expect(
      corpus.fingerprint,
      'the corpus changed since models/needs/convection_oven was trained: run `lookalike needs train --all --ship`',
    ).toBe(manifest.training.corpusFingerprint);
    expect(theme.fingerprint, 'the theme file changed since the model was trained').toBe(
      manifest.training.themeFingerprint,
    );
    const result = await trainNeedClassifier(theme, corpus, { params: manifest.params });
    const again = serializeNeedModel(nodeNeedFiles.sha256, result.model, {
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
  }, 1_200_000); // one full training (5 folds and a final fit): ~2 min alone, several on a loaded machine
});
