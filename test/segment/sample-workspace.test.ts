import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../src/adapters/index.ts';
import {
  SEGMENTATION_PREFIX as ENRICH_PREFIX,
  ASSIGNMENTS_TABLE as ENRICH_TABLE,
} from '../../src/enrich/index.ts';
import { computeMemberFeatures } from '../../src/features/index.ts';
import {
  ASSIGNMENTS_TABLE,
  adjustedRandIndex,
  fitSegments,
  fitTransform,
  listSegmentations,
  loadSegmentation,
  runSegmentation,
  SEGMENTATION_PREFIX,
  type SegmentationManifest,
  type SegmentFitOutput,
  segmentMemberIds,
} from '../../src/segment/index.ts';
import { type SampleWorkspace, sampleWorkspace } from './sample-fixture.ts';

const PLANTED_PERSONAS = 10;

describe('segmentation of the sample workspace (4,000 members, 6 months, 10 planted personas)', () => {
  let s: SampleWorkspace;
  let m: SegmentationManifest;
  let progress: [number, string][];
  beforeAll(async () => {
    s = await sampleWorkspace({
      members: 4000,
      months: 6,
      seed: 42,
      tables: ['products', 'members', 'transactions'],
    });
    progress = [];
    m = await runSegmentation(s.ws, { seed: 1 }, { progress: (f, msg) => progress.push([f, msg]) });
  });
  afterAll(() => s?.cleanup());

  it('chooses k within 2 of the planted persona count and recovers the personas (ARI >= 0.7)', async () => {
    expect(m.params.requestedK).toBeNull();
    expect(Math.abs(m.params.k - PLANTED_PERSONAS)).toBeLessThanOrEqual(2);
    const sel = m.params.kSelection!;
    expect(sel.criterion).toBe('silhouette');
    expect(sel.scores.map((x) => x.k)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    const best = Math.max(...sel.scores.map((x) => x.silhouette));
    expect(sel.scores.find((x) => x.k === m.params.k)!.silhouette).toBeGreaterThanOrEqual(
      best * (1 - sel.tolerance),
    );
    const rows = await s.ws.db.rows<{ member_id: string; segment_id: string }>(
      `SELECT member_id, segment_id FROM ${ASSIGNMENTS_TABLE} WHERE segmentation_id = $id ORDER BY member_id`,
      { id: m.id },
    );
    expect(rows.length).toBe(m.data.members);
    const personas = [...new Set(s.persona.values())].sort();
    const ari = adjustedRandIndex(
      rows.map((r) => Number(r.segment_id.slice(4))),
      rows.map((r) => personas.indexOf(s.persona.get(r.member_id)!)),
    );
    console.info(
      `chosen k = ${m.params.k}, ARI = ${ari.toFixed(3)}; silhouette by k: ${sel.scores.map((x) => `${x.k}:${x.silhouette.toFixed(3)}`).join(' ')}`,
    );
    expect(ari).toBeGreaterThanOrEqual(0.7);
  });

  it('publishes a manifest that readers load, with stable ids ordered by sales', async () => {
    expect(await loadSegmentation(s.ws, m.id)).toEqual(m);
    expect((await listSegmentations(s.ws)).map((x) => x.id)).toEqual([m.id]);
    expect(m.kind).toBe('segmentation');
    expect(m.version).toBe(1);
    expect(m.dataFingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(m.segments.map((x) => x.segmentId)).toEqual(
      Array.from({ length: m.params.k }, (_, i) => `seg_${String(i + 1).padStart(2, '0')}`),
    );
    const sales = m.segments.map((x) => x.sales);
    expect(sales).toEqual([...sales].sort((a, b) => b - a));
    expect(m.segments.reduce((a, x) => a + x.size, 0)).toBe(m.data.members);
    expect(m.segments.reduce((a, x) => a + x.salesShare, 0)).toBeCloseTo(1, 10);
    expect(m.segments.reduce((a, x) => a + x.importantMembers, 0)).toBe(m.pareto.importantMembers);
    for (const seg of m.segments) {
      expect(seg.nameJa.length).toBeGreaterThan(0);
      expect(seg.nameEn.length).toBeGreaterThan(0);
      const ids = await segmentMemberIds(s.ws, m.id, seg.segmentId);
      expect(ids.length).toBe(seg.size);
    }
    expect(new Set(m.segments.map((x) => x.nameJa)).size).toBe(m.segments.length);
    expect(progress.at(-1)).toEqual([1, 'done']);
    // enrich reads the same table and prefix without importing segment
    expect([ENRICH_TABLE, ENRICH_PREFIX]).toEqual([ASSIGNMENTS_TABLE, SEGMENTATION_PREFIX]);
  });

  it('reports a top-20% share of sales equal to an independent computation from the CSV', () => {
    const lines = parse(readFileSync(join(s.dir, 'tables', 'transactions.csv')), { columns: true }) as Record<
      string,
      string
    >[];
    const byMember = new Map<string, number>();
    for (const l of lines)
      if (l.member_id) byMember.set(l.member_id, (byMember.get(l.member_id) ?? 0) + Number(l.amount));
    const sorted = [...byMember.values()].map((v) => Math.max(0, v)).sort((a, b) => b - a);
    const total = sorted.reduce((a, b) => a + b, 0);
    const top = sorted.slice(0, Math.ceil(sorted.length * 0.2)).reduce((a, b) => a + b, 0);
    expect(m.data.members).toBe(sorted.length);
    expect(m.pareto.topShareOfSales).toBeCloseTo(top / total, 10);
    expect(m.pareto.totalSales).toBeCloseTo(total, 4);
  });

  it('places every member on the growth grid', async () => {
    expect(m.grid.cells.reduce((a, c) => a + c.members, 0)).toBe(m.data.members);
    const counts = await s.ws.db.rows<{ f: string; b: string; n: number }>(
      `SELECT frequency_band AS f, breadth_band AS b, count(*) AS n FROM ${ASSIGNMENTS_TABLE} WHERE segmentation_id = $id GROUP BY ALL`,
      { id: m.id },
    );
    for (const c of counts) {
      expect(m.grid.cells.find((x) => x.frequencyBand === c.f && x.breadthBand === c.b)!.members).toBe(c.n);
    }
  });

  it('gives the same segments from the same data and seed, with a fixed k', async () => {
    const a = await runSegmentation(s.ws, { seed: 5, k: m.params.k, affinity: false });
    const b = await runSegmentation(s.ws, { seed: 5, k: m.params.k, affinity: false });
    expect(a.id).not.toBe(b.id);
    expect(a.dataFingerprint).toBe(m.dataFingerprint);
    expect(b.segments).toEqual(a.segments);
    const members = async (id: string) =>
      s.ws.db.rows(
        `SELECT member_id, segment_id, important FROM ${ASSIGNMENTS_TABLE} WHERE segmentation_id = $id ORDER BY member_id`,
        { id },
      );
    expect(await members(b.id)).toEqual(await members(a.id));
  });

  it('runs the fit in a worker thread with the same result', async () => {
    const f = await computeMemberFeatures(s.ws.db);
    const { scaled } = fitTransform(
      { values: f.values, rows: f.rows, cols: f.cols },
      f.featureNames,
      f.featureKinds,
      f.featureGroups,
    );
    const input = {
      values: scaled.values,
      rows: f.rows,
      cols: f.cols,
      k: 6,
      kRange: [2, 6] as [number, number],
      seed: 3,
      sampleSize: 1000,
      nInit: 2,
    };
    const local = fitSegments(input);
    const pool = new WorkerPool({ size: 1 });
    try {
      const remote = await pool.run<SegmentFitOutput>('segment-fit', {
        ...input,
        values: Float64Array.from(scaled.values),
      });
      expect(Array.from(remote.labels)).toEqual(Array.from(local.labels));
      expect(remote.inertia).toBe(local.inertia);
    } finally {
      await pool.close();
    }
  });
});
