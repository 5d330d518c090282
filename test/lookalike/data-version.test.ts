/**
 * The data version snapshots are keyed by: unchanged without writes, changed by every write path
 * to a universe table (imports of any mode, including an upsert that keeps the row count, and
 * direct SQL inserts and deletes), so a snapshot is reused exactly while its data is unchanged.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importTable } from '../../src/ingest/index.ts';
import type { TpFeatureSpec } from '../../src/lookalike/feature-spec.ts';
import { dataVersion, UNIVERSE_TABLES } from '../../src/lookalike/index.ts';
import { ensureSnapshot } from '../../src/scale/index.ts';
import { type SampleWs, sampleWorkspace } from '../lookalike/helpers.ts';

let s: SampleWs;
let spec: TpFeatureSpec;

beforeAll(async () => {
  s = await sampleWorkspace({ members: 200, universe: 900, months: 2, seed: 5 });
  const col = async (sql: string) => (await s.ws.db.columns(sql)).columns[0] as string[];
  spec = {
    kind: 'third_party',
    version: 1,
    genders: await col('SELECT DISTINCT gender FROM tp_profiles WHERE gender IS NOT NULL ORDER BY 1'),
    ageBands: await col('SELECT DISTINCT age_band FROM tp_profiles WHERE age_band IS NOT NULL ORDER BY 1'),
    regions: await col('SELECT DISTINCT region FROM tp_profiles WHERE region IS NOT NULL ORDER BY 1'),
    interests: await col('SELECT DISTINCT category FROM tp_interests ORDER BY 1'),
    terms: [],
    visitCap: 50,
    minTermDf: 1,
  };
});
afterAll(() => s?.cleanup());

const version = async () => (await dataVersion(s.ws.db, 'third_party')).text;

describe('data version', () => {
  it('reads the row count and import log of every universe table', async () => {
    const counts = await Promise.all(
      UNIVERSE_TABLES.third_party.map(
        async (t) => (await s.ws.db.rows<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM ${t}`))[0]!.n,
      ),
    );
    const v = await version();
    const parts = v.split('|').slice(3);
    expect(parts.map((p) => p.split(':').slice(0, 2).join(':'))).toEqual(
      UNIVERSE_TABLES.third_party.map((t, i) => `${t}:${counts[i]}`),
    );
    // The sample import logged one import per table.
    expect(parts.map((p) => p.split(':')[2])).toEqual(['1', '1', '1', '1']);
  });

  it('keeps the snapshot while nothing is written, and rebuilds it after each kind of write', async () => {
    const first = await ensureSnapshot(s.ws, spec, 'third_party', 400);
    expect(first.built).toBe(true);
    const same = await ensureSnapshot(s.ws, spec, 'third_party', 400);
    expect(same.built).toBe(false);
    expect(same.manifest.key).toBe(first.manifest.key);

    // A direct SQL delete (as tests and tools do) changes the count.
    const v0 = await version();
    await s.ws.db.run('DELETE FROM tp_interests WHERE tp_id = (SELECT min(tp_id) FROM tp_interests)');
    const v1 = await version();
    expect(v1).not.toBe(v0);
    const afterDelete = await ensureSnapshot(s.ws, spec, 'third_party', 400);
    expect(afterDelete.built).toBe(true);
    expect(afterDelete.manifest.key).not.toBe(first.manifest.key);
    expect((await ensureSnapshot(s.ws, spec, 'third_party', 400)).built).toBe(false);

    // An upsert that rewrites existing rows keeps every count but is logged.
    const [row] = await s.ws.db.rows<{ tp_id: string; category: string; visits: number }>(
      'SELECT tp_id, category, visits FROM tp_interests ORDER BY tp_id, category LIMIT 1',
    );
    const csv = join(s.dir, 'upsert.csv');
    writeFileSync(csv, `tp_id,category,visits\n${row!.tp_id},${row!.category},${Number(row!.visits) + 3}\n`);
    const before = await s.ws.db.rows<{ n: number }>('SELECT count(*)::INTEGER AS n FROM tp_interests');
    await importTable(s.ws, { table: 'tp_interests', source: { kind: 'file', path: csv }, mode: 'upsert' });
    const after = await s.ws.db.rows<{ n: number }>('SELECT count(*)::INTEGER AS n FROM tp_interests');
    expect(after).toEqual(before);
    const v2 = await version();
    expect(v2).not.toBe(v1);
    const afterUpsert = await ensureSnapshot(s.ws, spec, 'third_party', 400);
    expect(afterUpsert.built).toBe(true);
    expect(afterUpsert.manifest.dataVersion).toBe(v2);

    // Writes to other tables leave the third-party universe's version alone.
    await s.ws.db.run(
      `DELETE FROM transactions WHERE receipt_id = (SELECT min(receipt_id) FROM transactions)`,
    );
    expect(await version()).toBe(v2);
    expect((await ensureSnapshot(s.ws, spec, 'third_party', 400)).built).toBe(false);
  });
});
