import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  deleteModelFiles,
  explainSelection,
  largeShareWarning,
  readCatalogueEntry,
  recordBacktest,
  TIE_AUC,
  tagModel,
} from '../../src/lookalike/index.ts';
import { type ArtifactStore, FsArtifactStore, MemoryArtifactStore } from '../../src/store/index.ts';
import { candidate } from './candidate-metrics.ts';

describe('the architecture rule, stated', () => {
  it('says a higher-AUC MLP lost a tie to logistic regression, with both AUCs and the gap', () => {
    const s = explainSelection({
      architecture: 'logistic',
      candidates: [candidate('logistic', 0.842), candidate('mlp', 0.8431)],
    });
    expect(s).toEqual({
      chosen: 'logistic',
      tieThreshold: TIE_AUC,
      rule: 'tie_prefers_logistic',
      reason:
        "logistic kept over mlp: mlp's validation AUC 0.8431 is ahead of 0.8420 by 0.0011, under the tie threshold 0.002, and ties go to the simpler model",
      reasonJa:
        'MLPの検証AUC 0.8431 はロジスティック回帰（0.8420）より 0.0011 高いものの、同点とみなす閾値 0.002 未満のため、単純なロジスティック回帰を採用',
    });
  });

  it('says a higher-AUC MLP within one standard error of the difference lost to logistic regression', () => {
    const s = explainSelection({
      architecture: 'logistic',
      candidates: [candidate('logistic', 0.84), candidate('mlp', 0.86, { difference: 0.02, se: 0.031 })],
    });
    expect(s.rule).toBe('within_noise_prefers_logistic');
    expect(s.reason).toBe(
      "logistic kept over mlp: mlp's validation AUC 0.8600 is ahead of 0.8400 by 0.0200, within one standard error of the difference (0.0310), so the data cannot tell them apart and the simpler model is kept",
    );
    expect(s.reasonJa).toBe(
      'MLPの検証AUC 0.8600 はロジスティック回帰（0.8400）より 0.0200 高いものの、差はその標準誤差（0.0310）以内でデータでは区別できないため、単純なロジスティック回帰を採用',
    );
  });

  it('says an MLP won by at least the threshold and one standard error, and a logistic model that simply scored higher', () => {
    const mlp = explainSelection({
      architecture: 'mlp',
      candidates: [candidate('logistic', 0.84), candidate('mlp', 0.86, { difference: 0.02, se: 0.008 })],
    });
    expect(mlp.rule).toBe('highest_auc');
    expect(mlp.reason).toBe(
      "mlp kept: validation AUC 0.8600 against logistic's 0.8400 (ahead by 0.0200, at least the tie threshold 0.002 and more than one standard error of the difference, 0.0080)",
    );
    expect(mlp.reasonJa).toBe(
      'MLPを採用: 検証AUC 0.8600（ロジスティック回帰 0.8400）、差 0.0200 は閾値 0.002 以上かつ標準誤差 0.0080 を上回る',
    );
    // A model trained before the rule stored no standard error: stated by the threshold alone.
    expect(
      explainSelection({
        architecture: 'mlp',
        candidates: [candidate('logistic', 0.84), candidate('mlp', 0.86)],
      }).reason,
    ).toBe(
      "mlp kept: validation AUC 0.8600 against logistic's 0.8400 (ahead by 0.0200, at least the tie threshold 0.002)",
    );
    const log = explainSelection({
      architecture: 'logistic',
      candidates: [candidate('logistic', 0.9), candidate('mlp', 0.88)],
    });
    expect(log.rule).toBe('highest_auc');
    expect(log.reasonJa).toBe('ロジスティック回帰を採用: 検証AUC 0.9000（MLP 0.8800）');
    expect(explainSelection({ architecture: 'mlp', candidates: [candidate('mlp', 0.7)] }).rule).toBe(
      'only_candidate',
    );
  });
});

describe('the large-share seed warning', () => {
  it('starts just above 20% of the members', () => {
    expect(largeShareWarning(0.2)).toBeNull();
    expect(largeShareWarning(null)).toBeNull();
    const w = largeShareWarning(0.326)!;
    expect(w.code).toBe('large_share');
    expect(w.message.startsWith('the seed is 32.6% of all members (over 20%)')).toBe(true);
    expect(w.messageJa!.startsWith('シードが会員全体の32.6%を占めます（20%超）')).toBe(true);
  });
});

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const stores: [string, () => ArtifactStore][] = [
  ['memory', () => new MemoryArtifactStore()],
  [
    'files',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'lookalike-registry-'));
      dirs.push(dir);
      return new FsArtifactStore(dir);
    },
  ],
];

const files = {
  'manifest.json': '{"id":"lm_x"}\n',
  'weights.bin': new Uint8Array([1, 2, 3]),
  'spec.json': '{}',
};

describe.each(stores)('the catalogue on the %s store', (_name, newStore) => {
  it('tags, records backtests, and deletes a model with its entry as one unit', async () => {
    const store = newStore();
    await store.publish('lookalike-models/lm_x', files);
    await store.publish('lookalike-models/lm_y', files);
    expect((await tagModel(store, 'lm_x', { add: ['b', 'a', 'b'] })).tags).toEqual(['a', 'b']);
    await expect(tagModel(store, 'lm_x', { add: ['has space'] })).rejects.toThrow(
      'tag "has space" is not valid',
    );
    await expect(tagModel(store, 'lm_none', { add: ['a'] })).rejects.toThrow(
      'lookalike model "lm_none" does not exist',
    );
    const bt = {
      id: 'bt_1',
      createdAt: '2026-12-01T00:00:00Z',
      cutoff: '2011-09-01',
      metrics: { auc: 0.71 },
    };
    await recordBacktest(store, 'lm_x', bt);
    await recordBacktest(store, 'lm_x', { ...bt, metrics: { auc: 0.72 } });
    const entry = await readCatalogueEntry(store, 'lm_x');
    expect(entry.tags).toEqual(['a', 'b']);
    expect(entry.backtests).toEqual([{ ...bt, metrics: { auc: 0.72 } }]);

    const removed = await deleteModelFiles(store, 'lm_x');
    expect(removed).toEqual([
      'lookalike-models/lm_x/manifest.json',
      'lookalike-models/lm_x/spec.json',
      'lookalike-models/lm_x/weights.bin',
      'lookalike-catalogue/lm_x.json',
    ]);
    expect(await store.list('lookalike-models/')).toEqual([
      'lookalike-models/lm_y/manifest.json',
      'lookalike-models/lm_y/spec.json',
      'lookalike-models/lm_y/weights.bin',
    ]);
    expect(await readCatalogueEntry(store, 'lm_x')).toMatchObject({ tags: [], retrainedFrom: null });
    await expect(deleteModelFiles(store, 'lm_x')).rejects.toThrow('lookalike model "lm_x" does not exist');
    // The id can be published again.
    await store.publish('lookalike-models/lm_x', files);
    expect(await store.get('lookalike-models/lm_x/weights.bin')).toEqual(new Uint8Array([1, 2, 3]));
    if (store instanceof FsArtifactStore) {
      // Nothing staged is left behind.
      expect(readdirSync(join(store.root, 'lookalike-models')).sort()).toEqual(['lm_x', 'lm_y']);
      expect(existsSync(join(store.root, 'lookalike-models', 'lm_x', 'manifest.json'))).toBe(true);
    }
  });
});
