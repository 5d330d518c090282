import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InsufficientDataError, InvalidInputError } from '../../src/schema/index.ts';
import {
  ASSIGNMENTS_TABLE,
  cleanOrphanAssignments,
  listSegmentations,
  loadSegmentation,
  runSegmentation,
  segmentMemberIds,
} from '../../src/segment/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { insertLines, insertRows, type Line, PRODUCTS } from '../features/tiny-workspace.ts';
import { tempWorkspace } from '../helpers/workspace.ts';

/** `members` members, each with 1-4 receipts in January 2026 over the three tiny products. */
function lines(members: number): Line[] {
  const out: Line[] = [];
  for (let i = 0; i < members; i++) {
    const id = `M${String(i).padStart(3, '0')}`;
    for (let r = 0; r <= i % 4; r++) {
      const day = String(1 + ((i * 7 + r * 5) % 28)).padStart(2, '0');
      out.push({
        receipt: `${id}-${r}`,
        member: id,
        ts: `2026-01-${day} ${10 + (i % 10)}:00:00`,
        product: PRODUCTS[(i + r) % 3]!.product_id,
        qty: 1 + (i % 3),
        price: 100 + 10 * (i % 5),
      });
    }
  }
  return out;
}

async function nothingWritten(ws: Workspace): Promise<void> {
  expect(await listSegmentations(ws)).toEqual([]);
  expect(await ws.artifacts.list('segmentations/')).toEqual([]);
  const tables = await ws.db.rows(`SELECT 1 FROM duckdb_tables() WHERE table_name = '${ASSIGNMENTS_TABLE}'`);
  const rows = tables.length ? await ws.db.rows(`SELECT * FROM ${ASSIGNMENTS_TABLE}`) : [];
  expect(rows).toEqual([]);
}

describe('segmentation refuses bad input and writes nothing', () => {
  let ws: Workspace;
  let cleanup: () => void;
  beforeEach(async () => {
    ({ ws, cleanup } = await tempWorkspace());
    await insertRows(ws.db, 'products', PRODUCTS);
  });
  afterEach(() => cleanup?.());

  it('an empty workspace', async () => {
    await expect(runSegmentation(ws)).rejects.toThrow(InsufficientDataError);
    await expect(runSegmentation(ws)).rejects.toThrow(
      'the workspace has no member transactions; import transactions with member ids first',
    );
    await nothingWritten(ws);
  });

  it('a workspace with too few members', async () => {
    await insertLines(ws.db, lines(12));
    await expect(runSegmentation(ws)).rejects.toThrow(
      'a segmentation needs at least 30 members with purchases before 2026-01-28; the workspace has 12',
    );
    await nothingWritten(ws);
  });

  it('k larger than the number of members', async () => {
    await insertLines(ws.db, lines(40));
    await expect(runSegmentation(ws, { k: 41 })).rejects.toThrow(
      new InvalidInputError('k (41) is larger than the number of members with purchases (40)', 'k'),
    );
    await expect(runSegmentation(ws, { kRange: [5, 8] })).rejects.toThrow(
      'choosing k from 5 needs at least 50 members (10 per segment); the workspace has 40',
    );
    await nothingWritten(ws);
  });

  it('an as-of date before all data', async () => {
    await insertLines(ws.db, lines(40));
    await expect(runSegmentation(ws, { asOf: '2025-06-01' })).rejects.toThrow(
      'no member transactions before asOf 2025-06-01: the data starts on 2026-01-01',
    );
    await expect(runSegmentation(ws, { asOf: '01/06/2026' })).rejects.toThrow(InvalidInputError);
    await nothingWritten(ws);
  });

  it('malformed options', async () => {
    await insertLines(ws.db, lines(40));
    await expect(runSegmentation(ws, { k: 1 })).rejects.toThrow('k must be a whole number >= 2, got 1');
    await expect(runSegmentation(ws, { kRange: [6, 3] })).rejects.toThrow('kRange must be [min, max]');
    await expect(runSegmentation(ws, { seed: 1.5 })).rejects.toThrow('seed must be an integer, got 1.5');
    await nothingWritten(ws);
  });

  it('a failure after the rows were written removes them', async () => {
    await insertLines(ws.db, lines(60));
    const progress = (_f: number, msg: string) => {
      if (msg === 'publishing') throw new Error('disk full');
    };
    await expect(runSegmentation(ws, { k: 3 }, { progress })).rejects.toThrow('disk full');
    await nothingWritten(ws);
  });

  it('a failing off-thread fit', async () => {
    await insertLines(ws.db, lines(60));
    await expect(
      runSegmentation(ws, { k: 3 }, { runKmeans: () => Promise.reject(new Error('worker crashed')) }),
    ).rejects.toThrow('worker crashed');
    await nothingWritten(ws);
  });

  it('readers report a missing segmentation or segment by name', async () => {
    await insertLines(ws.db, lines(60));
    await expect(loadSegmentation(ws, 'sgm_nope')).rejects.toThrow('segmentation "sgm_nope" does not exist');
    const m = await runSegmentation(ws, { k: 3 });
    await expect(segmentMemberIds(ws, m.id, 'seg_09')).rejects.toThrow(
      `segment "seg_09" does not exist; segmentation ${m.id} has seg_01, seg_02, seg_03`,
    );
    expect((await segmentMemberIds(ws, m.id, 'seg_01')).length).toBe(m.segments[0]!.size);
  });

  it('orphan rows (rows without a manifest) are cleaned', async () => {
    await insertLines(ws.db, lines(60));
    const m = await runSegmentation(ws, { k: 3 });
    await ws.db.run(
      `INSERT INTO ${ASSIGNMENTS_TABLE} VALUES ('sgm_crashed_run', 'M000', 'seg_01', false, 'low', 'low')`,
    );
    expect(await cleanOrphanAssignments(ws)).toEqual(['sgm_crashed_run']);
    const ids = await ws.db.rows<{ id: string }>(
      `SELECT DISTINCT segmentation_id AS id FROM ${ASSIGNMENTS_TABLE}`,
    );
    expect(ids).toEqual([{ id: m.id }]);
  });
});
