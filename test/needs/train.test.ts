import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeNeedFiles } from '../../src/adapters/index.ts';
import { initTf } from '../../src/features/tf-backend.ts';
import { loadNeedModel, saveNeedModel } from '../../src/needs/model/artifact.ts';
import { NeedClassifier } from '../../src/needs/model/classifier.ts';
import type { NeedTrainParams } from '../../src/needs/model/model.ts';
import { trainNeedClassifier } from '../../src/needs/model/train.ts';
import { prepareTexts } from '../../src/needs/text/prepare.ts';
import { loadCorpus } from '../../src/needs/themes/corpus.ts';
import { loadTheme } from '../../src/needs/themes/themes.ts';
import { kuromojiTokenizer } from '../../src/needs/tokenize/tokenizer.ts';

// A small slice of the corpus and short training: these tests are about determinism and the
// artifact format, not quality (quality.test.ts holds the bars).
const FAST: Partial<NeedTrainParams> = {
  folds: 2,
  heads: {
    epochs: 8,
    lr: 0.05,
    batchSize: 32,
    l2: 3e-5,
    l2Polarity: 1e-4,
    focusWeight: 1,
    polarityWeight: 0.5,
  },
};

let dir: string;
let corpusDir: string;
const theme = loadTheme(nodeNeedFiles, 'convection_oven');

beforeAll(async () => {
  await initTf();
  dir = mkdtempSync(join(tmpdir(), 'needs-train-'));
  corpusDir = join(dir, 'corpus');
  const lines = readFileSync(loadCorpus(nodeNeedFiles, theme).path, 'utf8').trim().split('\n').slice(0, 160);
  mkdirSync(corpusDir);
  writeFileSync(join(corpusDir, 'convection_oven.jsonl'), `${lines.join('\n')}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('training', () => {
  it('is deterministic: the same seed gives the same weights, another seed other weights', async () => {
    const corpus = loadCorpus(nodeNeedFiles, theme, corpusDir);
    const a = await trainNeedClassifier(theme, corpus, { params: { ...FAST, seed: 7 } });
    const b = await trainNeedClassifier(theme, corpus, { params: { ...FAST, seed: 7 } });
    const c = await trainNeedClassifier(theme, corpus, { params: { ...FAST, seed: 8 } });
    expect(b.model.heads.w).toEqual(a.model.heads.w);
    expect(b.model.heads.needBias).toEqual(a.model.heads.needBias);
    expect(b.model.vocab.features).toEqual(a.model.vocab.features);
    expect(b.model.scoring).toEqual(a.model.scoring);
    expect(c.model.heads.w).not.toEqual(a.model.heads.w);
    expect(a.model.heads.w.some((x) => x !== 0)).toBe(true);
  });

  it('writes an artifact that loads back bit for bit and scores identically', async () => {
    const corpus = loadCorpus(nodeNeedFiles, theme, corpusDir);
    const trained = await trainNeedClassifier(theme, corpus, { params: { ...FAST, seed: 3 } });
    const target = join(dir, 'models', 'convection_oven');
    const info = {
      corpusFingerprint: corpus.fingerprint,
      trainTexts: trained.trainTexts,
      testTexts: trained.testTexts,
      tfBackend: 'test',
      metrics: null,
      createdAt: '2025-01-01T00:00:00.000Z',
    };
    const manifest = await saveNeedModel(nodeNeedFiles, target, trained.model, info);
    expect(manifest.kind).toBe('need-classifier');
    expect(manifest.version).toMatch(/^convection_oven-[0-9a-f]{12}$/);
    expect(manifest.training.corpusFingerprint).toBe(corpus.fingerprint);

    const loaded = await loadNeedModel(nodeNeedFiles, target);
    expect(loaded.manifest).toEqual(manifest);
    const m = loaded.model;
    expect(m.heads.w).toEqual(trained.model.heads.w);
    expect(Buffer.from(m.heads.w.buffer).equals(Buffer.from(trained.model.heads.w.buffer))).toBe(true);
    expect(Buffer.from(m.vocab.idf.buffer).equals(Buffer.from(trained.model.vocab.idf.buffer))).toBe(true);
    expect(m.vocab.features).toEqual(trained.model.vocab.features);
    expect(m.scoring).toEqual(trained.model.scoring);
    expect(m.dictionary).toEqual(trained.model.dictionary);

    const texts = loadCorpus(nodeNeedFiles, theme)
      .rows.slice(200, 260)
      .map((r) => r.text);
    const prepared = await prepareTexts(texts, kuromojiTokenizer);
    const before = NeedClassifier.fromModel(trained.model, manifest.version).classifyPrepared(prepared);
    const after = NeedClassifier.fromModel(m, loaded.manifest.version).classifyPrepared(prepared);
    expect(after).toEqual(before);

    // Saving the loaded model again writes the same bytes: nothing is lost in the format.
    const again = join(dir, 'models-again', 'convection_oven');
    await saveNeedModel(nodeNeedFiles, again, m, info);
    for (const file of ['weights.bin', 'vocab.json', 'manifest.json']) {
      expect(readFileSync(join(again, file)).equals(readFileSync(join(target, file))), file).toBe(true);
    }
  });

  it('replaces an existing artifact as one unit and refuses a damaged one', async () => {
    const corpus = loadCorpus(nodeNeedFiles, theme, corpusDir);
    const trained = await trainNeedClassifier(theme, corpus, { params: { ...FAST, seed: 5 } });
    const target = join(dir, 'replace', 'convection_oven');
    const info = { corpusFingerprint: 'x', trainTexts: 1, testTexts: 1, tfBackend: 'test', metrics: null };
    await saveNeedModel(nodeNeedFiles, target, trained.model, info);
    const second = await saveNeedModel(nodeNeedFiles, target, trained.model, {
      ...info,
      corpusFingerprint: 'y',
    });
    expect((await loadNeedModel(nodeNeedFiles, target)).manifest.training.corpusFingerprint).toBe('y');
    expect(second.version).toMatch(/^convection_oven-/);
    expect(readdirSync(join(dir, 'replace'))).toEqual(['convection_oven']);

    const weights = readFileSync(join(target, 'weights.bin'));
    weights[100] = weights[100]! ^ 0xff;
    writeFileSync(join(target, 'weights.bin'), weights);
    expect(() => loadNeedModel(nodeNeedFiles, target)).toThrow(
      /is damaged: its files do not match the hashes/,
    );
    expect(() => loadNeedModel(nodeNeedFiles, join(dir, 'nowhere'))).toThrow(/does not exist/);
  });
});
