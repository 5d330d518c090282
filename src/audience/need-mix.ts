/**
 * The need mix of an audience, from the needs layer when it offers one. The needs classifier is
 * optional here: without it (or without texts for the audience) the mix is null with a reason.
 */
import { wilson } from '../enrich/wilson.ts';
import { quoteIdent, type Workspace } from '../store/index.ts';

const DEFAULT_SAMPLE = 5000;
/** 95% intervals. */
const Z = 1.96;

export type NeedMix = Record<string, unknown>;

export interface NeedMixResult {
  needMix: NeedMix | null;
  reason: string | null;
}

interface NeedsLayer {
  defaultNeedFiles: () => unknown;
  listThemes: (files: unknown) => string[];
  workspaceNeedModelsDir: (ws: Workspace) => string;
  /** The one decision of which model serves a theme (workspace's retrained, else shipped). */
  servingClassifier: (
    files: unknown,
    theme: string,
    location: { workspaceModelsDir?: string },
  ) => Promise<{ classifier: unknown }>;
  needMixForTpIds: (
    ws: Workspace,
    classifier: unknown,
    tpIds: readonly string[],
    options?: { pool?: unknown },
  ) => Promise<NeedMix>;
}

/** Resolved once per process; a variable specifier keeps the needs layer optional at build time. */
let layer: Promise<NeedsLayer | null> | null = null;

function loadLayer(): Promise<NeedsLayer | null> {
  if (!layer) {
    const specifier = '../needs/index.ts';
    layer = import(/* @vite-ignore */ specifier).then(
      (mod: Record<string, unknown>) =>
        typeof mod.needMixForTpIds === 'function' &&
        typeof mod.servingClassifier === 'function' &&
        typeof mod.defaultNeedFiles === 'function' &&
        typeof mod.workspaceNeedModelsDir === 'function' &&
        typeof mod.listThemes === 'function'
          ? (mod as unknown as NeedsLayer)
          : null,
      () => null,
    );
  }
  return layer;
}

export interface NeedMixRequest {
  /** Themes to classify (default: every theme of the needs layer). */
  themes?: readonly string[];
  /**
   * How many IDs are read (texts cost tokenizer time), spread evenly over the whole ranking so the
   * mix describes the audience, not its top. Default 5,000; the universe baseline reads as many.
   */
  sample?: number;
  /**
   * A `TokenizerPool` of the needs layer: texts are tokenized in its worker threads instead of
   * on the calling thread (a server passes one so that an audience job does not stall requests).
   */
  pool?: unknown;
}

/**
 * The need mix of an audience per theme, over its highest-ranked IDs (member IDs are mapped to
 * their linked third-party profiles).
 *
 * @param ws - the workspace.
 * @param ids - audience IDs in rank order.
 * @param idKind - whether the IDs are third-party or member IDs.
 * @returns `{ needMix: { [theme]: mix }, reason: null }`, or `needMix: null` with the reason.
 */
export async function audienceNeedMix(
  ws: Workspace,
  ids: readonly string[],
  idKind: 'third_party' | 'member',
  request: NeedMixRequest = {},
): Promise<NeedMixResult> {
  const needs = await loadLayer();
  if (!needs) return { needMix: null, reason: 'the needs layer offers no needMixForTpIds in this build' };
  const sampleSize = Math.max(1, Math.min(ids.length, request.sample ?? DEFAULT_SAMPLE));
  let tpIds = spread(ids, sampleSize);
  const readIds = tpIds.length;
  if (idKind === 'member') {
    const { runner, close } = await ws.db.connect();
    try {
      await runner.run('CREATE TEMP TABLE _aud_need_ids (id VARCHAR)');
      await runner.append('_aud_need_ids', [tpIds]);
      const out = await runner.columns(
        `SELECT DISTINCT l.tp_id FROM id_links l JOIN ${quoteIdent('_aud_need_ids')} a ON a.id = l.member_id ORDER BY 1`,
      );
      tpIds = (out.columns[0] ?? []) as string[];
    } finally {
      close();
    }
  }
  try {
    const files = needs.defaultNeedFiles();
    const themes = request.themes ?? needs.listThemes(files);
    if (!themes.length) return { needMix: null, reason: 'no need themes are defined' };
    const out: NeedMix = {};
    const workspaceModelsDir = needs.workspaceNeedModelsDir(ws);
    const universeIds = await universeSample(ws, idKind, sampleSize);
    const sample = {
      audienceSize: ids.length,
      ids: readIds,
      method: readIds === ids.length ? 'all' : 'spread over the ranking',
      tpIds: tpIds.length,
    };
    for (const theme of themes) {
      const { classifier: clf } = await needs.servingClassifier(files, theme, { workspaceModelsDir });
      const options = request.pool ? { pool: request.pool } : {};
      const mix = (await needs.needMixForTpIds(ws, clf, tpIds, options)) as unknown as MixShape;
      const base = (await needs.needMixForTpIds(ws, clf, universeIds, options)) as unknown as MixShape;
      out[theme] = withIntervals(mix, base, sample);
    }
    return { needMix: out, reason: null };
  } catch (err) {
    return { needMix: null, reason: `need mix failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** `n` IDs evenly spaced over the ranking (all of them when there are no more than `n`). */
export function spread(ids: readonly string[], n: number): string[] {
  if (n >= ids.length) return [...ids];
  const out: string[] = [];
  for (let k = 0; k < n; k++) out.push(ids[Math.floor((k * ids.length) / n)]!);
  return out;
}

/**
 * A deterministic sample of the universe's third-party IDs (members: their linked IDs), the
 * baseline every need share is indexed against.
 */
async function universeSample(ws: Workspace, idKind: 'third_party' | 'member', n: number): Promise<string[]> {
  const sql =
    idKind === 'member'
      ? `SELECT DISTINCT tp_id FROM id_links WHERE member_id IN (SELECT member_id FROM members) AND tp_id IS NOT NULL`
      : `SELECT tp_id FROM tp_profiles WHERE tp_id IS NOT NULL`;
  const rows = await ws.db.rows<{ tp_id: string }>(
    `SELECT tp_id FROM (${sql}) ORDER BY hash(tp_id), tp_id LIMIT ${n}`,
  );
  return rows.map((r) => r.tp_id);
}

interface MixEntryShape {
  id: string;
  people: number;
  peopleShare: number;
  [k: string]: unknown;
}
interface MixShape {
  tpIds: number;
  tpIdsWithTexts: number;
  needs: MixEntryShape[];
  [k: string]: unknown;
}

/**
 * Adds to each need its 95% Wilson interval (people mentioning it among those who wrote about
 * the theme), the universe's share and the index against it (100 = as common as in the
 * universe), and says what was read.
 */
export function withIntervals(mix: MixShape, base: MixShape, sample: Record<string, unknown>): NeedMix {
  const baseShare = new Map(base.needs.map((n) => [n.id, n.peopleShare]));
  return {
    ...mix,
    sample: { ...sample, withTexts: mix.tpIdsWithTexts, confidence: 0.95 },
    universe: { tpIds: base.tpIds, tpIdsWithTexts: base.tpIdsWithTexts },
    needs: mix.needs.map((n) => {
      const { low, high } = wilson(n.people, mix.tpIdsWithTexts, Z);
      const u = baseShare.get(n.id) ?? 0;
      return {
        ...n,
        peopleShareCi: [low, high],
        universePeopleShare: base.tpIdsWithTexts > 0 ? u : null,
        index: u > 0 && mix.tpIdsWithTexts > 0 ? Math.round((n.peopleShare / u) * 1000) / 10 : null,
      };
    }),
  };
}
