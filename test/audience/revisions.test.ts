import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentedRows } from '../../src/audience/consent.ts';
import {
  audienceDefinition,
  audienceOverlap,
  audienceRevisions,
  createAudience,
  isDue,
  listAudiences,
  loadAudience,
  readDefinition,
  refreshAudience,
  writeDefinition,
} from '../../src/audience/index.ts';
import { importTable } from '../../src/ingest/index.ts';
import { trainLookalike } from '../../src/lookalike/index.ts';
import { ConflictError, InsufficientDataError, InvalidInputError } from '../../src/schema/index.ts';
import { tempWorkspace } from '../helpers/workspace.ts';
import { personaMembers, type SampleWs, sampleWorkspace } from '../lookalike/helpers.ts';

let s: SampleWs;
let modelId: string;

beforeAll(async () => {
  s = await sampleWorkspace({ members: 1500, universe: 12_000, months: 4, seed: 21 });
  const m = await trainLookalike(s.ws, {
    seed: { kind: 'members', memberIds: personaMembers(s, 'busy_family') },
    universe: 'third_party',
    backend: 'wasm',
    randomSeed: 3,
    unlabelledSample: 4000,
    bootstrap: 60,
  });
  modelId = m.id;
});
afterAll(() => s?.cleanup());

const idsOf = async (id: string, revision?: number) =>
  new Set((await loadAudience(s.ws, id, revision)).members.ids);

describe('refreshing an audience', () => {
  it('publishes revision 2 from the definition on new data, and records it', async () => {
    const created = await createAudience(s.ws, {
      modelId,
      id: 'au_r',
      target: { kind: 'size', size: 800 },
      needMix: false,
      reachLock: { tolerance: 0.1 },
      retention: { keep: 2 },
      schedule: { everyHours: 24 },
    });
    expect(created.manifest.revision).toBe(1);
    const def = (await readDefinition(s.ws.artifacts, 'au_r'))!;
    expect(def).toMatchObject({
      modelId,
      target: { kind: 'size', size: 800 },
      reachLock: { min: 720, max: 880 },
      retention: { keep: 2 },
      schedule: { everyHours: 24 },
      lastRefresh: { revision: 1, error: null, trigger: 'create' },
    });
    const next = Date.parse(def.schedule!.nextRefreshAt);
    expect(isDue(def, new Date(next - 1000))).toBe(false);
    expect(isDue(def, new Date(next))).toBe(true);

    // Fifty of the audience's people leave the third-party universe.
    const gone = created.members.ids.slice(100, 150);
    await s.ws.db.run(`DELETE FROM tp_profiles WHERE tp_id IN (${gone.map((g) => `'${g}'`).join(',')})`);
    const refreshed = await refreshAudience(s.ws, 'au_r', { trigger: 'on_demand' });
    expect(refreshed.manifest).toMatchObject({ revision: 2, size: 800, trigger: 'on_demand' });
    expect(await audienceRevisions(s.ws.artifacts, 'au_r')).toEqual([1, 2]);
    const before = await idsOf('au_r', 1);
    const after = await idsOf('au_r', 2);
    expect(gone.filter((g) => after.has(g))).toEqual([]);
    const removed = [...before].filter((x) => !after.has(x));
    const added = [...after].filter((x) => !before.has(x));
    expect(removed.sort()).toEqual([...gone].sort());
    expect(added.length).toBe(50);
    const def2 = (await readDefinition(s.ws.artifacts, 'au_r'))!;
    expect(def2.lastRefresh).toMatchObject({ revision: 2, error: null, trigger: 'on_demand' });
    expect(Date.parse(def2.schedule!.nextRefreshAt)).toBeGreaterThanOrEqual(next);
  });

  it('holds the size inside the reach lock and keeps only the retained revisions', async () => {
    const def = await audienceDefinition(s.ws.artifacts, 'au_r');
    await writeDefinition(s.ws.artifacts, { ...def, target: { kind: 'size', size: 3000 } });
    const held = await refreshAudience(s.ws, 'au_r', { trigger: 'schedule' });
    expect(held.manifest.size).toBe(880);
    expect(held.manifest.reachLock).toEqual({ min: 720, max: 880, targetSize: 3000, held: true });
    expect(held.manifest.note).toContain(
      'the reach lock [720, 880] held the size at 880 (the target alone gave 3000)',
    );
    // keep: 2 -> revision 1 (the files at the audience's root) is gone, the audience is not.
    expect(await audienceRevisions(s.ws.artifacts, 'au_r')).toEqual([2, 3]);
    expect(await s.ws.artifacts.get('audiences/au_r/manifest.json')).toBeNull();
    expect(await s.ws.artifacts.get('audiences/au_r/members.arrow')).toBeNull();
    expect(await s.ws.artifacts.list('audiences/au_r/sorted/')).toEqual([]);
    expect((await listAudiences(s.ws)).find((a) => a.id === 'au_r')?.revision).toBe(3);
    expect((await loadAudience(s.ws, 'au_r')).manifest.revision).toBe(3);
  });

  it('records a failed refresh on the definition and publishes nothing', async () => {
    const def = await audienceDefinition(s.ws.artifacts, 'au_r');
    await writeDefinition(s.ws.artifacts, { ...def, reachLock: null, minSize: 20_000 });
    await expect(refreshAudience(s.ws, 'au_r', { trigger: 'schedule' })).rejects.toBeInstanceOf(
      InsufficientDataError,
    );
    const after = (await readDefinition(s.ws.artifacts, 'au_r'))!;
    expect(after.lastRefresh).toMatchObject({ revision: null, trigger: 'schedule' });
    expect(after.lastRefresh!.error).toMatch(/below the minimum release size of 20000/);
    expect(await audienceRevisions(s.ws.artifacts, 'au_r')).toEqual([2, 3]);
  });

  it('refuses an existing id (409: refresh instead) and a malformed condition', async () => {
    await expect(
      createAudience(s.ws, { modelId, id: 'au_r', target: { kind: 'size', size: 500 } }),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(
      createAudience(s.ws, {
        modelId,
        target: { kind: 'size', size: 500 },
        conditions: [{ kind: 'gender', values: [] }],
      }),
    ).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe('overlap', () => {
  it('counts pairs and exclusive combinations exactly as independent set arithmetic does', async () => {
    await createAudience(s.ws, { modelId, id: 'au_o1', target: { kind: 'size', size: 600 }, needMix: false });
    await createAudience(s.ws, {
      modelId,
      id: 'au_o2',
      target: { kind: 'size', size: 1500 },
      needMix: false,
    });
    const top = (await loadAudience(s.ws, 'au_o2')).members.ids;
    await createAudience(s.ws, {
      modelId,
      id: 'au_o3',
      target: { kind: 'size', size: 1000 },
      exclusions: { ids: top.slice(300, 900) },
      needMix: false,
    });
    const sets = await Promise.all(['au_o1', 'au_o2', 'au_o3'].map((id) => idsOf(id)));
    const r = await audienceOverlap(s.ws.artifacts, [{ id: 'au_o1' }, { id: 'au_o2' }, { id: 'au_o3' }]);
    const names = ['au_o1', 'au_o2', 'au_o3'];
    const all = new Set(sets.flatMap((x) => [...x]));
    expect(r.union).toBe(all.size);
    expect(r.audiences.map((a) => a.size)).toEqual(sets.map((x) => x.size));
    for (const p of r.pairs) {
      const a = sets[names.indexOf(p.a)]!;
      const b = sets[names.indexOf(p.b)]!;
      const both = [...a].filter((x) => b.has(x)).length;
      expect(p.intersection).toBe(both);
      expect(p.jaccard).toBeCloseTo(both / new Set([...a, ...b]).size, 12);
      expect(p.shareOfA).toBeCloseTo(both / a.size, 12);
    }
    // UpSet: every person is in exactly one combination.
    const exclusive = new Map<string, number>();
    for (const id of all) {
      const key = names.filter((_, i) => sets[i]!.has(id)).join('+');
      exclusive.set(key, (exclusive.get(key) ?? 0) + 1);
    }
    expect(new Map(r.combinations.map((c) => [c.audiences.join('+'), c.exclusive]))).toEqual(exclusive);
    expect(r.inAll).toBe(exclusive.get(names.join('+')) ?? 0);
    expect(r.combinations.reduce((sum, c) => sum + c.exclusive, 0)).toBe(all.size);
  });

  it('refuses one audience, a repeated one, and unknown ones', async () => {
    await expect(audienceOverlap(s.ws.artifacts, [{ id: 'au_o1' }])).rejects.toThrow(/give 2 to 8 audiences/);
    await expect(audienceOverlap(s.ws.artifacts, [{ id: 'au_o1' }, { id: 'au_o1' }])).rejects.toThrow(
      'audience "au_o1" is named twice',
    );
    await expect(audienceOverlap(s.ws.artifacts, [{ id: 'au_o1' }, { id: 'au_nope' }])).rejects.toThrow(
      'audience "au_nope" does not exist',
    );
  });
});

describe('consent', () => {
  it('keeps members who granted every purpose (a newer decision imported as upsert wins) and third-party IDs of members who did not refuse', async () => {
    const { ws, cleanup } = await tempWorkspace();
    const dir = mkdtempSync(join(tmpdir(), 'consents-'));
    // Decisions arrive as files; the table keeps one row per member and purpose, and a later
    // decision replaces the earlier one through an upsert import (the keyed table's only path).
    const importConsents = async (name: string, lines: string[], mode: 'append' | 'upsert') => {
      const path = join(dir, name);
      writeFileSync(path, `member_id,purpose,granted,updated_at\n${lines.join('\n')}\n`);
      const report = await importTable(ws, { table: 'consents', source: { kind: 'file', path }, mode });
      expect(report.rejected).toBe(0);
      return report;
    };
    try {
      await importConsents(
        'january.csv',
        [
          'M1,ad_targeting,true,2026-01-01',
          'M1,third_party_sharing,true,2026-01-01',
          'M2,ad_targeting,true,2026-01-01',
          'M3,ad_targeting,false,2026-01-01',
          'M4,ad_targeting,true,',
        ],
        'append',
      );
      // M1's refusal is dated before the grant already stored: a late file must not undo it.
      const march = await importConsents(
        'march.csv',
        [
          'M2,ad_targeting,false,2026-03-01',
          'M3,ad_targeting,true,2026-02-01',
          'M1,ad_targeting,false,2025-12-01',
        ],
        'upsert',
      );
      expect([march.accepted, march.rejected, march.duplicatesSkipped]).toEqual([2, 0, 1]);
      const skipped = await ws.db.rows<{ reason: string }>(
        'SELECT reason FROM _quarantine WHERE import_id = $1',
        [march.importId],
      );
      expect(skipped.map((r) => r.reason)).toEqual([
        'key (member_id=M1, purpose=ad_targeting) is stored with a later updated_at than this row: skipped, the stored row was kept',
      ]);
      expect(
        await ws.db.rows<{ member_id: string; granted: boolean }>(
          `SELECT member_id, granted FROM consents WHERE purpose = 'ad_targeting' ORDER BY member_id`,
        ),
      ).toEqual([
        { member_id: 'M1', granted: true },
        { member_id: 'M2', granted: false },
        { member_id: 'M3', granted: true },
        { member_id: 'M4', granted: true },
      ]);
      await ws.db.run(
        `INSERT INTO id_links (member_id, tp_id) VALUES ('M2', 'tp_2'), ('M3', 'tp_3'), ('M9', 'tp_9')`,
      );
      const stage = async (ids: string[]) => {
        await ws.db.run('CREATE OR REPLACE TABLE staged (id VARCHAR, r BIGINT)');
        await ws.db.run(`INSERT INTO staged VALUES ${ids.map((id, r) => `('${id}', ${r})`).join(', ')}`);
      };
      await stage(['M1', 'M2', 'M3', 'M4', 'M5']);
      const one = await consentedRows(ws.db, 'staged', 5, 'member', ['ad_targeting']);
      expect([...one.eligible]).toEqual([1, 0, 1, 1, 0]);
      expect(one.excluded).toBe(2);
      const both = await consentedRows(ws.db, 'staged', 5, 'member', ['ad_targeting', 'third_party_sharing']);
      expect([...both.eligible]).toEqual([1, 0, 0, 0, 0]);
      expect(both.excluded).toBe(4);
      await stage(['tp_1', 'tp_2', 'tp_3', 'tp_9']);
      const tp = await consentedRows(ws.db, 'staged', 4, 'third_party', ['ad_targeting']);
      expect([...tp.eligible]).toEqual([1, 0, 1, 1]);
      expect(tp.excluded).toBe(1);
    } finally {
      cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
