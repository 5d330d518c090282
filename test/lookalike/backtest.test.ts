/**
 * Backtests on real data (UCI Online Retail, from ../shared/data): the report's universe,
 * outcome and lift against an independent computation, leakage (data after the cut-off that is
 * not the outcome cannot change any ranking), and seeds that reach past the cut-off rejected.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Frontier } from '../../src/audience/index.ts';
import { computeMemberFeatures } from '../../src/features/index.ts';
import { importDataset } from '../../src/ingest/index.ts';
import { gbdtArm } from '../../src/lookalike/backtest-arms.ts';
import {
  type BacktestArm,
  type BacktestOptions,
  type BacktestReport,
  buildCalibration,
  featureNames,
  loadLookalikeModel,
  resolveSeed,
  runBacktest,
  scoreLogits,
  scoreUniverse,
  vectorizeProfiles,
} from '../../src/lookalike/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { hasSharedData, SHARED_DATA, tempWorkspace } from '../helpers/workspace.ts';

const CUTOFF = '2011-09-01';
const UNTIL = '2011-12-01';
const PRODUCT = '20725';

const options = (modelId: string): BacktestOptions => ({
  seed: { kind: 'purchase', productIds: [PRODUCT] },
  cutoff: CUTOFF,
  outcomeDays: 91,
  modelId,
  randomSeed: 7,
  backend: 'wasm',
  statedPrecision: (sorted, calibration, sizes) => {
    const f = new Frontier(sorted, buildCalibration(calibration));
    return sizes.map((n) => ({ expected: f.at(n).expectedPrecision, ci: f.at(n).ci }));
  },
});

/** An arm that echoes our logits (must score as ours) and the gradient-boosted arm. */
const arms = (): Record<string, BacktestArm> => ({
  echo: async (ctx) => ({ scores: ctx.model }),
  gbdt: gbdtArm({ trees: 60 }),
});

describe.runIf(hasSharedData('online-retail'))('backtests on Online Retail', () => {
  let ws: Workspace;
  let cleanup: () => void;
  let first: BacktestReport;
  let again: BacktestReport;

  beforeAll(async () => {
    ({ ws, cleanup } = await tempWorkspace());
    await importDataset(ws, 'online-retail', join(SHARED_DATA, 'online-retail'));
    first = await runBacktest(ws, { ...options('lm_bt_first'), arms: arms() });
    // After the cut-off, and not the outcome: other products' lines moved a month later under
    // new receipts, and a customer who first buys after the cut-off.
    await ws.db.run(
      `INSERT INTO transactions BY NAME
       SELECT * REPLACE ('late-' || receipt_id AS receipt_id, ts + INTERVAL 20 DAY AS ts)
       FROM transactions WHERE ts >= DATE '${CUTOFF}' AND ts < DATE '2011-11-15' AND product_id <> '${PRODUCT}'`,
    );
    await ws.db.run(`INSERT INTO members BY NAME SELECT 'late-member' AS member_id`);
    await ws.db.run(
      `INSERT INTO transactions BY NAME
       SELECT * REPLACE ('late-member' AS member_id, 'late-r' || receipt_id AS receipt_id)
       FROM transactions WHERE ts >= DATE '${CUTOFF}' AND product_id <> '${PRODUCT}' LIMIT 50`,
    );
    again = await runBacktest(ws, { ...options('lm_bt_again'), arms: arms() });
  }, 600_000);
  afterAll(() => cleanup?.());

  it('ranks with data after the cut-off exactly as without it', () => {
    expect(again.universe).toBe(first.universe);
    expect(again.outcome.inUniverse).toBe(first.outcome.inUniverse);
    expect(again.rankers).toEqual(first.rankers);
    expect(again.calibration).toEqual(first.calibration);
    expect(again.versusLogistic).toEqual(first.versusLogistic);
    // The experimental arms see only data before the cut-off too.
    expect(again.arms).toEqual(first.arms);
  });

  it('scores experimental arms like our own ranking', () => {
    expect(first.arms.echo!.metrics).toEqual(first.rankers.model);
    expect(first.arms.echo!.versusLogistic).toEqual(first.versusLogistic);
    const trees = first.arms.gbdt!;
    expect(trees.metrics.universe).toBe(first.universe);
    expect(trees.metrics.positives).toBe(first.outcome.inUniverse);
    expect(trees.metrics.auc).toBeGreaterThan(0.6);
    expect(trees.note).toMatch(/^trees \d+, time-split AUC 0\.\d{3}, \d+ recent adopters$/);
  });

  it('reports the universe, the outcome and our lift as an independent computation does', async () => {
    const universe = (
      await ws.db.columns(
        `SELECT DISTINCT member_id FROM transactions WHERE member_id IS NOT NULL AND quantity > 0
           AND ts < DATE '${CUTOFF}' AND member_id NOT IN (
             SELECT member_id FROM transactions WHERE product_id = '${PRODUCT}' AND ts < DATE '${CUTOFF}'
               AND member_id IS NOT NULL GROUP BY member_id HAVING sum(amount) > 0)`,
      )
    ).columns[0] as string[];
    const buyers = new Set(
      (
        await ws.db.columns(
          `SELECT member_id FROM transactions WHERE product_id = '${PRODUCT}' AND member_id IS NOT NULL
             AND ts >= DATE '${CUTOFF}' AND ts < DATE '${UNTIL}' GROUP BY member_id HAVING sum(amount) > 0`,
        )
      ).columns[0] as string[],
    );
    const inUniverse = universe.filter((id) => buyers.has(id)).length;
    expect(first.universe).toBe(universe.length);
    expect(first.outcome.inUniverse).toBe(inUniverse);
    expect(first.outcomeWindow).toEqual({ from: CUTOFF, until: UNTIL });

    // Our ranking re-scored from the kept model; top 10% counted by hand (no ties at float32 logits
    // across the cut: checked below).
    const model = await loadLookalikeModel(ws.artifacts, first.modelId);
    const scored = await scoreUniverse(ws, model);
    try {
      const ids = await scored.ids(0, scored.size);
      const k = Math.round(0.1 * ids.length);
      expect(scored.sorted[k - 1]).not.toBe(scored.sorted[k]);
      const hits = ids.slice(0, k).filter((id) => buyers.has(id)).length;
      const at10 = first.rankers.model.top.find((t) => t.share === 0.1)!;
      expect(at10.size).toBe(k);
      expect(at10.precision).toBeCloseTo(hits / k, 12);
      expect(at10.lift).toBeCloseTo(hits / k / (inUniverse / ids.length), 12);
    } finally {
      await scored.close();
    }
    expect(first.rankers.random.auc).toBe(0.5);
    expect(first.rankers.model.auc).toBeGreaterThan(0.7);
    expect(first.calibration!.of).toBe(4);
    // Our lift over the baseline's, with a bootstrap interval over the members around it.
    first.versusLogistic.forEach((v, i) => {
      expect(v.ratio).toBeCloseTo(first.rankers.model.top[i]!.lift / first.rankers.logistic.top[i]!.lift, 12);
      expect(v.ci[0]).toBeLessThanOrEqual(v.ci[1]);
      expect(v.ci[0]).toBeLessThan(v.ratio * 1.01);
      expect(v.ci[1]).toBeGreaterThan(v.ratio * 0.99);
      expect(v.ahead).toBeGreaterThanOrEqual(0);
      expect(v.ahead).toBeLessThanOrEqual(1);
    });
  });

  it('keeps the item vocabulary in the spec, without the seed product, and scores a posted profile as the universe', async () => {
    const model = await loadLookalikeModel(ws.artifacts, first.modelId);
    const spec = model.model.spec;
    if (spec.kind !== 'members') throw new Error('expected a members spec');
    expect(spec.items).toEqual({ weighting: 'binary' });
    const items = featureNames(spec).filter((n) => n.startsWith('item:'));
    expect(items.length).toBeGreaterThan(250);
    expect(items.length).toBeLessThanOrEqual(300);
    expect(items).not.toContain(`item:${PRODUCT}`);
    const scored = await scoreUniverse(ws, model);
    try {
      const ids = await scored.ids(0, 5);
      // Each profile by hand: base features as of the cut-off and receipts per item product in SQL.
      // Base features over every member, as the universe has them: which categories get their own
      // share column (and which fall into "(other)") depends on the members they are computed for.
      const everyone = (await ws.db.columns('SELECT member_id FROM members ORDER BY 1'))
        .columns[0] as string[];
      const all = await computeMemberFeatures(ws.db, { asOf: CUTOFF, memberIds: everyone });
      const at = new Map(all.memberIds.map((id, r) => [id, r]));
      const counts = await ws.db.rows<{ member_id: string; product_id: string; n: number }>(
        `SELECT member_id, product_id, count(DISTINCT receipt_id)::INTEGER AS n FROM transactions
         WHERE member_id IN (${ids.map((id) => `'${id}'`).join(', ')}) AND quantity > 0 AND ts < DATE '${CUTOFF}'
         GROUP BY ALL`,
      );
      const profiles = ids.map((id) => {
        const p: Record<string, number> = {};
        const r = at.get(id)!;
        all.featureNames.forEach((name, c) => {
          p[name] = all.values[r * all.cols + c]!;
        });
        for (const c of counts) if (c.member_id === id) p[`item:${c.product_id}`] = c.n;
        return p;
      });
      const posted = scoreLogits(model.model, vectorizeProfiles(spec, profiles));
      for (let k = 0; k < ids.length; k++) expect(posted[k]).toBeCloseTo(scored.sorted[k]!, 4);
    } finally {
      await scored.close();
    }
  });

  it('rejects seeds defined with data after the cut-off', async () => {
    await expect(
      runBacktest(ws, { ...options('lm_bt_leak'), seed: { kind: 'top_value', count: 300, until: UNTIL } }),
    ).rejects.toThrow(`seed.until (${UNTIL}) is after the cut-off (${CUTOFF})`);
    const { runner, close } = await ws.db.connect();
    try {
      await expect(
        resolveSeed(
          runner,
          { kind: 'top_value', count: 300, until: UNTIL },
          { universe: 'members', asOf: CUTOFF },
        ),
      ).rejects.toThrow(`seed.until (${UNTIL}) is after asOf (${CUTOFF})`);
    } finally {
      close();
    }
  });

  it('backtests a top-value seed as of the cut-off at a believable AUC', async () => {
    const r = await runBacktest(ws, {
      ...options('lm_bt_top'),
      seed: { kind: 'top_value', count: 300 },
      statedPrecision: undefined,
    });
    expect(r.seed.description).toContain(`before ${CUTOFF}`);
    expect(r.rankers.model.auc).toBeLessThan(0.97);
    expect(r.rankers.model.auc).toBeGreaterThan(0.6);
  }, 300_000);
});
