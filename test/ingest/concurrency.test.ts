import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importTable } from '../../src/ingest/index.ts';
import { AppError, ImportFileError, RepeatedImportError } from '../../src/schema/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { tempWorkspace } from '../helpers/workspace.ts';

let ws: Workspace;
let dir: string;
let cleanup: () => void;
beforeEach(async () => {
  ({ ws, dir, cleanup } = await tempWorkspace());
});
afterEach(() => cleanup());

function membersFile(name: string, rows: number, prefecture: string): string {
  const lines = ['member_id,prefecture'];
  for (let i = 0; i < rows; i++) lines.push(`M${String(i).padStart(6, '0')},${prefecture}`);
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const file = (path: string) => ({ kind: 'file', path }) as const;
const counts = async () =>
  (
    await ws.db.rows<{ n: number; d: number }>(
      'SELECT count(*) AS n, count(DISTINCT member_id) AS d FROM members',
    )
  )[0];

describe('imports into one table are serialised', () => {
  it('two simultaneous 50,000-row uploads of the same keys: one is imported, the other finds every key taken', async () => {
    const results = await Promise.allSettled([
      importTable(ws, { table: 'members', source: file(membersFile('a.csv', 50_000, '東京都')) }),
      importTable(ws, { table: 'members', source: file(membersFile('b.csv', 50_000, '大阪府')) }),
    ]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBeInstanceOf(ImportFileError);
    expect(String(rejected[0]!.reason.message)).toMatch(
      /50000 of 50000 rows \(100\.0%\) failed validation.*is already in the workspace/,
    );
    expect(await counts()).toEqual({ n: 50_000, d: 50_000 });
    expect(await ws.db.rows('SELECT count(*) AS n FROM _imports')).toEqual([{ n: 1 }]);
  });

  it('the same upload twice at once: the second is refused as a repeat of the first', async () => {
    const path = membersFile('same.csv', 50_000, '東京都');
    const results = await Promise.allSettled([
      importTable(ws, { table: 'members', source: file(path) }),
      importTable(ws, { table: 'members', source: file(path) }),
    ]);
    const [first, second] = results;
    expect(first!.status).toBe('fulfilled');
    expect(second!.status).toBe('rejected');
    expect((second as PromiseRejectedResult).reason).toBeInstanceOf(RepeatedImportError);
    expect(await counts()).toEqual({ n: 50_000, d: 50_000 });
  });

  it('an import waits for the lock on its table, and only on its table', async () => {
    let release!: () => void;
    const held = ws.withTableLock('members', () => new Promise<void>((resolve) => (release = resolve)));
    let membersDone = false;
    const members = importTable(ws, {
      table: 'members',
      source: file(membersFile('m.csv', 10, '東京都')),
    }).then((r) => {
      membersDone = true;
      return r;
    });
    const storesPath = join(dir, 'stores.csv');
    writeFileSync(storesPath, 'store_id,name\nS1,本店\n');
    // Another table imports while members is locked.
    expect(await importTable(ws, { table: 'stores', source: file(storesPath) })).toMatchObject({
      accepted: 1,
    });
    expect(membersDone).toBe(false);
    expect(await counts()).toEqual({ n: 0, d: 0 });
    release();
    await held;
    expect(await members).toMatchObject({ accepted: 10 });
  });

  it('a failed import does not block the ones queued behind it', async () => {
    const results = await Promise.allSettled([
      importTable(ws, { table: 'members', source: file(join(dir, 'missing.csv')) }),
      importTable(ws, { table: 'members', source: file(membersFile('ok.csv', 5, '東京都')) }),
    ]);
    expect(results[0]!.status).toBe('rejected');
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(AppError);
    expect(results[1]).toMatchObject({ status: 'fulfilled', value: { accepted: 5 } });
  });
});
