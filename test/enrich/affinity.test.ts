import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AffinityReport, groupAffinity, wilson, zFor } from '../../src/enrich/index.ts';
import { InvalidInputError } from '../../src/schema/index.ts';
import type { SqlValue, Workspace } from '../../src/store/index.ts';
import { insertRows } from '../features/tiny-workspace.ts';
import { tempWorkspace } from '../helpers/workspace.ts';

/** Wilson lower/upper bound written out independently of src/enrich/wilson.ts. */
function wilsonByHand(x: number, n: number): [number, number] {
  const z = 1.96;
  const p = x / n;
  const a = p + (z * z) / (2 * n);
  const b = z * Math.sqrt((p * (1 - p) + (z * z) / (4 * n)) / n);
  const c = 1 + (z * z) / n;
  return [(a - b) / c, (a + b) / c];
}

/**
 * Segments: S1 100 members (80 linked), S2 200 (120 linked), S3 30 (all linked: a tiny
 * segment), S4 200 (10 linked: barely links). 240 linked members in all.
 * Interests: pets S1 40, S3 30; x S1 5, S2 60; y S2 31; travel S1 10.
 */
async function build(ws: Workspace): Promise<void> {
  const groups: Record<string, SqlValue>[] = [];
  const links: Record<string, SqlValue>[] = [];
  const profiles: Record<string, SqlValue>[] = [];
  const interests: Record<string, SqlValue>[] = [];
  const plan = [
    { seg: 'S1', size: 100, linked: 80, has: { pets: 40, x: 5, travel: 10 } },
    { seg: 'S2', size: 200, linked: 120, has: { x: 60, y: 31 } },
    { seg: 'S3', size: 30, linked: 30, has: { pets: 30 } },
    { seg: 'S4', size: 200, linked: 10, has: {} },
  ];
  for (const p of plan) {
    for (let i = 0; i < p.size; i++) {
      const member = `${p.seg}_${i}`;
      groups.push({ member_id: member, group_id: p.seg });
      if (i >= p.linked) continue;
      links.push({ member_id: member, tp_id: `tp_${member}`, source: 'test', confidence: 0.9 });
      profiles.push({ tp_id: `tp_${member}`, gender: 'female', age_band: '30s', region: '東京都' });
      for (const [interest, n] of Object.entries(p.has)) {
        if (i < n) interests.push({ tp_id: `tp_${member}`, category: interest, visits: 3 });
      }
    }
  }
  // A second, less confident device of S1_0 says male: demographics follow the best link only,
  // and its interests still count (once).
  links.push({ member_id: 'S1_0', tp_id: 'tp_second', source: 'test', confidence: 0.5 });
  profiles.push({ tp_id: 'tp_second', gender: 'male', age_band: '30s', region: '東京都' });
  interests.push({ tp_id: 'tp_second', category: 'pets', visits: 1 });
  await insertRows(ws.db, 'id_links', links);
  await insertRows(ws.db, 'tp_profiles', profiles);
  await insertRows(ws.db, 'tp_interests', interests);
  await ws.db.run('CREATE TABLE test_groups (member_id VARCHAR, group_id VARCHAR)');
  await insertRows(ws.db, 'test_groups', groups);
}

describe('affinity index, interval and support rules on a hand-made base', () => {
  let ws: Workspace;
  let cleanup: () => void;
  let report: AffinityReport;
  const seg = (id: string) => report.segments.find((s) => s.segmentId === id)!;
  const row = (id: string, value: string) => seg(id).rows.find((r) => r.value === value)!;

  beforeAll(async () => {
    ({ ws, cleanup } = await tempWorkspace());
    await build(ws);
    report = await groupAffinity(ws.db, 'SELECT member_id, group_id FROM test_groups', {
      dimensions: ['interest', 'gender'],
    });
  });
  afterAll(() => cleanup?.());

  it('reports match rates and warns about a segment that barely links', () => {
    expect(report.population).toEqual({ members: 530, linked: 240, matchRate: 240 / 530 });
    expect(seg('S1')).toMatchObject({ members: 100, linked: 80, matchRate: 0.8 });
    expect(seg('S4').warning).toBe(
      "only 5.0% of the segment's members link to third-party IDs (minimum 10%): its affinities are withheld",
    );
    expect(seg('S4').rows.every((r) => r.suppressed && r.reason === 'low-match-rate')).toBe(true);
  });

  it('computes index = segment share / population share x 100 with a Wilson interval, as by hand', () => {
    const pets = row('S1', 'pets');
    const popShare = 70 / 240; // 40 in S1 + 30 in S3
    const [lo, hi] = wilsonByHand(40, 80);
    expect(pets).toMatchObject({
      dimension: 'interest',
      segmentCount: 40,
      segmentShare: 0.5,
      populationCount: 70,
      support: 40,
      suppressed: false,
    });
    expect(pets.populationShare).toBeCloseTo(popShare, 12);
    expect(pets.index!).toBeCloseTo((0.5 / popShare) * 100, 10); // 171.43
    expect(pets.ciLow!).toBeCloseTo((lo / popShare) * 100, 10);
    expect(pets.ciHigh!).toBeCloseTo((hi / popShare) * 100, 10);
    expect(wilson(40, 80, 1.96).low).toBeCloseTo(lo, 12);
  });

  it('suppresses the index of a tiny segment and of an attribute below minimum support', () => {
    // S3: every one of its 30 members has pets, a raw index of 343, but 30 linked members < 50.
    const tiny = row('S3', 'pets');
    expect(tiny).toMatchObject({
      segmentCount: 30,
      segmentShare: 1,
      index: null,
      ciLow: null,
      suppressed: true,
      reason: 'too-few-linked-members',
    });
    expect(row('S1', 'travel')).toMatchObject({
      segmentCount: 10,
      index: null,
      suppressed: true,
      reason: 'below-min-support',
    });
    // With the rules relaxed, the same cell shows its (wide) interval.
    return groupAffinity(ws.db, 'SELECT member_id, group_id FROM test_groups', {
      minLinked: 10,
      minSupport: 5,
      dimensions: ['interest'],
    }).then((r) => {
      const relaxed = r.segments.find((s) => s.segmentId === 'S3')!.rows.find((x) => x.value === 'pets')!;
      expect(relaxed.index!).toBeCloseTo((1 / (70 / 240)) * 100, 10);
      expect(relaxed.ciLow!).toBeLessThan(relaxed.index! * 0.9);
    });
  });

  it('ranks by the lower bound, not the point index', () => {
    const shown = seg('S2').rows.filter((r) => !r.suppressed && r.dimension === 'interest');
    expect(shown.map((r) => r.value)).toEqual(['x', 'y']);
    const [x, y] = shown as [(typeof shown)[0], (typeof shown)[0]];
    expect(y.index!).toBeGreaterThan(x.index!); // 200 vs 184.6
    expect(x.ciLow!).toBeGreaterThan(y.ciLow!); // 152.1 vs 145.8
    expect(x.ciLow!).toBeCloseTo((wilsonByHand(60, 120)[0] / (65 / 240)) * 100, 10);
    expect(y.ciLow!).toBeCloseTo((wilsonByHand(31, 120)[0] / (31 / 240)) * 100, 10);
    // suppressed rows come after every shown row
    const firstSuppressed = seg('S2').rows.findIndex((r) => r.suppressed);
    expect(
      seg('S2')
        .rows.slice(firstSuppressed)
        .every((r) => r.suppressed),
    ).toBe(true);
  });

  it('counts demographics from the most confident link only', () => {
    const female = row('S1', 'female');
    expect(female.segmentCount).toBe(80);
    expect(seg('S1').rows.find((r) => r.value === 'male')).toBeUndefined();
    // the second device's interest does not double-count S1_0
    expect(row('S1', 'pets').segmentCount).toBe(40);
  });

  it('rejects out-of-range options', async () => {
    await expect(
      groupAffinity(ws.db, 'SELECT member_id, group_id FROM test_groups', { minSupport: 0 }),
    ).rejects.toThrow(new InvalidInputError('minSupport must be a whole number >= 1, got 0', 'minSupport'));
    await expect(
      groupAffinity(ws.db, 'SELECT member_id, group_id FROM test_groups', { confidence: 0.97 }),
    ).rejects.toThrow('confidence must be one of 0.8, 0.9, 0.95, 0.98, 0.99, got 0.97');
  });
});

describe('confidence levels', () => {
  it('an unsupported level is invalid input (a 422 through the API), naming the accepted ones', () => {
    expect(() => zFor(0.97)).toThrow(InvalidInputError);
    expect(() => zFor(0.97)).toThrow('confidence must be one of 0.8, 0.9, 0.95, 0.98, 0.99, got 0.97');
    expect(zFor(0.95)).toBe(1.96);
  });
});
