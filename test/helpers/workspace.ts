import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TABLE_NAMES } from '../../src/schema/index.ts';
import { Workspace } from '../../src/store/index.ts';

export const SHARED_DATA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data');

/** True when `../shared/data/<folder>` exists; tests that need it skip with a message otherwise. */
export function hasSharedData(folder: string): boolean {
  const present = existsSync(join(SHARED_DATA, folder));
  if (!present) console.warn(`skipping: ../shared/data/${folder} is not present`);
  return present;
}

export async function tempWorkspace(): Promise<{ ws: Workspace; dir: string; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'lookalike-test-'));
  const ws = await Workspace.open(dir);
  return {
    ws,
    dir,
    cleanup: () => {
      ws.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Everything a failed import must leave untouched: every table's rows, the quarantine and the log. */
export async function workspaceSnapshot(ws: Workspace): Promise<string> {
  const parts: string[] = [];
  for (const table of [...TABLE_NAMES, '_quarantine', '_imports']) {
    const rows = await ws.db.rows(
      `SELECT md5(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR)) AS h, count(*) AS n FROM "${table}" t`,
    );
    parts.push(`${table}:${rows[0]!.n}:${rows[0]!.h}`);
  }
  return parts.join('\n');
}

export const fixture = (name: string) => join(import.meta.dirname, '..', 'fixtures', 'ingest', name);
