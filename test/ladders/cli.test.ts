/**
 * `lookalike ladder ...` on a small workspace: machine-readable output, one ID per line for seeds,
 * and a one-line reason with a non-zero exit for bad flags.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../src/store/index.ts';
import { insertLines, insertRows, PRODUCTS } from '../features/tiny-workspace.ts';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'lookalike.js');
let home: string;
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, '--home', home, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'ladders-cli-'));
  const ws = await Workspace.open(home);
  await insertRows(ws.db, 'products', PRODUCTS);
  // A: two purchases 200 days apart, 3000 spent: 優良 at a 1000 threshold. B: one purchase.
  await insertLines(ws.db, [
    { receipt: 'R1', member: 'A', ts: '2026-01-05 10:00:00', product: 'P1', qty: 10, price: 100 },
    { receipt: 'R2', member: 'A', ts: '2026-07-24 10:00:00', product: 'P2', qty: 10, price: 200 },
    { receipt: 'R3', member: 'B', ts: '2026-07-01 10:00:00', product: 'P1', qty: 1, price: 100 },
  ]);
  ws.close();
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('ladder commands', () => {
  it('prints CPM classes as JSON and a seed one ID per line', () => {
    const r = cli(
      '--json',
      'ladder',
      'cpm',
      '--as-of',
      '2026-08-01',
      '--spend',
      '1000',
      '--tenure-days',
      '90,180',
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { customers: number; classes: { id: string; members: number }[] };
    expect(out.customers).toBe(2);
    expect(out.classes.find((c) => c.id === 'loyal_active')!.members).toBe(1);
    expect(out.classes.find((c) => c.id === 'first_active')!.members).toBe(1);
    const seed = cli(
      'ladder',
      'members',
      '--as-of',
      '2026-08-01',
      '--cpm',
      '優良・現役',
      '--spend',
      '1000',
      '--tenure-days',
      '90,180',
    );
    expect(seed.status, seed.stderr).toBe(0);
    expect(seed.stdout.trim().split('\n')).toEqual(['A']);
    const tax = cli('ladder', 'taxonomy');
    expect(tax.stdout).toContain('貢献度');
  });

  it('fails with the field and the reason for a bad flag', () => {
    const r = cli('ladder', 'cpm', '--as-of', '2026-08-01', '--tenure-days', '180,90');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('tenureDays');
    const none = cli('ladder', 'members', '--as-of', '2026-08-01');
    expect(none.status).not.toBe(0);
    expect(none.stderr).toContain('name a class');
  });
});
