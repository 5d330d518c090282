import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeNeedFiles } from '../../src/adapters/index.ts';
import {
  DEFAULT_MODELS_DIR,
  joinPath,
  loadNeedModel,
  NeedClassifier,
  saveNeedModel,
  servingClassifier,
} from '../../src/needs/index.ts';
import { reliability } from '../../src/needs/model/evaluate.ts';
import { fitPlatt } from '../../src/needs/model/train.ts';

describe('confidence calibration', () => {
  it('fitPlatt reaches the optimum of the smoothed log-loss (zero gradient, checked apart)', () => {
    const x = [0.05, 0.1, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9];
    const y = [false, false, false, true, false, false, true, true, false, true, true, true];
    const { a, b } = fitPlatt(x, y);
    const pos = y.filter(Boolean).length;
    const neg = y.length - pos;
    let ga = 0;
    let gb = 0;
    x.forEach((xi, i) => {
      const p = 1 / (1 + Math.exp(-(a * xi + b)));
      const t = y[i] ? (pos + 1) / (pos + 2) : 1 / (neg + 2);
      ga += (p - t) * xi;
      gb += p - t;
    });
    expect(Math.abs(ga)).toBeLessThan(1e-4);
    expect(Math.abs(gb)).toBeLessThan(1e-4);
    expect(a).toBeGreaterThan(0);
  });

  it('fitPlatt stays finite on a separable sample', () => {
    const { a, b } = fitPlatt([0.1, 0.2, 0.8, 0.9], [false, false, true, true]);
    expect(Number.isFinite(a) && Number.isFinite(b)).toBe(true);
  });

  it('reliability bins confidences and weighs the gaps by texts', () => {
    const r = reliability([0.1, 0.15, 0.5, 0.9, 0.95], [false, true, true, true, true]);
    expect(r.bins.map((b) => b.texts)).toEqual([2, 0, 1, 0, 2]);
    expect(r.bins[0]!.meanConfidence).toBeCloseTo(0.125, 12);
    expect(r.bins[0]!.exactShare).toBe(0.5);
    expect(r.bins[4]!.exactShare).toBe(1);
    // (2 |0.125 - 0.5| + 1 |0.5 - 1| + 2 |0.925 - 1|) / 5
    expect(r.ece).toBeCloseTo((2 * 0.375 + 0.5 + 2 * 0.075) / 5, 12);
  });
});

describe('which model serves a theme', () => {
  const dir = mkdtempSync(join(tmpdir(), 'serving-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prefers the workspace model, then the shipped one, then the dictionary', async () => {
    const workspace = join(dir, 'ws-models');
    const shipped = await servingClassifier(nodeNeedFiles, 'rice_cooker', { workspaceModelsDir: workspace });
    expect(shipped.source).toBe('shipped');
    const { model, manifest } = loadNeedModel(nodeNeedFiles, joinPath(DEFAULT_MODELS_DIR, 'rice_cooker'));
    expect(shipped.classifier.version).toBe(manifest.version);

    const other = { ...model, scoring: { ...model.scoring, blend: 0.45 } };
    const written = await saveNeedModel(nodeNeedFiles, join(workspace, 'rice_cooker'), other, {
      corpusFingerprint: 'x',
      trainTexts: 1,
      testTexts: 1,
      tfBackend: 'test',
      metrics: null,
    });
    const fromWorkspace = await servingClassifier(nodeNeedFiles, 'rice_cooker', {
      workspaceModelsDir: workspace,
    });
    expect(fromWorkspace).toMatchObject({ source: 'workspace' });
    expect(fromWorkspace.classifier.version).toBe(written.version);

    const none = await servingClassifier(nodeNeedFiles, 'rice_cooker', {
      workspaceModelsDir: workspace.replace('ws-models', 'nowhere'),
      shippedModelsDir: join(dir, 'no-shipped-models'),
    });
    expect(none.source).toBe('dictionary');
    expect(none.classifier.model).toBeNull();
    expect(none.classifier).toBeInstanceOf(NeedClassifier);
  });
});
