/**
 * The API behind the audience studio, as a marketer key meets it: training from a seed (within a
 * quota), the values condition pickers offer, Japanese values read as stored codes (or refused by
 * name), relaxation that says why, conditions on audience creation, the need mix with its sample,
 * intervals and index, and problem details in Japanese.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAudience } from '../../src/audience/index.ts';
import { personaMembers } from '../lookalike/helpers.ts';
import { completed, type DomainApi, domainApi, problemOf } from './domain-fixture.ts';
import { json } from './helpers.ts';

let api: DomainApi;
let modelId: string;

const marketer = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
  api.call(
    path,
    body === undefined
      ? { key: 'marketer', headers }
      : { key: 'marketer', ...json(body), headers: { 'content-type': 'application/json', ...headers } },
  );

const SAID = [
  { kind: 'age_band', values: ['30代'] },
  { kind: 'gender', values: ['女性'] },
  { kind: 'region', values: ['東京'] },
  { kind: 'interest', category: '料理' },
];
const STORED = [
  { kind: 'age_band', values: ['30s'] },
  { kind: 'gender', values: ['female'] },
  { kind: 'region', values: ['東京都'] },
  { kind: 'interest', category: 'cooking' },
];

beforeAll(async () => {
  api = await domainApi();
  // A marketer trains from a member seed: 202 and a finished model (a 403 before this change).
  const job = await api.finish(
    await marketer('/v1/lookalike-models', {
      id: 'lm_studio',
      seed: { kind: 'members', memberIds: personaMembers(api.s, 'busy_family') },
      universe: 'third_party',
      randomSeed: 3,
      unlabelledSample: 2000,
    }),
    'marketer',
  );
  modelId = completed(job).modelId as string;
});
afterAll(() => api?.cleanup());

describe('marketers train lookalikes within a per-key quota', () => {
  it('trained the model as a marketer, and refuses a second concurrent training with 429', async () => {
    expect(modelId).toBe('lm_studio');
    const body = {
      seed: { kind: 'members', memberIds: personaMembers(api.s, 'busy_family') },
      universe: 'third_party',
      unlabelledSample: 200,
    };
    const first = await marketer('/v1/lookalike-models', body);
    expect(first.status).toBe(202);
    const second = await marketer('/v1/lookalike-models', body, { 'accept-language': 'ja' });
    expect(second.status).toBe(429);
    const p = (await problemOf(second)) as unknown as Record<string, unknown>;
    expect(p.type).toBe('https://lookalike.dev/problems/quota-exceeded');
    expect(p.title).toBe('利用上限に達しました');
    expect(p.detail).toBe(
      'このキーではすでに1件の学習が実行中です（同時に1件まで）。終わるまでお待ちいただくか、取り消してください。',
    );
    expect(p.detailEn).toMatch(
      /already has 1 lookalike.train job\(s\) queued or running; the quota is 1 at a time/,
    );
    await api.finish(first, 'marketer');
  });
});

describe('condition values from the data', () => {
  it('lists each field with Japanese labels and counts equal to the tables', async () => {
    const res = await marketer('/v1/condition-values');
    expect(res.status).toBe(200);
    const { fields } = (await res.json()) as {
      fields: {
        field: string;
        label: { ja: string };
        values: { value: string; label: { ja: string; en: string }; people: number }[];
      }[];
    };
    expect(fields.map((f) => [f.field, f.label.ja])).toEqual([
      ['gender', '性別'],
      ['age_band', '年代'],
      ['region', '地域（都道府県）'],
      ['interest', '興味関心'],
    ]);
    const byField = Object.fromEntries(fields.map((f) => [f.field, f.values]));
    const thirties = byField.age_band!.find((v) => v.value === '30s')!;
    const female = byField.gender!.find((v) => v.value === 'female')!;
    const tokyo = byField.region!.find((v) => v.value === '東京都')!;
    const cooking = byField.interest!.find((v) => v.value === 'cooking')!;
    expect([thirties.label.ja, female.label.ja, tokyo.label.ja, cooking.label.ja]).toEqual([
      '30代',
      '女性',
      '東京都',
      '料理・レシピ',
    ]);
    const [counts] = await api.s.ws.db.rows<Record<string, number>>(
      `SELECT (SELECT count(*) FROM tp_profiles WHERE age_band = '30s') AS a,
              (SELECT count(*) FROM tp_profiles WHERE gender = 'female') AS g,
              (SELECT count(*) FROM tp_profiles WHERE region = '東京都') AS r,
              (SELECT count(DISTINCT tp_id) FROM tp_interests WHERE category = 'cooking') AS i`,
    );
    expect([thirties.people, female.people, tokyo.people, cooking.people]).toEqual(
      [counts!.a, counts!.g, counts!.r, counts!.i].map(Number),
    );
    // Prefectures in JIS order: 北海道 before 東京都 before 沖縄県 (when present).
    const regions = byField.region!.map((v) => v.value);
    expect(regions.indexOf('東京都')).toBeGreaterThan(regions.indexOf('北海道'));
    const one = await marketer('/v1/condition-values?field=age_band');
    expect(((await one.json()) as { fields: unknown[] }).fields).toHaveLength(1);
    expect((await marketer('/v1/condition-values?field=colour')).status).toBe(422);
    expect((await api.call('/v1/condition-values', { key: 'ad_platform' })).status).toBe(403);
  });
});

interface Plan {
  full: { size: number; expectedPrecision: number; audience: { size: number } };
  plan: {
    size: number;
    rungs: number[];
    changes: { labelJa: string }[];
    audience: { size: number; expectedPrecision: number };
  };
  reached: boolean;
  readings: { field: string; typed: string; value: string }[];
  conditions: unknown[];
  steps: { size: number; sizeGain: number; precisionCost: number; expectedPrecision: number }[];
  reach: { alone: number; withoutIt: number; labelJa: string }[];
  partialPlans: { rungs: number[]; size: number }[];
  explanation: { en: string; ja: string };
}

const relax = async (conditions: unknown[], targetSize: number, headers: Record<string, string> = {}) =>
  marketer('/v1/audiences/relaxations', { modelId, conditions, targetSize }, headers);

describe('Japanese values in conditions', () => {
  it('reads 30代, 女性, 東京 and 料理 as the stored codes: the same plan as the codes, never a silent zero', async () => {
    const said = await relax(SAID, 300);
    expect(said.status).toBe(200);
    const a = (await said.json()) as Plan;
    const b = (await (await relax(STORED, 300)).json()) as Plan;
    expect(a.full.size).toBeGreaterThan(0);
    expect(a.full).toEqual(b.full);
    expect(a.plan).toEqual(b.plan);
    expect(a.conditions).toEqual(STORED);
    expect(a.readings).toEqual([
      { field: 'conditions[0].values[0]', typed: '30代', value: '30s' },
      { field: 'conditions[1].values[0]', typed: '女性', value: 'female' },
      { field: 'conditions[2].values[0]', typed: '東京', value: '東京都' },
      { field: 'conditions[3].category', typed: '料理', value: 'cooking' },
    ]);
    expect(b.readings).toEqual([]);
  });

  it('refuses a value the data does not hold with 422 naming the accepted values, in Japanese when asked', async () => {
    const bad = await relax([{ kind: 'region', values: ['東京市'] }], 300, { 'accept-language': 'ja' });
    expect(bad.status).toBe(422);
    const p = (await problemOf(bad)) as unknown as {
      field: string;
      title: string;
      detail: string;
      detailEn: string;
      accepted: { value: string; label: string }[];
    };
    expect(p.field).toBe('conditions[0].values[0]');
    expect(p.title).toBe('入力が正しくありません');
    expect(p.detail).toMatch(
      /^conditions\[0\]\.values\[0\]: 「東京市」は地域（都道府県）の値としてデータにありません。使える値: 北海道、/,
    );
    expect(p.detailEn).toMatch(/"東京市" is not a region value of this data; use one of 北海道, /);
    expect(p.accepted.map((x) => x.value)).toContain('東京都');
    const age = await relax([{ kind: 'age_band', values: ['thirties'] }], 300);
    expect(age.status).toBe(422);
    const pa = (await problemOf(age)) as unknown as {
      detail: string;
      accepted: { value: string; label: string }[];
    };
    expect(pa.detail).toMatch(/use one of 10s \(10代\), 20s \(20代\), 30s \(30代\)/);
    // The same request in English: no Japanese detail leaks.
    const en = (await (await relax([{ kind: 'region', values: ['東京市'] }], 300)).json()) as Record<
      string,
      unknown
    >;
    expect(en.title).toBe('invalid input');
    expect(en.detailJa).toBeUndefined();
    expect(en.detailEn).toBeUndefined();
  });
});

describe('relaxation that explains itself', () => {
  it('gives each condition’s reach, the plan as steps, and partial plans when everything must go', async () => {
    const res = await relax(SAID, 6000);
    expect(res.status).toBe(200);
    const r = (await res.json()) as Plan;
    if (process.env.STUDIO_DEBUG)
      console.log(
        JSON.stringify(
          {
            full: r.full,
            plan: r.plan,
            reach: r.reach,
            steps: r.steps,
            partial: r.partialPlans.slice(0, 2),
            ex: r.explanation,
          },
          null,
          1,
        ),
      );
    // Each condition alone equals a relaxation of that condition by itself (an independent run).
    for (const [j, c] of STORED.entries()) {
      const alone = (await (await relax([c], 6000)).json()) as Plan;
      expect(r.reach[j]!.alone).toBe(alone.full.size);
    }
    // The steps add up to the plan.
    expect(r.steps.length).toBe(r.plan.changes.length);
    expect(r.steps.at(-1)?.size ?? r.full.size).toBe(r.plan.size);
    let size = r.full.size;
    let precision = r.full.expectedPrecision;
    for (const s of r.steps) {
      expect(s.sizeGain).toBe(s.size - size);
      expect(s.precisionCost).toBeCloseTo(precision - s.expectedPrecision, 12);
      size = s.size;
      precision = s.expectedPrecision;
    }
    // Ladders: 30代 -> 20代・30代・40代 -> dropped; the other three: as given -> dropped.
    const everyDropped = r.plan.rungs.join() === '2,1,1,1';
    if (Math.max(...r.reach.map((x) => x.alone)) < 6000) {
      // No plan keeping a condition can reach 6,000: the plan drops them all, and says why.
      expect(everyDropped).toBe(true);
      expect(r.explanation.ja).toContain('すべての条件を外さないと目標に届きません');
      expect(r.partialPlans.length).toBeGreaterThan(0);
      for (const p of r.partialPlans) expect(p.size).toBeLessThan(6000);
    }
    expect(r.plan.audience.size).toBe(Math.min(r.plan.size, 6000));
  });

  it('explains a plan that keeps conditions, and the plan becomes an audience', async () => {
    const r = (await (await relax(SAID, 200)).json()) as Plan & { planConditions: unknown[] };
    expect(r.reached).toBe(true);
    expect(r.full.size).toBeLessThan(200);
    expect(r.explanation.ja).toContain('目標に届く案のうち精度の低下が最も小さい案です');
    // The plan as conditions: each kept condition as given or loosened, dropped ones left out.
    expect(r.planConditions.length).toBe(r.plan.rungs.filter((v, j) => v < (j === 0 ? 2 : 1)).length);
    const job = await api.finish(
      await marketer('/v1/audiences', {
        modelId,
        id: 'au_studio_plan',
        target: { kind: 'size', size: 200 },
        conditions: r.planConditions,
        needMix: false,
      }),
      'marketer',
    );
    expect(completed(job)).toMatchObject({ size: 200 });
    // Relaxing the plan's own conditions needs no further change.
    const again = (await (await relax(r.planConditions, 200)).json()) as Plan;
    expect(again.full.size).toBe(r.plan.size);
    expect(again.plan.changes).toEqual([]);
  });
});

describe('conditions on audience creation', () => {
  it('creates an audience whose every member meets the conditions (Japanese values accepted)', async () => {
    const conditions = [
      { kind: 'gender', values: ['女性'] },
      { kind: 'interest', category: '料理' },
    ];
    const job = await api.finish(
      await marketer('/v1/audiences', {
        modelId,
        id: 'au_studio_rules',
        target: { kind: 'size', size: 300 },
        conditions,
        needMix: false,
      }),
      'marketer',
    );
    expect(completed(job)).toMatchObject({ audienceId: 'au_studio_rules', size: 300 });
    const a = await loadAudience(api.s.ws, 'au_studio_rules');
    const ids = [...a.members.ids];
    const [check] = await api.s.ws.db.rows<{ ok: number }>(
      `SELECT count(*) AS ok FROM tp_profiles p
       WHERE p.tp_id IN (SELECT unnest(from_json($ids, '["VARCHAR"]')))
         AND p.gender = 'female'
         AND EXISTS (SELECT 1 FROM tp_interests i WHERE i.tp_id = p.tp_id AND i.category = 'cooking' AND i.visits >= 1)`,
      { ids: JSON.stringify(ids) },
    );
    expect(Number(check!.ok)).toBe(300);
    const def = (await (await marketer('/v1/audiences/au_studio_rules/revisions')).json()) as {
      definition: { conditions: unknown[] };
    };
    expect(def.definition.conditions).toEqual([
      { kind: 'gender', values: ['female'] },
      { kind: 'interest', category: 'cooking' },
    ]);
    // Without the conditions the top 300 of the model is a different set.
    const plain = await api.finish(
      await marketer('/v1/audiences', {
        modelId,
        id: 'au_studio_plain',
        target: { kind: 'size', size: 300 },
        needMix: false,
      }),
      'marketer',
    );
    completed(plain);
    const other = await loadAudience(api.s.ws, 'au_studio_plain');
    expect([...other.members.ids]).not.toEqual(ids);
    // What drives it is read from its own members: every one is female, so gender=female is
    // as common in it as 1/(share of women in the universe sample) allows, and male never shows.
    const drivers = (await (
      await marketer('/v1/audiences/au_studio_rules/drivers?top=100&sample=300')
    ).json()) as {
      drivers: { feature: string; prevalence: number }[];
    };
    const female = drivers.drivers.find((d) => /gender.female/.test(d.feature));
    if (female) expect(female.prevalence).toBe(1);
    expect(drivers.drivers.find((d) => /gender.male$/.test(d.feature))?.prevalence ?? 0).toBe(0);
  });

  it('refuses an unknown value before queuing the job', async () => {
    const res = await marketer('/v1/audiences', {
      modelId,
      target: { kind: 'size', size: 300 },
      conditions: [{ kind: 'gender', values: ['女の子?'] }],
    });
    expect(res.status).toBe(422);
    expect((await problemOf(res)).field).toBe('conditions[0].values[0]');
  });
});

describe('need mix of an audience', () => {
  it('reads the stated sample spread over the audience, with intervals and an index against the universe', async () => {
    const job = await api.finish(
      await marketer('/v1/audiences', {
        modelId,
        id: 'au_studio_needs',
        target: { kind: 'size', size: 800 },
        needMix: { themes: ['frozen_food'], sample: 300 },
      }),
      'marketer',
    );
    completed(job);
    const a = (await (await marketer('/v1/audiences/au_studio_needs')).json()) as {
      needMix: Record<
        string,
        {
          tpIds: number;
          tpIdsWithTexts: number;
          sample: { audienceSize: number; ids: number; method: string; withTexts: number };
          universe: { tpIds: number; tpIdsWithTexts: number };
          needs: {
            people: number;
            peopleShare: number;
            peopleShareCi: [number, number];
            universePeopleShare: number | null;
            index: number | null;
          }[];
        }
      > | null;
      needMixReason: string | null;
    };
    expect(a.needMixReason).toBeNull();
    const mix = a.needMix!.frozen_food!;
    expect(mix.sample).toMatchObject({ audienceSize: 800, ids: 300, method: 'spread over the ranking' });
    expect(mix.universe.tpIds).toBe(300);
    expect(mix.tpIdsWithTexts).toBeGreaterThan(0);
    let indexed = 0;
    for (const n of mix.needs) {
      // Wilson 95% interval, computed here from the counts.
      const k = mix.tpIdsWithTexts;
      const p = n.people / k;
      const z = 1.96;
      const c = (p + (z * z) / (2 * k)) / (1 + (z * z) / k);
      const h = (z * Math.sqrt((p * (1 - p)) / k + (z * z) / (4 * k * k))) / (1 + (z * z) / k);
      expect(n.peopleShareCi[0]).toBeCloseTo(Math.max(0, c - h), 9);
      expect(n.peopleShareCi[1]).toBeCloseTo(Math.min(1, c + h), 9);
      if (n.universePeopleShare && n.universePeopleShare > 0) {
        expect(n.index).toBe(Math.round((n.peopleShare / n.universePeopleShare) * 1000) / 10);
        indexed++;
      } else expect(n.index).toBeNull();
    }
    expect(indexed).toBeGreaterThan(0);
  });
});

describe('the solved target before creating', () => {
  it('solves a size on the frontier as the frontier route reads it, and says it in Japanese', async () => {
    const res = await marketer('/v1/audience-previews', { modelId, target: { kind: 'size', size: 1200 } });
    expect(res.status).toBe(200);
    const p = (await res.json()) as {
      size: number;
      expectedPrecision: number;
      ci: [number, number];
      sentence: { ja: string };
    };
    const f = (await (await marketer(`/v1/lookalike-models/${modelId}/frontier?size=1200`)).json()) as {
      points: { size: number; expectedPrecision: number; ci: [number, number] }[];
    };
    expect(p.size).toBe(1200);
    expect(p.expectedPrecision).toBe(f.points[0]!.expectedPrecision);
    expect(p.ci).toEqual(f.points[0]!.ci);
    const r = (x: number) => Math.round(x * 100);
    expect(p.sentence.ja).toBe(
      `約1,200人、推定精度${r(p.expectedPrecision)}%（95%区間 ${r(p.ci[0])}-${r(p.ci[1])}%）`,
    );
    const precise = (await (
      await marketer('/v1/audience-previews', { modelId, target: { kind: 'precision', minPrecision: 0.3 } })
    ).json()) as { size: number; expectedPrecision: number; reached: boolean };
    if (precise.reached) expect(precise.expectedPrecision).toBeGreaterThanOrEqual(0.3);
    expect(
      (
        await api.call('/v1/audience-previews', {
          key: 'ad_platform',
          ...json({ modelId, target: { kind: 'size', size: 500 } }),
        })
      ).status,
    ).toBe(403);
  });
});

describe('problem details in Japanese', () => {
  it('answers Accept-Language: ja with Japanese title and detail, English otherwise', async () => {
    const ja = await api.call('/v1/condition-values', {
      key: null,
      headers: { 'accept-language': 'ja,en;q=0.8' },
    });
    expect(ja.status).toBe(401);
    expect(ja.headers.get('content-language')).toBe('ja');
    const p = (await ja.json()) as Record<string, string>;
    expect(p.title).toBe('認証が必要です');
    expect(p.detail).toBe(
      'APIキーがないか、有効ではありません。「Authorization: Bearer <APIキー>」を送ってください。',
    );
    expect(p.detailEn).toBe('missing Authorization header; send "Authorization: Bearer <API key>"');
    const en = await api.call('/v1/condition-values', {
      key: null,
      headers: { 'accept-language': 'en-US,ja;q=0.5' },
    });
    expect(((await en.json()) as Record<string, string>).title).toBe('unauthorized');
    const forbidden = await api.call('/v1/condition-values', {
      key: 'ad_platform',
      headers: { 'accept-language': 'ja-JP' },
    });
    expect(((await forbidden.json()) as Record<string, string>).detail).toBe(
      'このキー（ad_platform）ではこの操作はできません。必要な権限: marketer、data_scientist',
    );
  });
});
