import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, type Workspace } from './fixture.ts';

function digests(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

describe('sample workspace determinism', () => {
  let a: Workspace;
  let b: Workspace;
  let c: Workspace;
  beforeAll(async () => {
    a = await makeWorkspace({ seed: 7 });
    b = await makeWorkspace({ seed: 7 });
    c = await makeWorkspace({ seed: 8 });
  });
  afterAll(() => {
    for (const w of [a, b, c]) w?.cleanup();
  });

  it('writes exactly the tables, truth files and manifest, with no temporary files left', () => {
    expect(Object.keys(digests(a.dir)).sort()).toEqual(
      [
        'manifest.json',
        ...[
          'actions',
          'consents',
          'id_links',
          'members',
          'products',
          'site_visits',
          'stores',
          'texts',
          'tp_interests',
          'tp_profiles',
          'tp_searches',
          'transactions',
        ].map((t) => `tables/${t}.csv`),
        ...[
          'action_texts',
          'community_actors',
          'community_steps',
          'member_persona',
          'text_needs',
          'tp_persona',
        ].map((t) => `truth/${t}.csv`),
      ].sort(),
    );
  });

  it('gives byte-identical files for the same seed and options', () => {
    const da = digests(a.dir);
    const db = digests(b.dir);
    expect(Object.keys(da).length).toBe(19);
    expect(db).toEqual(da);
  });

  it('gives different data for a different seed', () => {
    const da = digests(a.dir);
    const dc = digests(c.dir);
    expect(dc['tables/transactions.csv']).not.toBe(da['tables/transactions.csv']);
    expect(dc['tables/tp_interests.csv']).not.toBe(da['tables/tp_interests.csv']);
    expect(dc['truth/member_persona.csv']).not.toBe(da['truth/member_persona.csv']);
  });

  it('reports row counts that match the files and the manifest', () => {
    const manifest = JSON.parse(readFileSync(join(a.dir, 'manifest.json'), 'utf8'));
    expect(manifest.seed).toBe(7);
    expect(manifest.options).toEqual({ members: 2000, universe: 20_000, months: 6, startDate: '2025-10-01' });
    expect(manifest.personas).toHaveLength(10);
    expect(a.result.personas).toBe(10);
    for (const [name, t] of Object.entries(a.result.tables)) {
      const lines = readFileSync(t.path, 'utf8').split('\n').length - 2; // header and final newline
      expect(lines, name).toBe(t.rows);
      expect(manifest.tables[name].rows, name).toBe(t.rows);
    }
    expect(a.result.tables.members.rows).toBe(2000);
    expect(a.result.tables.tp_profiles.rows).toBe(20_000);
  });
});
