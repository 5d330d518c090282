import { InvalidInputError } from '../schema/index.ts';
import type { SqlRunner, Workspace } from '../store/index.ts';
import type { NeedClassifier } from './model/classifier.ts';
import { prepareTexts } from './text/prepare.ts';
import type { TokenizerPool } from './tokenize/pool.ts';
import { kuromojiTokenizer, poolTokenizer, type Tokenizer } from './tokenize/tokenizer.ts';
import type { Polarity } from './types.ts';

/** Cache of text classifications: texts do not change, so each is classified once per model. */
export const NEED_CACHE_TABLE = 'need_classifications';

const CACHE_DDL = `CREATE TABLE IF NOT EXISTS ${NEED_CACHE_TABLE} (
  text_id VARCHAR NOT NULL, model_version VARCHAR NOT NULL, theme VARCHAR NOT NULL,
  needs JSON NOT NULL, classified_at TIMESTAMP NOT NULL, PRIMARY KEY (text_id, model_version))`;

/** One need's place in a mix. */
export interface NeedMixEntry {
  id: string;
  name_ja: string;
  name_en: string;
  /** Texts that mention the need. */
  texts: number;
  /** Share of all texts of the set. */
  textShare: number;
  /** People (third-party IDs) with at least one text mentioning the need. */
  people: number;
  /** Share of the people who wrote anything about the theme. */
  peopleShare: number;
  /** Texts where the need is met / unmet. */
  met: number;
  unmet: number;
  /** Share of the need's texts that report it unmet: where the product falls short. */
  unmetShare: number;
  /** Mean score over the texts that mention it. */
  meanScore: number;
  /** peopleShare against the reference population, 100 = average (segments only). */
  index: number | null;
}

export interface NeedMix {
  theme: string;
  modelVersion: string;
  /** Distinct third-party IDs in the set. */
  tpIds: number;
  /** Of those, how many wrote at least one text about the theme. */
  tpIdsWithTexts: number;
  texts: number;
  needs: NeedMixEntry[];
}

export interface SegmentNeedMix extends NeedMix {
  segmentId: string;
  members: number;
}

export interface NeedMixOptions {
  /** Tokenize newly seen texts on a worker pool. */
  pool?: TokenizerPool;
  tokenizer?: Tokenizer;
  /** Also classify texts whose theme is NULL (default: only texts of the classifier's theme). */
  includeUnthemed?: boolean;
}

interface CachedNeed {
  id: string;
  score: number;
  polarity: Polarity;
}

interface TextRow {
  text_id: string;
  tp_id: string;
  needs: CachedNeed[];
}

const BATCH = 500;

/**
 * Classifies the texts of the given people that are not in the cache yet, stores the results,
 * and returns every text of theirs with its needs.
 */
async function classifiedTexts(
  ws: Workspace,
  classifier: NeedClassifier,
  peopleSql: string,
  params: Record<string, string>,
  options: NeedMixOptions,
): Promise<TextRow[]> {
  await ws.db.run(CACHE_DDL);
  const themeFilter = options.includeUnthemed ? '(t.theme = $theme OR t.theme IS NULL)' : 't.theme = $theme';
  const base = `FROM texts t JOIN (${peopleSql}) p ON p.tp_id = t.tp_id WHERE ${themeFilter}`;
  const q = { ...params, theme: classifier.theme.theme, version: classifier.version };
  const missing = await ws.db.rows<{ text_id: string; body: string }>(
    `SELECT DISTINCT t.text_id, t.body ${base}
       AND NOT EXISTS (SELECT 1 FROM ${NEED_CACHE_TABLE} c WHERE c.text_id = t.text_id AND c.model_version = $version)
     ORDER BY t.text_id`,
    q,
  );
  const tokenizer = options.tokenizer ?? (options.pool ? poolTokenizer(options.pool) : kuromojiTokenizer);
  for (let from = 0; from < missing.length; from += BATCH) {
    const batch = missing
      .slice(from, from + BATCH)
      .filter((r) => typeof r.body === 'string' && r.body.trim());
    const results = classifier.classifyPrepared(
      await prepareTexts(
        batch.map((r) => r.body),
        tokenizer,
      ),
    );
    const rows = batch.map((r, i) => ({
      text_id: r.text_id,
      needs: JSON.stringify(
        results[i]!.needs.map((n) => ({ id: n.id, score: n.score, polarity: n.polarity })),
      ),
    }));
    // INSERT OR IGNORE: a concurrent call that classified the same text first wins; same model, same result.
    await insertCache(ws.db, rows, classifier);
  }
  const rows = await ws.db.rows<{ text_id: string; tp_id: string; needs: string | null }>(
    `SELECT DISTINCT t.text_id, t.tp_id, c.needs::VARCHAR AS needs ${base.replace(
      'WHERE',
      `LEFT JOIN ${NEED_CACHE_TABLE} c ON c.text_id = t.text_id AND c.model_version = $version WHERE`,
    )} ORDER BY t.text_id`,
    q,
  );
  return rows.map((r) => ({
    text_id: r.text_id,
    tp_id: r.tp_id,
    needs: r.needs ? (JSON.parse(r.needs) as CachedNeed[]) : [],
  }));
}

async function insertCache(
  db: SqlRunner,
  rows: { text_id: string; needs: string }[],
  classifier: NeedClassifier,
): Promise<void> {
  if (!rows.length) return;
  await db.run(
    `INSERT OR IGNORE INTO ${NEED_CACHE_TABLE}
     SELECT r.text_id, $version, $theme, r.needs::JSON, now()::TIMESTAMP
     FROM (SELECT unnest(from_json($rows, '[{"text_id":"VARCHAR","needs":"VARCHAR"}]'), recursive := true))
          AS r(text_id, needs)`,
    { rows: JSON.stringify(rows), version: classifier.version, theme: classifier.theme.theme },
  );
}

function aggregate(classifier: NeedClassifier, tpIds: number, texts: readonly TextRow[]): NeedMix {
  const writers = new Set(texts.map((t) => t.tp_id));
  const needs = classifier.theme.needs.map((n): NeedMixEntry => {
    let count = 0;
    let met = 0;
    let unmet = 0;
    let scoreSum = 0;
    const people = new Set<string>();
    for (const t of texts) {
      const hit = t.needs.find((x) => x.id === n.id);
      if (!hit) continue;
      count++;
      scoreSum += hit.score;
      people.add(t.tp_id);
      if (hit.polarity === 'unmet') unmet++;
      else met++;
    }
    return {
      id: n.id,
      name_ja: n.name_ja,
      name_en: n.name_en,
      texts: count,
      textShare: texts.length ? count / texts.length : 0,
      people: people.size,
      peopleShare: writers.size ? people.size / writers.size : 0,
      met,
      unmet,
      unmetShare: count ? unmet / count : 0,
      meanScore: count ? scoreSum / count : 0,
      index: null,
    };
  });
  return {
    theme: classifier.theme.theme,
    modelVersion: classifier.version,
    tpIds,
    tpIdsWithTexts: writers.size,
    texts: texts.length,
    needs,
  };
}

/**
 * The need mix of any set of third-party IDs: of the texts they wrote about the classifier's
 * theme, how many mention each need, met or unmet, and how many of the people do. Texts are
 * classified once per model version and cached in the workspace table `need_classifications`.
 *
 * @param ws the workspace (reads `texts`)
 * @param classifier the theme's classifier (see `loadNeedClassifier`)
 * @param tpIds the third-party IDs (duplicates are ignored)
 * @param options tokenizer pool for newly seen texts, whether to include unthemed texts
 * @throws InvalidInputError when tpIds is not an array of strings
 * @example
 * const mix = await needMixForTpIds(ws, await loadNeedClassifier(files, 'convection_oven'), ['tp_001', 'tp_002']);
 * mix.needs.find((n) => n.id === 'healthy')?.peopleShare; // 0.5
 */
export async function needMixForTpIds(
  ws: Workspace,
  classifier: NeedClassifier,
  tpIds: readonly string[],
  options: NeedMixOptions = {},
): Promise<NeedMix> {
  if (!Array.isArray(tpIds) || tpIds.some((t) => typeof t !== 'string')) {
    throw new InvalidInputError('tpIds must be an array of third-party ID strings', 'tpIds');
  }
  const unique = [...new Set(tpIds)];
  const texts = await classifiedTexts(
    ws,
    classifier,
    `SELECT DISTINCT unnest(from_json($ids, '["VARCHAR"]')) AS tp_id`,
    { ids: JSON.stringify(unique) },
    options,
  );
  return aggregate(classifier, unique.length, texts);
}

/**
 * The need mix of each segment, through the texts linked to its members' third-party IDs
 * (`id_links`), with an index per need: the segment's share of people mentioning the need
 * against the share among all assigned members' IDs (100 = average, 150 = half as common again).
 *
 * @param ws the workspace (reads `id_links` and `texts`)
 * @param classifier the theme's classifier
 * @param assignment member_id -> segment_id (e.g. from a segmentation)
 * @param options tokenizer pool, unthemed texts
 * @returns the overall mix and one mix per segment, segments in id order
 * @example
 * const { segments } = await needMixBySegment(ws, clf, new Map([['M1', 'S1'], ['M2', 'S2']]));
 * segments[0].needs[0].index; // 140
 */
export async function needMixBySegment(
  ws: Workspace,
  classifier: NeedClassifier,
  assignment: ReadonlyMap<string, string>,
  options: NeedMixOptions = {},
): Promise<{ overall: NeedMix; segments: SegmentNeedMix[] }> {
  if (!(assignment instanceof Map)) {
    throw new InvalidInputError('assignment must be a Map of member_id to segment_id', 'assignment');
  }
  const pairs = [...assignment.entries()].map(([member_id, segment_id]) => ({ member_id, segment_id }));
  const assignedSql = `SELECT unnest(from_json($pairs, '[{"member_id":"VARCHAR","segment_id":"VARCHAR"}]'), recursive := true)`;
  const params = { pairs: JSON.stringify(pairs) };
  const links = await ws.db.rows<{ segment_id: string; tp_id: string }>(
    `SELECT DISTINCT a.segment_id, l.tp_id FROM (${assignedSql}) a JOIN id_links l ON l.member_id = a.member_id
     ORDER BY a.segment_id, l.tp_id`,
    params,
  );
  const texts = await classifiedTexts(
    ws,
    classifier,
    `SELECT DISTINCT l.tp_id FROM (${assignedSql}) a JOIN id_links l ON l.member_id = a.member_id`,
    params,
    options,
  );
  const byPerson = new Map<string, TextRow[]>();
  for (const t of texts) {
    const list = byPerson.get(t.tp_id);
    if (list) list.push(t);
    else byPerson.set(t.tp_id, [t]);
  }
  const allPeople = new Set(links.map((l) => l.tp_id));
  const overall = aggregate(classifier, allPeople.size, texts);
  const members = new Map<string, number>();
  for (const segment of assignment.values()) members.set(segment, (members.get(segment) ?? 0) + 1);
  const peopleBySegment = new Map<string, string[]>();
  for (const l of links) {
    const list = peopleBySegment.get(l.segment_id);
    if (list) list.push(l.tp_id);
    else peopleBySegment.set(l.segment_id, [l.tp_id]);
  }
  const segments = [...members.keys()].sort().map((segmentId): SegmentNeedMix => {
    const people = peopleBySegment.get(segmentId) ?? [];
    const mix = aggregate(
      classifier,
      people.length,
      people.flatMap((p) => byPerson.get(p) ?? []),
    );
    mix.needs.forEach((n, j) => {
      const base = overall.needs[j]!.peopleShare;
      n.index = base > 0 && mix.tpIdsWithTexts > 0 ? Math.round((n.peopleShare / base) * 1000) / 10 : null;
    });
    return { segmentId, members: members.get(segmentId) ?? 0, ...mix };
  });
  return { overall, segments };
}
