/**
 * Third-party attributes of people we can link: one row per (entity, dimension, value), distinct,
 * where an entity is a member (through `id_links`) or a site visitor (through the session's
 * tp_id). The member-level joins run in DuckDB: they touch every link, interest and search row,
 * which is millions of rows for a large retailer (DESIGN §6: arquero group-bys over 1M+ keys
 * take seconds). Demographics come from an entity's most confident link only, so a member with
 * two devices is not counted twice in one dimension.
 */
import { searchTermsSql } from '../features/index.ts';

export const DIMENSIONS = ['interest', 'gender', 'age_band', 'region', 'search_term'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/**
 * SQL of distinct (entity_id, dimension, value) rows.
 * @param links SQL yielding (entity_id, tp_id, confidence) for the entities of interest
 * @param dimensions which dimensions to produce
 */
export function attributesSql(links: string, dimensions: readonly Dimension[]): string {
  const parts: string[] = [];
  const best = `SELECT entity_id, first(tp_id ORDER BY confidence DESC, tp_id) AS tp_id FROM links GROUP BY entity_id`;
  for (const dim of ['gender', 'age_band', 'region'] as const) {
    if (!dimensions.includes(dim)) continue;
    parts.push(`SELECT b.entity_id, '${dim}' AS dimension, p.${dim} AS value
                FROM best b JOIN tp_profiles p ON p.tp_id = b.tp_id
                WHERE p.${dim} IS NOT NULL AND p.${dim} <> 'unknown' AND p.${dim} <> ''`);
  }
  if (dimensions.includes('interest')) {
    parts.push(`SELECT DISTINCT l.entity_id, 'interest' AS dimension, i.category AS value
                FROM links l JOIN tp_interests i ON i.tp_id = l.tp_id`);
  }
  if (dimensions.includes('search_term')) {
    parts.push(`SELECT DISTINCT entity_id, 'search_term' AS dimension, value FROM (
                  SELECT l.entity_id, unnest(${searchTermsSql('s.query')}) AS value
                  FROM links l JOIN tp_searches s ON s.tp_id = l.tp_id)`);
  }
  if (!parts.length)
    return `SELECT NULL::VARCHAR AS entity_id, NULL::VARCHAR AS dimension, NULL::VARCHAR AS value WHERE false`;
  return `WITH links AS (${links}), best AS (${best})
          ${parts.join('\nUNION ALL\n')}`;
}
