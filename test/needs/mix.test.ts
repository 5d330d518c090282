import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeNeedFiles } from '../../src/adapters/index.ts';
import {
  NEED_CACHE_TABLE,
  type NeedMix,
  type NeedMixEntry,
  needMixBySegment,
  needMixForTpIds,
} from '../../src/needs/mix.ts';
import type { NeedClassifier } from '../../src/needs/model/classifier.ts';
import { loadNeedClassifier } from '../../src/needs/registry.ts';
import { kuromojiTokenizer, type Tokenizer } from '../../src/needs/tokenize/tokenizer.ts';
import { InvalidInputError } from '../../src/schema/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { tempWorkspace } from '../helpers/workspace.ts';

let ws: Workspace;
let cleanup: () => void;
let clf: NeedClassifier;

const TEXTS: [string, string | null, string | null, string][] = [
  ['x1', 'T1', 'convection_oven', '油を使わないのでヘルシーに揚げ物が作れる'],
  ['x2', 'T1', 'convection_oven', 'パンがふっくら焼けて大満足'],
  ['x3', 'T2', 'convection_oven', 'バスケットの掃除が面倒で大変'],
  ['x4', 'T3', 'convection_oven', '手作りパンが上手に焼ける'],
  ['x5', 'T4', 'convection_oven', '予熱なしですぐ焼けるので時短になる'],
  ['x6', 'T2', 'rice_cooker', 'ご飯がふっくら炊ける'],
  ['x7', 'T3', null, '油を使わないのでヘルシー'],
  ['x8', null, 'convection_oven', 'パンが焼ける'],
];

beforeEach(async () => {
  ({ ws, cleanup } = await tempWorkspace());
  clf = await loadNeedClassifier(nodeNeedFiles, 'convection_oven');
  for (const m of ['M1', 'M2', 'M3', 'M4']) {
    await ws.db.run(`INSERT INTO members (member_id) VALUES ($m)`, { m });
  }
  for (const [member, tp] of [
    ['M1', 'T1'],
    ['M1', 'T4'],
    ['M2', 'T2'],
    ['M3', 'T3'],
  ] as const) {
    await ws.db.run(
      `INSERT INTO id_links (member_id, tp_id, source, confidence) VALUES ($member, $tp, 'login', 1)`,
      {
        member,
        tp,
      },
    );
  }
  for (const [id, tp, theme, body] of TEXTS) {
    await ws.db.run(
      `INSERT INTO texts (text_id, tp_id, theme, source, posted_at, body) VALUES ($id, $tp, $theme, 'review', TIMESTAMP '2024-05-01 10:00:00', $body)`,
      { id, tp, theme, body },
    );
  }
});
afterEach(() => cleanup());

function counting(): { tokenizer: Tokenizer; calls: () => number } {
  let calls = 0;
  return {
    tokenizer: {
      name: 'counting',
      tokenize: (s) => {
        calls += s.length;
        return kuromojiTokenizer.tokenize(s);
      },
    },
    calls: () => calls,
  };
}

const need = (mix: NeedMix, id: string): NeedMixEntry => mix.needs.find((n) => n.id === id)!;

describe('needMixForTpIds', () => {
  it('mixes the needs of the texts a set of people wrote about the theme', async () => {
    const mix = await needMixForTpIds(ws, clf, ['T1', 'T2', 'T9', 'T1']);
    expect(mix).toMatchObject({
      theme: 'convection_oven',
      modelVersion: clf.version,
      tpIds: 3,
      tpIdsWithTexts: 2,
      texts: 3,
    });
    expect(need(mix, 'healthy')).toMatchObject({ texts: 1, people: 1, peopleShare: 0.5, met: 1, unmet: 0 });
    expect(need(mix, 'baking')).toMatchObject({ texts: 1, people: 1, textShare: 1 / 3 });
    expect(need(mix, 'cleaning')).toMatchObject({ texts: 1, unmet: 1, unmetShare: 1 });
    expect(need(mix, 'space')).toMatchObject({ texts: 0, people: 0, meanScore: 0 });
    expect(mix.needs.map((n) => n.id)).toEqual(clf.needIds);
  });

  it('classifies each text once per model version and reuses the cache', async () => {
    const first = counting();
    await needMixForTpIds(ws, clf, ['T1', 'T2'], { tokenizer: first.tokenizer });
    expect(first.calls()).toBeGreaterThan(0);
    const cached = await ws.db.rows<{ text_id: string; model_version: string }>(
      `SELECT text_id, model_version FROM ${NEED_CACHE_TABLE} ORDER BY text_id`,
    );
    expect(cached).toEqual(['x1', 'x2', 'x3'].map((text_id) => ({ text_id, model_version: clf.version })));
    const second = counting();
    const again = await needMixForTpIds(ws, clf, ['T1', 'T2'], { tokenizer: second.tokenizer });
    expect(second.calls()).toBe(0);
    expect(need(again, 'healthy').texts).toBe(1);
    // Concurrent callers on overlapping sets neither fail nor duplicate rows.
    await Promise.all([needMixForTpIds(ws, clf, ['T3', 'T4']), needMixForTpIds(ws, clf, ['T4', 'T3'])]);
    const [{ n }] = (await ws.db.rows<{ n: number }>(`SELECT count(*) AS n FROM ${NEED_CACHE_TABLE}`)) as [
      { n: number },
    ];
    expect(n).toBe(5);
  });

  it('includes texts without a theme only when asked', async () => {
    expect((await needMixForTpIds(ws, clf, ['T3'])).texts).toBe(1);
    const mix = await needMixForTpIds(ws, clf, ['T3'], { includeUnthemed: true });
    expect(mix.texts).toBe(2);
    expect(need(mix, 'healthy').texts).toBe(1);
  });

  it('answers an empty set and rejects a malformed one', async () => {
    const empty = await needMixForTpIds(ws, clf, []);
    expect(empty).toMatchObject({ tpIds: 0, tpIdsWithTexts: 0, texts: 0 });
    await expect(needMixForTpIds(ws, clf, [1 as unknown as string])).rejects.toThrow(InvalidInputError);
  });
});

describe('needMixBySegment', () => {
  it('gives each segment its need mix and an index against all assigned members', async () => {
    const assignment = new Map([
      ['M1', 'A'],
      ['M2', 'B'],
      ['M3', 'B'],
      ['M4', 'B'],
    ]);
    const { overall, segments } = await needMixBySegment(ws, clf, assignment);
    expect(overall).toMatchObject({ tpIds: 4, tpIdsWithTexts: 4, texts: 5 });
    expect(segments.map((s) => [s.segmentId, s.members, s.tpIds, s.texts])).toEqual([
      ['A', 1, 2, 3],
      ['B', 3, 2, 2],
    ]);
    const [a, b] = segments as [(typeof segments)[0], (typeof segments)[0]];
    // healthy: 1 of 4 writers overall, 1 of 2 in A (index 200), none in B (index 0).
    expect(need(a, 'healthy')).toMatchObject({ people: 1, peopleShare: 0.5, index: 200 });
    expect(need(b, 'healthy')).toMatchObject({ people: 0, index: 0 });
    // baking: T1 and T3, one in each segment: both at the average.
    expect(need(a, 'baking').index).toBe(100);
    expect(need(b, 'baking').index).toBe(100);
    expect(need(b, 'cleaning')).toMatchObject({ unmet: 1 });
    // space: nobody, so no index.
    expect(need(a, 'space').index).toBeNull();
  });

  it('handles a segment whose members have no linked IDs', async () => {
    const { segments } = await needMixBySegment(ws, clf, new Map([['M4', 'lonely']]));
    expect(segments).toHaveLength(1);
    expect(segments[0]).toMatchObject({ segmentId: 'lonely', members: 1, tpIds: 0, texts: 0 });
  });
});
