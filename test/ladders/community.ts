/**
 * A generated sample with a large brand community (every member joins), its `actions` table
 * imported, and the generator's truth: who walked which planted route, every step and its trigger,
 * which answer and review texts carry content.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importTable } from '../../src/ingest/index.ts';
import { generateSampleWorkspace } from '../../src/sample/index.ts';
import { Workspace } from '../../src/store/index.ts';

export interface Community {
  ws: Workspace;
  dir: string;
  actors: Map<string, { route: string; finalStage: string; impression: boolean; dormantFrom: string }>;
  steps: { actor: string; from: string; to: string; day: string; cause: string; trigger: string }[];
  texts: Map<string, boolean>;
  /** Planted routes and triggers as the manifest lists them. */
  planted: { routes: { route: string; weight: number }[]; triggers: { stage: string; event: string }[] };
  cleanup: () => void;
}

function rows(path: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const cols = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
}

export async function community(
  options: { members?: number; months?: number; seed?: number } = {},
): Promise<Community> {
  const dir = mkdtempSync(join(tmpdir(), 'ladders-community-'));
  const out = join(dir, 'sample');
  const members = options.members ?? 3000;
  await generateSampleWorkspace({
    outDir: out,
    members,
    universe: members * 2,
    months: options.months ?? 12,
    seed: options.seed ?? 5,
    communityShare: 1,
  });
  const ws = await Workspace.open(join(dir, 'home'));
  for (const table of ['actions', 'id_links'] as const)
    await importTable(ws, {
      table,
      source: { kind: 'file', path: join(out, 'tables', `${table}.csv`) },
      mode: 'replace',
    });
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
    community: Community['planted'];
  };
  return {
    ws,
    dir,
    actors: new Map(
      rows(join(out, 'truth', 'community_actors.csv')).map((r) => [
        r.actor_id!,
        {
          route: r.route!,
          finalStage: r.final_stage!,
          impression: r.impression_answerer === '1',
          dormantFrom: r.dormant_from!,
        },
      ]),
    ),
    steps: rows(join(out, 'truth', 'community_steps.csv')).map((r) => ({
      actor: r.actor_id!,
      from: r.from_stage!,
      to: r.to_stage!,
      day: r.day!,
      cause: r.cause!,
      trigger: r.trigger_event!,
    })),
    texts: new Map(
      rows(join(out, 'truth', 'action_texts.csv')).map((r) => [r.action_id!, r.substantive === '1']),
    ),
    planted: manifest.community,
    cleanup: () => {
      ws.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The planted stage of each actor on a day (data before it): its latest step, none once dormant. */
export function plantedStatus(c: Community, actor: string, day: string): string {
  const a = c.actors.get(actor);
  if (!a) return 'none';
  if (a.dormantFrom && a.dormantFrom < day) return 'none';
  let stage = 'none';
  for (const s of stepsOf(c).get(actor) ?? []) if (s.day < day) stage = s.to;
  return stage;
}

const grouped = new WeakMap<Community, Map<string, Community['steps']>>();
function stepsOf(c: Community): Map<string, Community['steps']> {
  let m = grouped.get(c);
  if (!m) {
    m = new Map();
    for (const s of c.steps) {
      const list = m.get(s.actor);
      if (list) list.push(s);
      else m.set(s.actor, [s]);
    }
    grouped.set(c, m);
  }
  return m;
}
