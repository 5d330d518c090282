import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importTable } from '../../src/ingest/index.ts';
import { generateSampleWorkspace } from '../../src/sample/index.ts';
import type { TableName } from '../../src/schema/index.ts';
import { Workspace } from '../../src/store/index.ts';

export interface SampleWorkspace {
  ws: Workspace;
  dir: string;
  /** member_id -> planted persona. */
  persona: Map<string, string>;
  /** member_id -> window-shopping interest ('' for none). */
  window: Map<string, string>;
  cleanup: () => void;
}

/**
 * A generated sample workspace with the given tables imported (in dependency order). Sizes are
 * kept small so a test file runs in well under a minute.
 */
export async function sampleWorkspace(options: {
  members: number;
  months: number;
  seed: number;
  universe?: number;
  tables: readonly TableName[];
}): Promise<SampleWorkspace> {
  const dir = mkdtempSync(join(tmpdir(), 'segment-sample-'));
  await generateSampleWorkspace({
    outDir: dir,
    seed: options.seed,
    members: options.members,
    universe: options.universe ?? options.members * 2,
    months: options.months,
  });
  const ws = await Workspace.open(join(dir, 'ws'));
  for (const table of options.tables) {
    await importTable(ws, {
      table,
      source: { kind: 'file', path: join(dir, 'tables', `${table}.csv`) },
      mode: 'replace',
    });
  }
  const truth = readFileSync(join(dir, 'truth', 'member_persona.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  const persona = new Map<string, string>();
  const window = new Map<string, string>();
  for (const line of truth) {
    const [id, p, w] = line.split(',');
    persona.set(id!, p!);
    window.set(id!, w ?? '');
  }
  return {
    ws,
    dir,
    persona,
    window,
    cleanup: () => {
      ws.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
