/**
 * The engagement ladder against what the sample community planted: status shares at the end of the
 * period, routes to 貢献度, the trigger of each kind of step, and the content of answers and reviews.
 * The precision and recall figures are printed for the record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTokenizer } from '../../src/adapters/index.ts';
import {
  buildEngagementLadder,
  DEFAULT_TAXONOMY,
  ENGAGEMENT_STATUSES,
  type EngagementManifest,
  engagementMembers,
  engagementStatusOn,
  engagementTransitions,
  listEngagementLadders,
  loadEngagementLadder,
  SubstantiveClassifier,
  type Taxonomy,
  TEXT_LABELS_TABLE,
} from '../../src/ladders/index.ts';
import { type Community, community, plantedStatus } from './community.ts';

const AS_OF = '2026-10-01';
/** Largest gap, in percentage points, between a measured and a planted status share at AS_OF. */
const SHARE_TOLERANCE = 0.03;

let c: Community;
let m: EngagementManifest;
const deps = { classifier: async () => SubstantiveClassifier.create(await resolveTokenizer('auto')) };

beforeAll(async () => {
  c = await community();
  m = await buildEngagementLadder(c.ws, { asOf: AS_OF }, deps);
});
afterAll(() => c?.cleanup());

async function everyone(day: string): Promise<string[]> {
  const r = await engagementMembers(c.ws, m, ENGAGEMENT_STATUSES, day, deps);
  return [...r.memberIds, ...r.thirdPartyIds];
}

function plantedShares(actors: readonly string[], day: string): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(ENGAGEMENT_STATUSES.map((s) => [s, 0]));
  for (const a of actors) out[plantedStatus(c, a, day)]! += 1 / actors.length;
  return out;
}

const measured = (d: { status: string; share: number }[]) =>
  Object.fromEntries(d.map((x) => [x.status, x.share]));
const maxGap = (a: Record<string, number>, b: Record<string, number>) =>
  Math.max(...ENGAGEMENT_STATUSES.map((s) => Math.abs(a[s]! - b[s]!)));

describe('thresholds chosen by simulation', () => {
  it('reproduce the planted status shares within 3 points; counting every action (threshold 1) does not', async () => {
    const actors = await everyone(AS_OF);
    expect(actors.length).toBe(m.status.population);
    const planted = plantedShares(actors, AS_OF);
    const gap = maxGap(measured(m.status.distribution), planted);
    const naive = await buildEngagementLadder(
      c.ws,
      { asOf: AS_OF, thresholds: { support: 1, affinity: 1, interaction: 1, contribution: 1 } },
      deps,
    );
    const naiveGap = maxGap(measured(naive.status.distribution), planted);
    console.log(
      `status shares at ${AS_OF}: thresholds ${JSON.stringify(m.thresholds)}; largest gap to planted ${(gap * 100).toFixed(1)} pt (threshold 1 everywhere: ${(naiveGap * 100).toFixed(1)} pt)`,
      ENGAGEMENT_STATUSES.map(
        (s) =>
          `${s} ${(measured(m.status.distribution)[s]! * 100).toFixed(1)}/${(planted[s]! * 100).toFixed(1)}`,
      ).join(', '),
    );
    expect(gap).toBeLessThanOrEqual(SHARE_TOLERANCE);
    expect(naiveGap).toBeGreaterThan(0.1);
  });

  it('explains each choice and simulates every threshold on the grid', () => {
    for (const choice of m.simulation.choices) {
      expect(choice.source).toBe('simulation');
      expect(choice.explanation.ja).toContain(`${choice.threshold}回以上`);
      expect(choice.sweep.map((s) => s.threshold)).toEqual(choice.sweep.map((_, i) => i + 1));
      for (const point of choice.sweep) {
        expect(point.distribution.reduce((s, d) => s + d.members, 0)).toBe(m.status.population);
      }
      // The chosen threshold has the largest separation on the grid.
      const best = Math.max(...choice.sweep.map((s) => s.separation ?? -1));
      expect(choice.separation).toBe(best);
    }
    expect(m.simulation.localGrid.length).toBeGreaterThan(100);
  });
});

describe('routes to 貢献度', () => {
  it('recovers the planted routes', () => {
    const planted = new Set(
      c.planted.routes.filter((r) => r.route.endsWith('>contribution')).map((r) => r.route),
    );
    const mined = new Set(m.routes.routes.filter((r) => r.support >= 0.05).map((r) => r.key));
    const hits = [...mined].filter((r) => planted.has(r)).length;
    const precision = hits / mined.size;
    const recall = hits / planted.size;
    console.log(
      `routes (support >= 5%): precision ${precision.toFixed(2)}, recall ${recall.toFixed(2)};`,
      m.routes.routes
        .slice(0, 6)
        .map((r) => `${r.key} ${(r.support * 100).toFixed(1)}% lift ${r.lift.toFixed(2)}`)
        .join('; '),
    );
    expect(precision).toBe(1);
    expect(recall).toBe(1);
    const top = m.routes.routes[0]!;
    expect(top.members).toBe(Math.max(...m.routes.routes.map((r) => r.members)));
    expect(m.routes.routes.reduce((s, r) => s + r.members, 0)).toBe(m.routes.successful);
  });
});

describe('triggers', () => {
  it('recovers the planted trigger of every kind of step', () => {
    const planted = new Set(c.planted.triggers.map((t) => `${t.stage}|${t.event}`));
    const found = new Set(m.triggers.steps.flatMap((s) => s.triggers.map((t) => `${s.to}|${t.event}`)));
    const hits = [...found].filter((f) => planted.has(f)).length;
    const precision = found.size ? hits / found.size : 0;
    const recall = hits / planted.size;
    console.log(
      `triggers: precision ${precision.toFixed(2)}, recall ${recall.toFixed(2)};`,
      m.triggers.steps
        .flatMap((s) =>
          s.triggers.map(
            (t) => `${s.from}>${s.to}: ${t.event} support ${t.support.toFixed(2)} lift ${t.lift.toFixed(1)}`,
          ),
        )
        .join('; '),
    );
    expect(precision).toBe(1);
    expect(recall).toBe(1);
  });

  it('never offers an action that counts toward the new status as its trigger', () => {
    for (const s of m.triggers.steps) {
      for (const t of s.candidates) {
        if (t.kind === 'received') continue;
        expect(t.event.startsWith('own:qa/answer') && s.to === 'contribution', t.event).toBe(false);
      }
    }
  });

  it('gives every status its next step, with the mined trigger as evidence', () => {
    const support = m.nudges.find((n) => n.status === 'interaction')!;
    expect(support.next).toBe('contribution');
    expect(support.evidence?.event).toBe('own:qa/post/question:responded');
    expect(m.nudges.find((n) => n.status === 'contribution')!.next).toBeNull();
  });
});

describe('answers and reviews', () => {
  it('tells substantive texts from impressions as planted', async () => {
    const labels = await c.ws.db.rows<{ substantive: boolean; n: number }>(
      `SELECT l.substantive, count(*) AS n FROM actions a JOIN ${TEXT_LABELS_TABLE} l ON l.text_hash = md5(a.text)
       GROUP BY 1`,
    );
    const byAction = await c.ws.db.rows<{ action_id: string; substantive: boolean }>(
      `SELECT a.action_id, l.substantive FROM actions a JOIN ${TEXT_LABELS_TABLE} l ON l.text_hash = md5(a.text)`,
    );
    let right = 0;
    for (const r of byAction) if (c.texts.get(r.action_id) === r.substantive) right++;
    const accuracy = right / byAction.length;
    console.log(`sample texts: ${byAction.length} judged, accuracy ${accuracy.toFixed(3)}`, labels);
    expect(byAction.length).toBe(c.texts.size);
    expect(accuracy).toBeGreaterThan(0.95);
    expect(m.data.texts.notSubstantive).toBeGreaterThan(0);
  });

  it('keeps impression-only answers out of 貢献度; counting them inflates it', async () => {
    const countAll: Taxonomy = {
      ...DEFAULT_TAXONOMY,
      version: 'count-every-answer',
      rules: DEFAULT_TAXONOMY.rules.map(({ substantive: _, ...r }) => r),
    };
    const loose = await buildEngagementLadder(
      c.ws,
      { asOf: AS_OF, thresholds: m.thresholds, taxonomy: countAll },
      deps,
    );
    // Planted impression answerers who are at 交流度 on the day: where does each ladder put them?
    const impression = (await everyone(AS_OF)).filter(
      (a) => c.actors.get(a)?.impression && plantedStatus(c, a, AS_OF) === 'interaction',
    );
    const atTop = async (x: EngagementManifest) => {
      const r = await engagementMembers(c.ws, x, ['contribution'], AS_OF, deps);
      const top = new Set([...r.memberIds, ...r.thirdPartyIds]);
      return impression.filter((a) => top.has(a)).length / impression.length;
    };
    const judged = await atTop(m);
    const counted = await atTop(loose);
    console.log(
      `${impression.length} impression answerers at 交流度: ${(judged * 100).toFixed(1)}% rated 貢献度 with text judged, ${(counted * 100).toFixed(1)}% when every answer counts`,
    );
    expect(impression.length).toBeGreaterThan(50);
    expect(judged).toBeLessThan(0.05);
    expect(counted).toBeGreaterThan(0.5);
  });
});

describe('statuses over time', () => {
  it('reads the status on any day and moves between two days consistently', async () => {
    const on = await engagementStatusOn(c.ws, m, AS_OF, deps);
    expect(on.distribution).toEqual(m.status.distribution);
    const from = '2026-06-01';
    const before = await engagementStatusOn(c.ws, m, from, deps);
    const t = await engagementTransitions(c.ws, m, { from, to: AS_OF }, deps);
    for (const s of ENGAGEMENT_STATUSES) {
      const row = t.cells.filter((x) => x.from === s).reduce((a, x) => a + x.members, 0);
      expect(row, `from ${s}`).toBe(before.distribution.find((d) => d.status === s)!.members);
      const col = t.cells.filter((x) => x.to === s).reduce((a, x) => a + x.members, 0);
      expect(col, `to ${s}`).toBe(on.distribution.find((d) => d.status === s)!.members);
    }
    expect(t.totals.up).toBeGreaterThan(0);
    await expect(engagementTransitions(c.ws, m, { from: AS_OF, to: from }, deps)).rejects.toMatchObject({
      field: 'to',
    });
  });

  it('lists members of a status, members and third-party apart, and keeps the ladder', async () => {
    const r = await engagementMembers(c.ws, m, ['contribution'], AS_OF, deps);
    expect(r.memberIds.length + r.thirdPartyIds.length).toBe(
      m.status.distribution.find((d) => d.status === 'contribution')!.members,
    );
    expect(r.memberIds.every((id) => id.startsWith('M'))).toBe(true);
    expect(r.thirdPartyIds.every((id) => id.startsWith('tp_'))).toBe(true);
    expect((await loadEngagementLadder(c.ws, m.id)).thresholds).toEqual(m.thresholds);
    expect((await listEngagementLadders(c.ws)).map((l) => l.id)).toContain(m.id);
    await expect(loadEngagementLadder(c.ws, 'eng_nope')).rejects.toMatchObject({ status: 404 });
  });
});
