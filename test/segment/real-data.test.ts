import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../src/ingest/index.ts';
import { runSegmentation, type SegmentationManifest } from '../../src/segment/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { hasSharedData, SHARED_DATA, tempWorkspace } from '../helpers/workspace.ts';

function csvRows(path: string): AsyncIterable<Record<string, string>> {
  return createReadStream(path)
    .pipe(createGunzip())
    .pipe(parse({ columns: true }));
}

/** Top-share of sales and Gini from per-member net sales, by plain sort-and-sum. */
function concentration(netSales: Iterable<number>, share = 0.2) {
  const x = [...netSales].map((v) => Math.max(0, v)).sort((a, b) => b - a);
  const total = x.reduce((a, b) => a + b, 0);
  const top = x.slice(0, Math.ceil(share * x.length)).reduce((a, b) => a + b, 0);
  const asc = [...x].reverse();
  const gini = asc.reduce((g, v, i) => g + (2 * (i + 1) - x.length - 1) * v, 0) / (x.length * total);
  return { members: x.length, topShare: top / total, gini, total };
}

describe.runIf(hasSharedData('online-retail'))('segmentation of UCI Online Retail', () => {
  let ws: Workspace;
  let cleanup: () => void;
  let m: SegmentationManifest;
  const net = new Map<string, number>();
  const buyers = new Set<string>();

  beforeAll(async () => {
    // Independent reference: net sales per customer straight from the file. The importer rejects
    // the two negative-price "Adjust bad debt" lines and derives amount = round(qty x price, 2).
    for await (const r of csvRows(join(SHARED_DATA, 'online-retail', 'online_retail.csv.gz'))) {
      const price = Number(r.UnitPrice);
      if (!r.CustomerID || price < 0) continue;
      const id = r.CustomerID.replace(/\.0$/, '');
      const qty = Number(r.Quantity);
      net.set(id, (net.get(id) ?? 0) + Math.round(qty * price * 100) / 100);
      if (qty > 0) buyers.add(id);
    }
    ({ ws, cleanup } = await tempWorkspace());
    await importDataset(ws, 'online-retail', join(SHARED_DATA, 'online-retail'));
    m = await runSegmentation(ws, { seed: 1 });
  });
  afterAll(() => cleanup?.());

  it('derives product groups from descriptions for every product', async () => {
    const [r] = await ws.db.rows<{ none: number; other_share: number; groups: number }>(
      `SELECT count(*) FILTER (WHERE p.category_l1 IS NULL) AS none,
              count(*) FILTER (WHERE p.category_l1 = 'OTHER') / count(*) AS other_share,
              count(DISTINCT p.category_l2) AS groups
       FROM transactions t JOIN products p USING (product_id)`,
    );
    expect(r!.none).toBe(0);
    expect(r!.other_share).toBeLessThan(0.06);
    expect(r!.groups).toBeGreaterThanOrEqual(20);
    expect(m.data.categoryLevel).toBe(2);
  });

  it('runs end to end and picks k from the data', () => {
    const sel = m.params.kSelection!;
    expect(sel.scores.length).toBe(13);
    expect(m.params.k).toBeGreaterThanOrEqual(3);
    expect(m.params.k).toBeLessThanOrEqual(15);
    expect(m.segments.reduce((a, s) => a + s.size, 0)).toBe(m.data.members);
    expect(m.affinity).toBeNull(); // no third-party links in this dataset
    console.info(
      `Online Retail: ${m.data.members} members, k = ${m.params.k}; silhouette ${sel.scores.map((s) => `${s.k}:${s.silhouette.toFixed(3)}`).join(' ')}; top 20% make ${(m.pareto.topShareOfSales * 100).toFixed(1)}% of sales, Gini ${m.pareto.gini.toFixed(3)}`,
    );
  });

  it('reports the Pareto facts of an independent computation', () => {
    const ref = concentration([...buyers].map((id) => net.get(id)!));
    expect(m.data.members).toBe(ref.members);
    expect(m.data.members).toBe(4339);
    expect(m.pareto.topShareOfSales).toBeCloseTo(ref.topShare, 8);
    expect(m.pareto.gini).toBeCloseTo(ref.gini, 8);
    expect(m.pareto.totalSales).toBeCloseTo(ref.total, 2);
    expect(m.pareto.topShareOfSales).toBeCloseTo(0.7356, 4);
  });
});

describe.runIf(hasSharedData('complete-journey'))('segmentation of The Complete Journey', () => {
  let ws: Workspace;
  let cleanup: () => void;
  let m: SegmentationManifest;
  const net = new Map<string, number>();
  const buyers = new Set<string>();
  const withDemographics = new Set<string>();

  beforeAll(async () => {
    const dir = join(SHARED_DATA, 'complete-journey');
    // The import keeps lines with a non-zero quantity whose sales value has the quantity's sign.
    for await (const r of csvRows(join(dir, 'transactions_sample.csv.gz'))) {
      const qty = Number(r.quantity);
      const value = Number(r.sales_value);
      if (qty === 0 || (value !== 0 && Math.sign(value) !== Math.sign(qty))) continue;
      net.set(r.household_id!, (net.get(r.household_id!) ?? 0) + value);
      if (qty > 0) buyers.add(r.household_id!);
    }
    for await (const r of csvRows(join(dir, 'demographics.csv.gz'))) withDemographics.add(r.household_id!);
    ({ ws, cleanup } = await tempWorkspace());
    await importDataset(ws, 'complete-journey', dir);
    m = await runSegmentation(ws, { seed: 1 });
  });
  afterAll(() => cleanup?.());

  it('runs end to end on the department tree and picks k from the data', () => {
    expect(m.data.categoryLevel).toBe(1);
    expect(m.params.featureNames).toContain('cat:GROCERY');
    expect(m.params.k).toBeGreaterThanOrEqual(3);
    expect(m.params.kSelection!.scores.length).toBe(13);
    console.info(
      `Complete Journey: ${m.data.members} households, k = ${m.params.k}; top 20% make ${(m.pareto.topShareOfSales * 100).toFixed(1)}% of sales, Gini ${m.pareto.gini.toFixed(3)}; ${m.affinity!.population.linked} households with demographics`,
    );
  });

  it('reports the Pareto facts of an independent computation', () => {
    const ref = concentration([...buyers].map((id) => net.get(id)!));
    expect(m.data.members).toBe(ref.members);
    expect(m.pareto.topShareOfSales).toBeCloseTo(ref.topShare, 8);
    expect(m.pareto.gini).toBeCloseTo(ref.gini, 8);
  });

  it('joins demographics through household links and reports the match rate per segment', () => {
    const a = m.affinity!;
    expect(a.population.linked).toBe([...buyers].filter((id) => withDemographics.has(id)).length);
    expect(a.segments.map((s) => s.segmentId)).toEqual(m.segments.map((s) => s.segmentId));
    for (const s of a.segments) {
      if (s.matchRate < a.options.minMatchRate) expect(s.warning).toMatch(/link to third-party IDs/);
      for (const r of s.rows)
        if (!r.suppressed) expect(r.segmentCount).toBeGreaterThanOrEqual(a.options.minSupport);
    }
    const values = new Set(a.segments.flatMap((s) => s.rows.map((r) => `${r.dimension}:${r.value}`)));
    expect(values.has('age_band:30s')).toBe(true);
    expect([...values].some((v) => v.startsWith('interest:income:'))).toBe(true);
  });
});
