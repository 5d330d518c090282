/**
 * CPM classes and the movement matrix on UCI Online Retail, checked against an independent pandas
 * computation on the raw file (test/ladders/online_retail_cpm.py: no importer, no SQL). Skips with a
 * message when the dataset or pandas under /usr/bin/python3 is absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../src/ingest/index.ts';
import { cpmClasses, cpmMovements } from '../../src/ladders/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { hasSharedData, SHARED_DATA, tempWorkspace } from '../helpers/workspace.ts';

const PYTHON = '/usr/bin/python3';
const DIR = join(SHARED_DATA, 'online-retail');
const hasPandas = (): boolean => {
  if (!existsSync(PYTHON)) {
    console.warn(`skipping: ${PYTHON} is not present`);
    return false;
  }
  const ok = spawnSync(PYTHON, ['-c', 'import pandas, numpy'], { encoding: 'utf8' }).status === 0;
  if (!ok)
    console.warn('skipping: pandas is not installed for /usr/bin/python3 (apt-get install python3-pandas)');
  return ok;
};
const run = hasSharedData('online-retail') && hasPandas();

const THRESHOLDS = { lapseDays: 90, tenureDays: [60, 150] as [number, number], spend: 1000 };
const DAYS = ['2011-06-01', '2011-12-01'] as const;

interface Reference {
  classes: Record<string, Record<string, string>>;
  moves: Record<string, number>;
  autoSpend: number;
  autoSpendRaw: number;
}

describe.runIf(run)('CPM on Online Retail against pandas', () => {
  let ws: Workspace;
  let cleanup: () => void;
  let ref: Reference;
  beforeAll(async () => {
    const t = await tempWorkspace();
    ws = t.ws;
    cleanup = t.cleanup;
    await importDataset(ws, 'online-retail', DIR);
    const out = spawnSync(
      PYTHON,
      [
        join(import.meta.dirname, 'online_retail_cpm.py'),
        join(DIR, 'online_retail.csv.gz'),
        JSON.stringify({ days: DAYS, thresholds: THRESHOLDS, autoSpendDay: DAYS[1] }),
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    if (out.status !== 0) throw new Error(`pandas reference failed: ${out.stderr}`);
    ref = JSON.parse(out.stdout) as Reference;
  });
  afterAll(() => cleanup?.());

  it('puts every customer in the same class on both days', async () => {
    for (const day of DAYS) {
      const r = await cpmClasses(ws.db, { asOf: day }, THRESHOLDS);
      const ours = Object.fromEntries(r.history.memberIds.map((m, i) => [m, r.assigned[i]!]));
      expect(Object.keys(ours).length, day).toBe(Object.keys(ref.classes[day]!).length);
      expect(ours, day).toEqual(ref.classes[day]);
    }
    expect(Object.keys(ref.classes[DAYS[1]]!).length).toBeGreaterThan(4000);
  });

  it('gives the same movement matrix', async () => {
    const m = await cpmMovements(ws.db, { from: DAYS[0], to: DAYS[1] }, THRESHOLDS);
    const ours = Object.fromEntries(m.cells.map((c) => [`${c.from}>${c.to}`, c.members]));
    expect(ours).toEqual(ref.moves);
    expect(m.totals.find((t) => t.kind === 'lapsed')!.members).toBe(
      Object.entries(ref.moves)
        .filter(([k]) => /_active>.*_lapsed$/.test(k))
        .reduce((s, [, n]) => s + n, 0),
    );
  });

  it('reads the same spend threshold from the data', async () => {
    const r = await cpmClasses(ws.db, { asOf: DAYS[1] }, { spend: 'auto' });
    expect(r.thresholds.spend.value).toBe(ref.autoSpend);
    const raw = ref.autoSpendRaw.toLocaleString('en-US', { maximumFractionDigits: 2 });
    expect(r.thresholds.spend.explanation.en).toContain(`(${raw}, `);
  });
});
