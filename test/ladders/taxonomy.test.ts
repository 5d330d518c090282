/**
 * The action taxonomy: the shipped file is valid, bad taxonomies are refused with the offending
 * field, and the SQL rule matcher agrees with a plain first-match reading of the rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTaxonomy, DEFAULT_TAXONOMY, readActionLog } from '../../src/ladders/index.ts';
import { ruleNumberSql, type TaxonomyRule } from '../../src/ladders/taxonomy.ts';
import type { Workspace } from '../../src/store/index.ts';
import { insertRows } from '../features/tiny-workspace.ts';
import { tempWorkspace } from '../helpers/workspace.ts';

function firstMatch(
  rules: readonly TaxonomyRule[],
  place: string,
  type: string,
  target: string | null,
): number {
  return rules.findIndex(
    (r) =>
      (r.place === '*' || r.place === place) &&
      (r.actionType === '*' || r.actionType === type) &&
      (r.targetKind === '*' || r.targetKind === target),
  );
}

describe('taxonomy', () => {
  it('ships a valid default with Japanese labels for every index', () => {
    expect(DEFAULT_TAXONOMY.indices.contribution.ja).toBe('貢献度');
    expect(DEFAULT_TAXONOMY.indices.support.ja).toBe('応援度');
    expect(DEFAULT_TAXONOMY.rules.some((r) => r.substantive)).toBe(true);
  });

  it('refuses a bad taxonomy naming the field', () => {
    const bad = (patch: Record<string, unknown>) => () => checkTaxonomy({ ...DEFAULT_TAXONOMY, ...patch });
    expect(bad({ rules: [] })).toThrow('taxonomy.rules must be a list of 1 to 2000 rules');
    expect(bad({ rules: [{ place: '*', actionType: 'like', targetKind: '*', index: 'fame' }] })).toThrow(
      'taxonomy.rules.0.index must be one of support, affinity, interaction, contribution or null, got "fame"',
    );
    expect(bad({ rules: [{ place: 'a b', actionType: 'like', targetKind: '*', index: null }] })).toThrow(
      'taxonomy.rules.0.place must be a code or "*"',
    );
    expect(
      bad({
        rules: [
          { place: '*', actionType: '*', targetKind: '*', index: null, substantive: { otherwise: null } },
        ],
      }),
    ).toThrow('taxonomy.rules.0.substantive needs an index');
    const { contribution: _, ...three } = DEFAULT_TAXONOMY.indices;
    expect(bad({ indices: three })).toThrow('taxonomy.indices.contribution is missing');
    try {
      bad({ rules: [{ place: '*', actionType: 'like', targetKind: '*', index: 'fame' }] })();
    } catch (e) {
      expect((e as { field?: string }).field).toBe('taxonomy.rules.0.index');
    }
  });
});

describe('rule matching in SQL', () => {
  let ws: Workspace;
  let cleanup: () => void;
  const kinds: [string, string, string | null][] = [];
  beforeAll(async () => {
    const t = await tempWorkspace();
    ws = t.ws;
    cleanup = t.cleanup;
    const places = ['qa', 'reviews', 'company_blog', 'user_blog', 'ideas', 'events', 'shop'];
    const types = ['like', 'comment', 'answer', 'post', 'view', 'follow', 'entry', 'share', 'report'];
    const targets = ['question', 'product', 'company_post', 'member', 'idea', null];
    for (const p of places) for (const a of types) for (const k of targets) kinds.push([p, a, k]);
    await insertRows(
      ws.db,
      'actions',
      kinds.map(([place, action_type, target_kind], i) => ({
        action_id: `A${i}`,
        actor_id: `M${i % 7}`,
        actor_kind: 'member',
        ts: '2026-01-05 10:00:00',
        place,
        action_type,
        target_kind,
        responses: 0,
      })),
    );
  });
  afterAll(() => cleanup?.());

  it('gives every action the first rule it matches, or none', async () => {
    const rows = await ws.db.rows<{ action_id: string; rule: number }>(
      `SELECT a.action_id, ${ruleNumberSql(DEFAULT_TAXONOMY)} AS rule FROM actions a`,
    );
    const byId = new Map(rows.map((r) => [r.action_id, r.rule]));
    kinds.forEach(([p, a, k], i) => {
      expect(byId.get(`A${i}`), `${p}/${a}/${k}`).toBe(firstMatch(DEFAULT_TAXONOMY.rules, p, a, k));
    });
  });

  it('reports actions no rule matched', async () => {
    const log = await readActionLog(ws.db, DEFAULT_TAXONOMY, '2026-02-01');
    const unmatched = kinds.filter(([p, a, k]) => firstMatch(DEFAULT_TAXONOMY.rules, p, a, k) < 0).length;
    expect(log.unclassified.reduce((s, u) => s + u.actions, 0)).toBe(unmatched);
    expect(log.actions).toBe(kinds.length);
    expect(log.unclassified.some((u) => u.actionType === 'report')).toBe(true);
  });
});
