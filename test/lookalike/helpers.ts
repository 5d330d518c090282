import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importTablesDirectory } from '../../src/ingest/index.ts';
import { type LookalikeModel, loadLookalikeModel, trainLookalike } from '../../src/lookalike/index.ts';
import { type GenerateOptions, generateSampleWorkspace } from '../../src/sample/index.ts';
import { Workspace } from '../../src/store/index.ts';

/** A generated sample workspace, imported, with its ground truth (read only by tests). */
export interface SampleWs {
  ws: Workspace;
  dir: string;
  /** tp_id -> persona, window category and per-persona conversion draws. */
  tpTruth: Map<string, { persona: string; window: string; converted: Record<string, boolean> }>;
  /** member_id -> persona. */
  memberPersona: Map<string, string>;
  cleanup: () => void;
}

export async function sampleWorkspace(options: Partial<Omit<GenerateOptions, 'outDir'>>): Promise<SampleWs> {
  const dir = mkdtempSync(join(tmpdir(), 'lookalike-sample-'));
  await generateSampleWorkspace({ outDir: join(dir, 'sample'), ...options });
  const ws = await Workspace.open(join(dir, 'home'));
  await importTablesDirectory(ws, join(dir, 'sample', 'tables'), { mode: 'replace' });
  const lines = readFileSync(join(dir, 'sample', 'truth', 'tp_persona.csv'), 'utf8')
    .trim()
    .split('\n');
  const header = lines[0]!.split(',');
  const conv = header.flatMap((h, i) => (h.startsWith('converted_') ? [[h.slice(10), i] as const] : []));
  const tpTruth = new Map<string, { persona: string; window: string; converted: Record<string, boolean> }>();
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    tpTruth.set(f[0]!, {
      persona: f[1]!,
      window: f[3]!,
      converted: Object.fromEntries(conv.map(([p, i]) => [p, f[i] === '1'])),
    });
  }
  const memberPersona = new Map(
    readFileSync(join(dir, 'sample', 'truth', 'member_persona.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').slice(0, 2) as [string, string]),
  );
  return {
    ws,
    dir,
    tpTruth,
    memberPersona,
    cleanup: () => {
      ws.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Members of one persona by the truth file. */
export function personaMembers(s: SampleWs, persona: string): string[] {
  return [...s.memberPersona].filter(([, p]) => p === persona).map(([m]) => m);
}

/** Share of `ids` whose truth persona is `persona`. */
export function precisionOf(s: SampleWs, ids: readonly string[], persona: string): number {
  let hit = 0;
  for (const id of ids) if (s.tpTruth.get(id)?.persona === persona) hit++;
  return ids.length ? hit / ids.length : Number.NaN;
}

/** A logistic third-party model seeded with one persona's members (wasm backend), loaded back. */
export async function personaModel(
  s: SampleWs,
  persona: string,
  options: { randomSeed: number; bootstrap: number },
): Promise<LookalikeModel> {
  const trained = await trainLookalike(s.ws, {
    universe: 'third_party',
    backend: 'wasm',
    bootstrap: options.bootstrap,
    architectures: { logistic: {} },
    seed: { kind: 'members', memberIds: personaMembers(s, persona) },
    randomSeed: options.randomSeed,
  });
  return loadLookalikeModel(s.ws.artifacts, trained.id);
}
