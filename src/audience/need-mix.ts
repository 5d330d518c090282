/**
 * The need mix of an audience, from the needs layer when it offers one. The needs classifier is
 * optional here: without it (or without texts for the audience) the mix is null with a reason.
 */
import { quoteIdent, type Workspace } from '../store/index.ts';

export type NeedMix = Record<string, unknown>;

export interface NeedMixResult {
  needMix: NeedMix | null;
  reason: string | null;
}

interface NeedsLayer {
  listThemes: () => string[];
  loadNeedClassifier: (theme: string) => Promise<unknown>;
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
        typeof mod.loadNeedClassifier === 'function' &&
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
  /** Only the first (highest-ranked) IDs are read: texts cost tokenizer time. Default 5,000. */
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
  let tpIds = ids.slice(0, request.sample ?? 5000);
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
    const themes = request.themes ?? needs.listThemes();
    if (!themes.length) return { needMix: null, reason: 'no need themes are defined' };
    const out: NeedMix = {};
    for (const theme of themes) {
      const clf = await needs.loadNeedClassifier(theme);
      out[theme] = await needs.needMixForTpIds(ws, clf, tpIds, request.pool ? { pool: request.pool } : {});
    }
    return { needMix: out, reason: null };
  } catch (err) {
    return { needMix: null, reason: `need mix failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}
