import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmentAffinity, siteVisitorComparison } from '../../src/enrich/index.ts';
import { NotFoundError } from '../../src/schema/index.ts';
import { runSegmentation, type SegmentationManifest } from '../../src/segment/index.ts';
import { type SampleWorkspace, sampleWorkspace } from '../segment/sample-fixture.ts';

const personasConfig = JSON.parse(
  readFileSync(new URL('../../data/sample/personas.json', import.meta.url), 'utf8'),
) as { personas: { id: string; interests: Record<string, number> }[] };
const interestsConfig = JSON.parse(
  readFileSync(new URL('../../data/sample/interests.json', import.meta.url), 'utf8'),
) as { categories: { code: string; base: number }[] };
const BASE = new Map(interestsConfig.categories.map((c) => [c.code, c.base]));
/** Each persona's two planted interests with the highest lift over the interest's base rate. */
const PLANTED = new Map(
  personasConfig.personas.map((p) => [
    p.id,
    Object.entries(p.interests)
      .sort((a, b) => b[1] / BASE.get(b[0])! - a[1] / BASE.get(a[0])!)
      .slice(0, 2)
      .map(([k]) => k),
  ]),
);
/** The window shoppers' main category: browsed heavily, bought rarely. */
const WINDOW_CATEGORY = 'kitchen_appliances';

describe('third-party affinity on the sample workspace', () => {
  let s: SampleWorkspace;
  let m: SegmentationManifest;
  /** Members of each segment by persona. */
  const mix = new Map<string, Map<string, number>>();
  beforeAll(async () => {
    s = await sampleWorkspace({
      members: 4000,
      months: 6,
      seed: 42,
      universe: 12_000,
      tables: [
        'products',
        'members',
        'transactions',
        'id_links',
        'tp_profiles',
        'tp_interests',
        'tp_searches',
        'site_visits',
      ],
    });
    m = await runSegmentation(s.ws, { k: 10, seed: 1 });
    const rows = await s.ws.db.rows<{ member_id: string; segment_id: string }>(
      'SELECT member_id, segment_id FROM segment_assignments WHERE segmentation_id = $id',
      { id: m.id },
    );
    for (const r of rows) {
      const p = s.persona.get(r.member_id)!;
      const seg = mix.get(r.segment_id) ?? new Map<string, number>();
      seg.set(p, (seg.get(p) ?? 0) + 1);
      mix.set(r.segment_id, seg);
    }
  });
  afterAll(() => s?.cleanup());

  it("puts each persona's planted interests among its segment's top affinities", () => {
    let checked = 0;
    for (const seg of m.affinity!.segments) {
      const counts = [...mix.get(seg.segmentId)!.entries()].sort((a, b) => b[1] - a[1]);
      const [persona, n] = counts[0]!;
      if (n / seg.members < 0.6) continue; // a mixed segment has no single planted profile
      if (seg.warning) continue; // withheld for too few linked members: nothing to compare
      const top = seg.rows
        .filter((r) => r.dimension === 'interest' && !r.suppressed)
        .slice(0, 5)
        .map((r) => r.value);
      for (const interest of PLANTED.get(persona)!)
        expect(top, `${seg.segmentId} (${persona})`).toContain(interest);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  it('does not show the window-shopping category as an affinity of the segment that buys it least', async () => {
    const buys = await s.ws.db.rows<{ segment_id: string; per_member: number }>(
      `SELECT a.segment_id, coalesce(sum(t.amount) FILTER (WHERE p.category_l1 = 'K'), 0) / count(DISTINCT a.member_id) AS per_member
       FROM segment_assignments a LEFT JOIN transactions t ON t.member_id = a.member_id
       LEFT JOIN products p ON p.product_id = t.product_id
       WHERE a.segmentation_id = $id GROUP BY a.segment_id ORDER BY per_member, a.segment_id`,
      { id: m.id },
    );
    const least = m.affinity!.segments.find((x) => x.segmentId === buys[0]!.segment_id)!;
    const row = least.rows.find((r) => r.dimension === 'interest' && r.value === WINDOW_CATEGORY)!;
    expect(row.suppressed || row.ciLow! <= 100).toBe(true);
    const top = least.rows
      .filter((r) => r.dimension === 'interest' && !r.suppressed)
      .slice(0, 5)
      .map((r) => r.value);
    expect(top).not.toContain(WINDOW_CATEGORY);
  });

  it('stands alone: segmentAffinity recomputes what the manifest holds', async () => {
    const alone = await segmentAffinity(s.ws, m.id);
    expect(alone).toEqual(m.affinity);
    await expect(segmentAffinity(s.ws, 'sgm_missing')).rejects.toThrow(NotFoundError);
  });

  it('finds who visits the site but does not buy', async () => {
    const c = await siteVisitorComparison(s.ws);
    expect(c).toEqual(m.siteVisitors);
    expect(c.nonBuyers.visitors).toBeGreaterThan(0);
    expect(c.nonBuyers.memberShare).toBeLessThan(c.buyers.memberShare);
    // Window shoppers browse the appliances the retailer sells and rarely buy.
    const windowRow = c.rows.find((r) => r.dimension === 'interest' && r.value === WINDOW_CATEGORY)!;
    expect(windowRow.ciLow!).toBeGreaterThan(100);
    expect(c.overIndexedAmongNonBuyers.length).toBeGreaterThan(0);
    expect(c.highlights.length).toBeGreaterThan(0);
  });
});
