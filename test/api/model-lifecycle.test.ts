import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LookalikeManifest,
  loadLookalikeModel,
  readCatalogueEntry,
  recordBacktest,
  rowsOfIds,
  scoreCsr,
  scoreProfiles,
  TIE_AUC,
} from '../../src/lookalike/index.ts';
import { deleteModelOp } from '../../src/ops/index.ts';
import { personaMembers } from '../lookalike/helpers.ts';
import { completed, type DomainApi, domainApi, problemOf } from './domain-fixture.ts';
import { json } from './helpers.ts';

let api: DomainApi;
const trainBody = (id: string, randomSeed: number) => ({
  id,
  seed: { kind: 'members', memberIds: personaMembers(api.s, 'busy_family') },
  universe: 'third_party',
  randomSeed,
  unlabelledSample: 2000,
  minSeedSize: 30,
});
async function train(id: string, randomSeed: number): Promise<string> {
  const res = await api.call('/v1/lookalike-models', {
    key: 'data_scientist',
    ...json(trainBody(id, randomSeed)),
  });
  if (res.status !== 202) throw new Error(`training ${id}: ${res.status} ${await res.text()}`);
  return completed(await api.finish(res)).modelId as string;
}

beforeAll(async () => {
  api = await domainApi({ members: 1000, universe: 5000, months: 3 });
  await train('lm_a', 3);
  await train('lm_b', 4);
}, 240_000);
afterAll(() => api?.cleanup());

const compare = async (ids: string[], key = 'data_scientist') =>
  api.call('/v1/lookalike-models/compare', { key, ...json({ ids }) });

interface Compared {
  models: {
    id: string;
    architecture: string;
    tags: string[];
    retrainedFrom: string | null;
    dataFingerprint: string;
    seed: { spec: Record<string, unknown>; matched: number };
    params: { randomSeed: number };
    validation: {
      auc: number;
      candidates: {
        architecture: string;
        validationAuc: number;
        penalty: { grid: number[]; c: number; folds?: number; denseMultiplier?: number } | null;
      }[];
    };
    selection: { chosen: string; rule: string; reason: string; reasonJa: string; tieThreshold: number };
    backtests: unknown[];
    window: { asOf: string | null };
  }[];
  backtestsPooled: {
    share: number;
    cases: number;
    pooled: number;
    ratio: number;
    ci: [number, number];
    q: number;
    tau: number;
  }[];
  differences: string[];
  comparable: boolean;
  bestValidationAuc: string;
  selectionRule: { tieThreshold: number; text: string };
}

/** The rule, computed here from the candidates alone. */
function expectedArchitecture(candidates: LookalikeManifest['candidates']): string {
  const logistic = candidates.find((c) => c.architecture === 'logistic')!;
  const mlp = candidates.find((c) => c.architecture === 'mlp')!;
  const gap = mlp.validationAuc - logistic.validationAuc;
  return gap >= TIE_AUC && gap > mlp.versusLogistic!.se ? 'mlp' : 'logistic';
}

describe('compare, tag, retrain, delete', () => {
  it('compares two models side by side with the seed, data, parameters and the stated architecture rule', async () => {
    const backtest = {
      id: 'bt_1',
      createdAt: '2026-12-06T00:00:00.000Z',
      cutoff: '2026-03-01',
      window: ['2026-03-01', '2026-04-01'] as [string, string],
      metrics: { auc: 0.71, liftAt10: 2.4, baselineLiftAt10: 2.1 },
    };
    await recordBacktest(api.s.ws.artifacts, 'lm_b', backtest);
    const res = await compare(['lm_b', 'lm_a']);
    expect(res.status).toBe(200);
    const c = (await res.json()) as Compared;
    expect(c.models.map((m) => m.backtests)).toEqual([[backtest], []]);
    expect(c.backtestsPooled).toEqual([]); // no backtest carries a lift ratio with its interval
    expect(c.models.map((m) => m.id)).toEqual(['lm_b', 'lm_a']);
    const manifests = await Promise.all(
      ['lm_b', 'lm_a'].map(async (id) => (await loadLookalikeModel(api.s.ws.artifacts, id)).manifest),
    );
    for (const [i, m] of c.models.entries()) {
      const stored: LookalikeManifest = manifests[i]!;
      expect(m.dataFingerprint).toBe(stored.dataFingerprint);
      expect(m.seed.spec).toEqual({
        kind: 'members',
        memberCount: personaMembers(api.s, 'busy_family').length,
      });
      expect(m.seed.matched).toBe(stored.seed.matched);
      expect(m.architecture).toBe(stored.architecture);
      expect(m.architecture).toBe(expectedArchitecture(stored.candidates));
      expect(m.selection.chosen).toBe(stored.architecture);
      expect(m.validation.auc).toBe(
        stored.candidates.find((x) => x.architecture === stored.architecture)!.validationAuc,
      );
      const [log, mlp] = ['logistic', 'mlp'].map((a) => stored.candidates.find((x) => x.architecture === a)!);
      const gap = mlp!.validationAuc - log!.validationAuc;
      // The AUC difference stored with the MLP is the one the rule read, on the same rows.
      expect(mlp!.versusLogistic!.difference).toBeCloseTo(gap, 6);
      expect(mlp!.versusLogistic!.se).toBeGreaterThan(0);
      const rule =
        stored.architecture === 'mlp' || gap <= 0
          ? 'highest_auc'
          : gap < TIE_AUC
            ? 'tie_prefers_logistic'
            : 'within_noise_prefers_logistic';
      expect(m.selection.rule).toBe(rule);
      expect(m.selection.reason).toContain(stored.architecture);
      expect(m.selection.tieThreshold).toBe(TIE_AUC);
    }
    expect(c.models[1]!.params.randomSeed).toBe(3);
    expect(c.differences).toContain('params');
    expect(c.differences).not.toContain('seed');
    expect(c.differences).not.toContain('dataFingerprint');
    expect(c.comparable).toBe(true);
    const best = [...c.models].sort((a, b) => b.validation.auc - a.validation.auc)[0]!.id;
    expect(c.bestValidationAuc).toBe(best);
    expect(c.selectionRule.text).toContain(`less than ${TIE_AUC}`);
  });

  it('refuses a comparison of one model, of a model twice and of an unknown model', async () => {
    expect((await problemOf(await compare(['lm_a']))).field).toBe('ids');
    const twice = await compare(['lm_a', 'lm_a']);
    expect(twice.status).toBe(422);
    expect((await problemOf(twice)).detail).toBe('model "lm_a" is listed twice');
    const unknown = await compare(['lm_a', 'lm_nope']);
    expect(unknown.status).toBe(404);
    expect((await problemOf(unknown)).detail).toContain('lm_nope');
  });

  it('tags models (data scientists), lists them by tag (marketers too)', async () => {
    const tag = (id: string, body: unknown, key = 'data_scientist') =>
      api.call(`/v1/lookalike-models/${id}/tags`, { key, ...json(body) });
    let res = await tag('lm_a', { add: ['production', '本番', 'production'] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 'lm_a', tags: ['production', '本番'] });
    res = await tag('lm_a', { add: ['2026q4'], remove: ['本番', 'absent'] });
    expect(await res.json()).toEqual({ id: 'lm_a', tags: ['2026q4', 'production'] });
    expect((await tag('lm_a', { add: ['bad tag'] })).status).toBe(422);
    expect((await problemOf(await tag('lm_a', { add: ['bad tag'] }))).detail).toContain(
      'tag "bad tag" is not valid',
    );
    expect((await tag('lm_a', {})).status).toBe(422);
    expect((await tag('lm_nope', { add: ['x'] })).status).toBe(404);
    expect((await tag('lm_a', { add: ['x'] }, 'marketer')).status).toBe(403);

    const list = async (query: string) =>
      (
        (await (await api.call(`/v1/lookalike-models${query}`, { key: 'marketer' })).json()) as {
          models: { id: string; tags: string[]; backtests: number; retrainedFrom: string | null }[];
        }
      ).models;
    expect((await list('?tag=production')).map((m) => [m.id, m.tags])).toEqual([
      ['lm_a', ['2026q4', 'production']],
    ]);
    const all = await list('');
    expect(all.map((m) => [m.id, m.backtests, m.retrainedFrom]).sort()).toEqual([
      ['lm_a', 0, null],
      ['lm_b', 1, null],
    ]);
  });

  it("pools the compared models' backtests: our lift over the baseline's at each share", async () => {
    const record = (id: string, metrics: Record<string, number | null>) => ({
      id,
      createdAt: '2026-12-06T00:00:00.000Z',
      metrics,
    });
    await recordBacktest(
      api.s.ws.artifacts,
      'lm_a',
      record('bt_r1', {
        liftRatioAt10: 1.2,
        liftRatioLowAt10: 0.9,
        liftRatioHighAt10: 1.6,
        liftRatioAt20: 1.1,
        liftRatioLowAt20: 0.9,
        liftRatioHighAt20: 1.3,
      }),
    );
    // Unbounded above (recorded as null): counted, not pooled.
    await recordBacktest(
      api.s.ws.artifacts,
      'lm_a',
      record('bt_r2', { liftRatioAt10: 0.5, liftRatioLowAt10: 0.2, liftRatioHighAt10: null }),
    );
    await recordBacktest(
      api.s.ws.artifacts,
      'lm_b',
      record('bt_r3', { liftRatioAt10: 0.95, liftRatioLowAt10: 0.7, liftRatioHighAt10: 1.3 }),
    );
    const c = (await (await compare(['lm_a', 'lm_b'])).json()) as Compared;
    // 20% has one backtest only, so only 10% is pooled. Reference: DerSimonian-Laird computed with
    // numpy from the two bounded intervals (log-scale standard errors from their widths).
    expect(c.backtestsPooled.map((b) => b.share)).toEqual([0.1]);
    const [p] = c.backtestsPooled;
    expect([p!.cases, p!.pooled]).toEqual([3, 2]);
    expect(p!.ratio).toBeCloseTo(1.0754940891945497, 9);
    expect(p!.q).toBeCloseTo(1.174099026807459, 9);
    expect(p!.tau).toBeCloseTo(Math.sqrt(0.0040463413360254784), 9);
  });

  it('retrains a model’s spec as a job: a new model that names its source', async () => {
    expect(
      (await api.call('/v1/lookalike-models/lm_a/retrain', { key: 'marketer', ...json({}) })).status,
    ).toBe(403);
    const same = await api.call('/v1/lookalike-models/lm_a/retrain', {
      key: 'data_scientist',
      ...json({ newId: 'lm_b' }),
    });
    expect(same.status).toBe(409);
    const job = await api.finish(
      await api.call('/v1/lookalike-models/lm_a/retrain', {
        key: 'data_scientist',
        ...json({ newId: 'lm_a2' }),
      }),
    );
    const result = completed(job);
    expect(result.modelId).toBe('lm_a2');
    expect(result.retrainedFrom).toBe('lm_a');
    const c = (await (await compare(['lm_a', 'lm_a2'])).json()) as Compared;
    const [a, a2] = c.models;
    expect(a2!.retrainedFrom).toBe('lm_a');
    expect(a2!.tags).toEqual([]);
    expect(a2!.seed).toEqual(a!.seed);
    expect(a2!.params).toEqual({ ...a!.params });
    // Same spec, same data, same random seed: the same candidates, to the last bit of their AUCs.
    expect(a2!.validation.candidates).toEqual(a!.validation.candidates);
    // Tags belong to a model, not to its spec: the retrained one starts without.
    expect(c.differences).toEqual(['tags']);
  }, 120_000);

  it('retrains a members-universe model as of a later day: the window moves, the spec stays', async () => {
    const rows = await api.s.ws.db.rows("SELECT strftime(max(ts), '%Y-%m-%d') AS last FROM transactions");
    const last = String(rows[0]!.last);
    const day = (offset: number) =>
      new Date(Date.parse(`${last}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
    const res = await api.call('/v1/lookalike-models', {
      key: 'data_scientist',
      ...json({
        id: 'lm_m',
        seed: { kind: 'top_value', share: 0.15 },
        universe: 'members',
        asOf: day(-30),
        unlabelledSample: 600,
        minSeedSize: 30,
      }),
    });
    completed(await api.finish(res));
    const job = await api.finish(
      await api.call('/v1/lookalike-models/lm_m/retrain', {
        key: 'data_scientist',
        ...json({ newId: 'lm_m2', asOf: day(1) }),
      }),
    );
    expect(completed(job).retrainedFrom).toBe('lm_m');
    const c = (await (await compare(['lm_m', 'lm_m2'])).json()) as Compared;
    expect(c.models.map((m) => m.window.asOf)).toEqual([day(-30), day(1)]);
    expect(c.models[1]!.seed.spec).toEqual(c.models[0]!.seed.spec);
    expect(c.differences).toContain('window');
    expect(c.comparable).toBe(false);
    // The members logistic says how its penalty was chosen; the MLP has none.
    for (const m of c.models) {
      const byArch = Object.fromEntries(m.validation.candidates.map((x) => [x.architecture, x.penalty]));
      expect(byArch.logistic).toMatchObject({
        grid: [0.01, 0.03, 0.1, 0.3, 1],
        folds: 5,
        denseMultiplier: 10,
      });
      expect(byArch.logistic!.grid).toContain(byArch.logistic!.c);
      expect(byArch.mlp).toBeNull();
    }
  }, 120_000);

  it('deletes a model atomically; refuses (409, naming them) while an audience or a job uses it', async () => {
    const created = await api.finish(
      await api.call('/v1/audiences', {
        key: 'marketer',
        ...json({ modelId: 'lm_b', id: 'au_on_b', target: { kind: 'size', size: 300 } }),
      }),
    );
    completed(created);
    expect((await api.call('/v1/lookalike-models/lm_b', { key: 'marketer', method: 'DELETE' })).status).toBe(
      403,
    );
    const busy = await api.call('/v1/lookalike-models/lm_b', { key: 'data_scientist', method: 'DELETE' });
    expect(busy.status).toBe(409);
    const p = (await problemOf(busy)) as { detail: string; audiences?: string[]; jobs?: string[] };
    expect(p.audiences).toEqual(['au_on_b']);
    expect(p.jobs).toEqual([]);
    expect(p.detail).toContain('"au_on_b"');

    // A queued job naming the model blocks it too.
    const ctx = {
      ws: api.s.ws,
      needModelsDir: '',
      progress: () => undefined,
      activeJobs: async () => [
        { id: 'job_q', kind: 'lookalike.retrain', state: 'queued' as const, params: { id: 'lm_a' } },
      ],
    };
    await expect(deleteModelOp.run(ctx, { id: 'lm_a' })).rejects.toThrow(/jobs "job_q" use it/);

    // Fill the scoring and frontier caches with lm_a before it goes.
    const profiles = [{ gender: 'female', age_band: '30s', interests: { baking: 9 } }, { gender: 'male' }];
    const score = () =>
      api.call('/v1/lookalike-models/lm_a/score', { key: 'data_scientist', ...json({ profiles }) });
    const frontier = () => api.call('/v1/lookalike-models/lm_a/frontier?steps=4', { key: 'data_scientist' });
    expect((await score()).status).toBe(200);
    expect((await frontier()).status).toBe(200);
    const oldTop = (
      (await (
        await api.call('/v1/lookalike-models/lm_a/frontier?size=1', { key: 'data_scientist' })
      ).json()) as { points: { threshold: number }[] }
    ).points[0]!.threshold;

    const before = await api.s.ws.artifacts.list('lookalike-models/lm_a/');
    const entry = (await api.s.ws.artifacts.get('lookalike-catalogue/lm_a.json')) === null ? 0 : 1;
    expect(before).toContain('lookalike-models/lm_a/manifest.json');
    const res = await api.call('/v1/lookalike-models/lm_a', { key: 'data_scientist', method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 'lm_a', deleted: true, files: before.length + entry });
    expect(await api.s.ws.artifacts.list('lookalike-models/lm_a/')).toEqual([]);
    expect((await readCatalogueEntry(api.s.ws.artifacts, 'lm_a')).tags).toEqual([]);
    expect((await api.call('/v1/lookalike-models/lm_a', { key: 'marketer' })).status).toBe(404);
    expect(
      (await api.call('/v1/lookalike-models/lm_a', { key: 'data_scientist', method: 'DELETE' })).status,
    ).toBe(404);
    expect((await score()).status).toBe(404);
    expect((await frontier()).status).toBe(404);
    // The id is free again; the new model's scores and frontier are its own, not the cached old ones.
    expect(await train('lm_a', 9)).toBe('lm_a');
    const fresh = await loadLookalikeModel(api.s.ws.artifacts, 'lm_a');
    const { scores } = (await (await score()).json()) as { scores: number[] };
    expect(scores).toEqual([...scoreProfiles(fresh.model, profiles as never)]);
    // The frontier's top threshold is the new model's best score (the scores pull does not cache).
    const top = await api.call('/v1/lookalike-models/lm_a/frontier?size=1', { key: 'data_scientist' });
    const threshold = ((await top.json()) as { points: { threshold: number }[] }).points[0]!.threshold;
    expect(threshold).not.toBe(oldTop);
    const best = parseCsv(
      await (await api.call('/v1/lookalike-models/lm_a/scores?limit=1', { key: 'data_scientist' })).text(),
    );
    expect(Math.abs(best.scores[0]! - threshold)).toBeLessThanOrEqual(5e-7);
  }, 120_000);
});

function parseCsv(text: string): { ids: string[]; scores: number[]; ranks: number[] } {
  const lines = text.trimEnd().split('\n');
  expect(lines[0]).toBe('id,score,rank');
  const rows = lines.slice(1).map((l) => l.split(','));
  return {
    ids: rows.map((r) => r[0]!),
    scores: rows.map((r) => Number(r[1])),
    ranks: rows.map((r) => Number(r[2])),
  };
}

describe('data scientists pull scores', () => {
  it('gives the scored universe as CSV and Arrow: the exact IDs, with the artifact’s scores, best first', async () => {
    const csvRes = await api.call('/v1/lookalike-models/lm_b/scores?format=csv', { key: 'data_scientist' });
    expect(csvRes.status).toBe(200);
    expect(csvRes.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const csv = parseCsv(await csvRes.text());
    const n = Number(csvRes.headers.get('x-total-count'));
    expect(csv.ids.length).toBe(n);
    expect(csv.ranks).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    for (let i = 1; i < n; i++) expect(csv.scores[i]!).toBeLessThanOrEqual(csv.scores[i - 1]!);

    // The universe, independently: unlinked third-party profiles that are not seed rows.
    const loaded = await loadLookalikeModel(api.s.ws.artifacts, 'lm_b');
    const seed = new Set(loaded.exclusions.seedIds);
    const rows = await api.s.ws.db.rows(
      'SELECT tp_id FROM tp_profiles WHERE tp_id NOT IN (SELECT tp_id FROM id_links) ORDER BY tp_id',
    );
    const expected = rows.map((r) => String(r.tp_id)).filter((id) => !seed.has(id));
    expect([...csv.ids].sort()).toEqual(expected);

    // Scores from the artifact's weights, row by row (not through the ranking).
    const { ids, x } = await rowsOfIds(api.s.ws, loaded, expected);
    const direct = scoreCsr(loaded.model, x);
    const byId = new Map(ids.map((id, r) => [id, direct[r]!]));
    // CSV carries 6 decimals: within half a unit of the 6th, plus the Float32 rounding of the score.
    for (const [i, id] of csv.ids.entries())
      expect(Math.abs(csv.scores[i]! - byId.get(id)!)).toBeLessThanOrEqual(5e-7 + 1e-7);

    const arrowRes = await api.call('/v1/lookalike-models/lm_b/scores?format=arrow', {
      key: 'data_scientist',
    });
    expect(arrowRes.headers.get('content-type')).toBe('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(new Uint8Array(await arrowRes.arrayBuffer()));
    expect(table.numRows).toBe(n);
    const aIds = [...table.getChild('id')!].map(String);
    const aScores = table.getChild('score')!.toArray() as Float32Array;
    expect(aIds).toEqual(csv.ids);
    expect([...(table.getChild('rank')!.toArray() as Int32Array)]).toEqual(csv.ranks);
    // Float32 scores; the SIMD logistic function is within 2.4e-7 relative of the double-precision one.
    for (const [i, id] of aIds.entries())
      expect(Math.abs(aScores[i]! - byId.get(id)!)).toBeLessThanOrEqual(3e-7 * byId.get(id)! + 1e-7);
  });

  it('gives the top of the ranking with limit; refuses marketers and ad platforms', async () => {
    const full = parseCsv(
      await (await api.call('/v1/lookalike-models/lm_b/scores', { key: 'data_scientist' })).text(),
    );
    const top = await api.call('/v1/lookalike-models/lm_b/scores?limit=25&format=csv', {
      key: 'data_scientist',
    });
    expect(top.headers.get('x-total-count')).toBe('25');
    expect(parseCsv(await top.text()).ids).toEqual(full.ids.slice(0, 25));
    expect((await api.call('/v1/lookalike-models/lm_b/scores', { key: 'marketer' })).status).toBe(403);
    expect((await api.call('/v1/lookalike-models/lm_b/scores', { key: 'ad_platform' })).status).toBe(403);
    expect((await api.call('/v1/lookalike-models/lm_nope/scores', { key: 'data_scientist' })).status).toBe(
      404,
    );
    expect(
      (await api.call('/v1/lookalike-models/lm_b/scores?format=xlsx', { key: 'data_scientist' })).status,
    ).toBe(422);
  });
});

describe('score pulls and spreadsheets', () => {
  it('neutralises a formula-like ID in CSV, as every export does, and keeps it byte for byte in Arrow', async () => {
    const evil = '=HYPERLINK("http://x","a")';
    await api.s.ws.db.run(
      `INSERT INTO tp_profiles (tp_id, gender, age_band, region) VALUES ('${evil.replaceAll("'", "''")}', 'female', '30s', '東京都')`,
    );
    const csv = await (await api.call('/v1/lookalike-models/lm_b/scores', { key: 'data_scientist' })).text();
    const line = csv.split('\n').find((l) => l.includes('HYPERLINK'))!;
    expect(line.startsWith(`"'=HYPERLINK(""http://x"",""a"")",`)).toBe(true);
    const arrow = tableFromIPC(
      new Uint8Array(
        await (
          await api.call('/v1/lookalike-models/lm_b/scores?format=arrow', { key: 'data_scientist' })
        ).arrayBuffer(),
      ),
    );
    expect([...arrow.getChild('id')!].map(String)).toContain(evil);
  });
});

describe('seed diagnostics', () => {
  const diagnose = async (share: number) => {
    const all = (await api.s.ws.db.rows('SELECT member_id FROM members ORDER BY member_id')).map((r) =>
      String(r.member_id),
    );
    const memberIds = all.slice(0, Math.round(all.length * share));
    const res = await api.call('/v1/lookalike-models/diagnose', {
      key: 'marketer',
      ...json({ seed: { kind: 'members', memberIds }, universe: 'third_party' }),
    });
    expect(res.status).toBe(200);
    const d = (await res.json()) as {
      shareOfMembers: number;
      warnings: { code: string; message: string; messageJa?: string }[];
    };
    expect(d.shareOfMembers).toBe(memberIds.length / all.length);
    return d;
  };

  it('warns in Japanese and English when a seed is over 20% of the members', async () => {
    const d = await diagnose(0.326);
    const pct = `${(d.shareOfMembers * 100).toFixed(1)}%`;
    expect(d.warnings.find((w) => w.code === 'large_share')).toEqual({
      code: 'large_share',
      message: `the seed is ${pct} of all members (over 20%): a lookalike of so many customers separates them little from everyone else; narrow the seed (a segment, a product, a shorter window)`,
      messageJa: `シードが会員全体の${pct}を占めます（20%超）。これほど多くの顧客に似た人は他の人とあまり区別できません。セグメント・商品・期間を絞ってください`,
    });
  });

  it('does not warn at 15%, and says too_broad (not both) over 40%', async () => {
    expect((await diagnose(0.15)).warnings.map((w) => w.code)).not.toContain('large_share');
    const broad = (await diagnose(0.5)).warnings.map((w) => w.code);
    expect(broad).toContain('too_broad');
    expect(broad).not.toContain('large_share');
  });
});
