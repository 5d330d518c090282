/**
 * The members universe on real data (UCI Online Retail, from ../shared/data): a purchase-query
 * seed before an as-of date, scored on the other customers, checked against who buys after it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productVocabulary } from '../../src/features/product-signals.ts';
import { importDataset } from '../../src/ingest/index.ts';
import {
  loadLookalikeModel,
  scoreUniverse,
  type TrainResult,
  trainLookalike,
} from '../../src/lookalike/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { hasSharedData, SHARED_DATA, tempWorkspace } from '../helpers/workspace.ts';

const AS_OF = '2011-09-01';
const CASES = [
  { term: 'LUNCH BAG', minLift10: 1.5 },
  { term: 'CHRISTMAS', minLift10: 1.3 },
];

describe.runIf(hasSharedData('online-retail'))('members universe on Online Retail', () => {
  let ws: Workspace;
  let cleanup: () => void;
  const results: {
    term: string;
    model: TrainResult;
    lift: Record<string, number>;
    base: number;
    universe: number;
    auc: number;
  }[] = [];

  beforeAll(async () => {
    ({ ws, cleanup } = await tempWorkspace());
    await importDataset(ws, 'online-retail', join(SHARED_DATA, 'online-retail'));
    for (const c of CASES) {
      const model = await trainLookalike(ws, {
        seed: { kind: 'purchase', nameContains: c.term },
        universe: 'members',
        asOf: AS_OF,
        randomSeed: 7,
        backend: 'wasm',
      });
      const scored = await scoreUniverse(ws, await loadLookalikeModel(ws.artifacts, model.id));
      const ids = await scored.ids(0, scored.size);
      await scored.close();
      const out = await ws.db.columns(
        `SELECT DISTINCT t.member_id FROM transactions t JOIN products p USING (product_id)
         WHERE p.name ILIKE $pat AND t.ts >= DATE '${AS_OF}' AND t.quantity > 0 AND t.member_id IS NOT NULL`,
        { pat: `%${c.term}%` },
      );
      const buyers = new Set(out.columns[0] as string[]);
      const base = ids.filter((id) => buyers.has(id)).length / ids.length;
      const lift: Record<string, number> = {};
      for (const share of [0.05, 0.1, 0.2]) {
        const n = Math.round(ids.length * share);
        lift[`${share * 100}%`] = ids.slice(0, n).filter((id) => buyers.has(id)).length / n / base;
      }
      let rankSum = 0;
      let np = 0;
      ids.forEach((id, k) => {
        if (buyers.has(id)) {
          rankSum += k;
          np++;
        }
      });
      const auc = 1 - (rankSum - (np * (np - 1)) / 2) / (np * (ids.length - np));
      results.push({ term: c.term, model, lift, base, universe: ids.length, auc });
    }
    console.table(
      results.map((r) => ({
        seed: `bought "${r.term}" before ${AS_OF}`,
        seedMembers: r.model.manifest.diagnostics.matched,
        universe: r.universe,
        'future buyers': `${(r.base * 100).toFixed(1)}%`,
        'lift@5%': r.lift['5%']!.toFixed(2),
        'lift@10%': r.lift['10%']!.toFixed(2),
        'lift@20%': r.lift['20%']!.toFixed(2),
        auc: r.auc.toFixed(3),
        model: r.model.manifest.architecture,
      })),
    );
  }, 300_000);
  afterAll(() => cleanup?.());

  it('ranks the customers who buy after the as-of date well above random', () => {
    for (const c of CASES) {
      const r = results.find((x) => x.term === c.term)!;
      expect(r.lift['10%']!).toBeGreaterThanOrEqual(c.minLift10);
      expect(r.auc).toBeGreaterThan(0.6);
    }
  });

  it('scores only customers known at the as-of date who are not in the seed', () => {
    for (const r of results) {
      const m = r.model.manifest;
      expect(m.window.asOf).toBe(AS_OF);
      expect(m.universe).toBe('members');
      expect(m.training.universeSize).toBe(r.universe);
      expect(m.diagnostics.matchRate).toBeNull();
    }
  });

  it('chooses the logistic penalty by 5-fold cross-validation and calibrates on out-of-fold logits', async () => {
    for (const r of results) {
      const m = r.model.manifest;
      const logistic = m.candidates.find((c) => c.architecture === 'logistic')!;
      expect(logistic.penalty).toMatchObject({
        grid: [0.01, 0.03, 0.1, 0.3, 1],
        folds: 5,
        denseMultiplier: 10,
      });
      expect(logistic.validationAucByEpoch).toHaveLength(5);
      expect(logistic.penalty!.c).toBe(logistic.penalty!.grid[logistic.bestEpoch - 1]);
      const loaded = await loadLookalikeModel(ws.artifacts, r.model.id);
      expect(loaded.calibration.heldOut).toHaveLength(m.training.labelledCalibration);
      expect(loaded.calibration.unlabelled).toHaveLength(m.training.unlabelledCalibration);
    }
  });

  it('has no item column for a product the seed is defined by, and 0/1 item columns unscaled', async () => {
    for (const r of results) {
      const spec = r.model.model.spec;
      if (spec.kind !== 'members') throw new Error('expected a members spec');
      expect(spec.items).toEqual({ weighting: 'binary' });
      const items = spec.featureNames.flatMap((n, c) => (n.startsWith('item:') ? [c] : []));
      expect(items.length).toBeGreaterThan(200);
      const named = await ws.db.columns('SELECT product_id FROM products WHERE name ILIKE $pat', {
        pat: `%${r.term}%`,
      });
      const own = new Set((named.columns[0] as string[]).map((id) => `item:${id}`));
      expect(own.size).toBeGreaterThan(5);
      // The seed's products are among the most bought, so they were dropped, not never there.
      const vocab = await productVocabulary(ws.db, { asOf: AS_OF }, 300);
      expect(vocab.productIds.filter((id) => own.has(`item:${id}`)).length).toBeGreaterThan(0);
      expect(items.filter((c) => own.has(spec.featureNames[c]!))).toEqual([]);
      for (const c of items) {
        expect([spec.transforms[c], spec.center[c], spec.scale[c]]).toEqual(['indicator', 0, 1]);
      }
    }
  });
});
