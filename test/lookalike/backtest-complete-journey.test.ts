/**
 * A category backtest on a second real retailer (dunnhumby's The Complete Journey, from
 * ../shared/data): a purchase seed defined by the product tree, its universe and outcome against an
 * independent computation in SQL, and our lift over the baseline's as the report states it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../src/ingest/index.ts';
import { type BacktestReport, runBacktest } from '../../src/lookalike/index.ts';
import { frontierPrecision } from '../../src/ops/lookalike/backtest.ts';
import type { Workspace } from '../../src/store/index.ts';
import { hasSharedData, SHARED_DATA, tempWorkspace } from '../helpers/workspace.ts';

const CUTOFF = '2017-07-01';
const UNTIL = '2017-09-30';
const CATEGORY = 'YOGURT';

describe.runIf(hasSharedData('complete-journey'))('a category backtest on The Complete Journey', () => {
  let ws: Workspace;
  let cleanup: () => void;
  let report: BacktestReport;

  beforeAll(async () => {
    ({ ws, cleanup } = await tempWorkspace());
    await importDataset(ws, 'complete-journey', join(SHARED_DATA, 'complete-journey'));
    report = await runBacktest(ws, {
      seed: { kind: 'purchase', categories: [CATEGORY] },
      cutoff: CUTOFF,
      outcomeDays: 91,
      randomSeed: 7,
      backend: 'wasm',
      bootstrap: 100,
      statedPrecision: frontierPrecision,
    });
  }, 300_000);
  afterAll(() => cleanup?.());

  it('takes the seed, the universe and the outcome from the category as SQL does', async () => {
    const inCategory = `product_id IN (SELECT product_id FROM products
      WHERE '${CATEGORY}' IN (category_l1, category_l2, category_l3))`;
    const seed = (
      await ws.db.columns(
        `SELECT member_id FROM transactions WHERE ${inCategory} AND ts < DATE '${CUTOFF}'
         GROUP BY member_id HAVING sum(amount) > 0`,
      )
    ).columns[0] as string[];
    const universe = (
      await ws.db.columns(
        `SELECT DISTINCT member_id FROM transactions WHERE quantity > 0 AND ts < DATE '${CUTOFF}'
           AND member_id NOT IN (${seed.map((id) => `'${id}'`).join(', ')})`,
      )
    ).columns[0] as string[];
    const buyers = new Set(
      (
        await ws.db.columns(
          `SELECT member_id FROM transactions WHERE ${inCategory}
             AND ts >= DATE '${CUTOFF}' AND ts < DATE '${UNTIL}' GROUP BY member_id HAVING sum(amount) > 0`,
        )
      ).columns[0] as string[],
    );
    expect(report.seed.members).toBe(seed.length);
    expect(report.universe).toBe(universe.length);
    expect(report.outcome.inUniverse).toBe(universe.filter((id) => buyers.has(id)).length);
    expect(report.outcomeWindow).toEqual({ from: CUTOFF, until: UNTIL });
  });

  it('states our lift over the baseline with an interval around it, and checks the frontier at four sizes', () => {
    const at10 = report.versusLogistic[2]!;
    expect(at10.share).toBe(0.1);
    expect(at10.ratio).toBeCloseTo(
      report.rankers.model.top[2]!.lift / report.rankers.logistic.top[2]!.lift,
      12,
    );
    expect(at10.ci[0]).toBeLessThanOrEqual(at10.ratio);
    expect(at10.ci[1]).toBeGreaterThanOrEqual(at10.ratio);
    expect(report.rankers.random.auc).toBe(0.5);
    // Households that buy yoghurt next quarter are not a random draw: every informed ranker finds them.
    expect(report.rankers.model.auc).toBeGreaterThan(0.6);
    expect(report.rankers.logistic.auc).toBeGreaterThan(0.55);
    expect(report.calibration!.of).toBe(4);
  });
});
