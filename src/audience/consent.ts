/**
 * Consent of members, per purpose, from the `consents` table: one row per member and purpose,
 * the newest decision (imports skip an upsert dated before the stored row; `arg_max` below keeps
 * the rule should a table ever hold several rows). A member audience keeps only members who granted every
 * required purpose (no decision counts as no consent: opt-in). A third-party audience keeps every
 * profile except those linked to a member who refused or withdrew one of the purposes: the
 * profile is the provider's, but a known objection of the person behind it is honoured.
 */
import { quoteIdent, quoteLiteral } from '../store/ddl.ts';
import type { SqlRunner } from '../store/index.ts';

/** Purpose names: lower-case codes such as `ad_targeting`. */
export const PURPOSE_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

/** Consent purposes the documentation names; any code matching {@link PURPOSE_PATTERN} is accepted. */
export const KNOWN_PURPOSES = ['ad_targeting', 'third_party_sharing', 'email_marketing'] as const;

const latestSql = (purposes: readonly string[]) =>
  `SELECT member_id, purpose, arg_max(granted, coalesce(updated_at, TIMESTAMP '1970-01-01')) AS granted
   FROM consents WHERE purpose IN (${purposes.map(quoteLiteral).join(', ')}) GROUP BY member_id, purpose`;

/**
 * SQL of the IDs (column `id`) of `idsSql` that may be used for `purposes`.
 *
 * @param idKind - member IDs need every purpose granted; third-party IDs lose only those linked to
 *   a member who refused one.
 */
export function consentedSql(
  idsSql: string,
  idKind: 'member' | 'third_party',
  purposes: readonly string[],
): string {
  if (purposes.length === 0) return `SELECT id FROM (${idsSql})`;
  if (idKind === 'member') {
    return `SELECT s.id FROM (${idsSql}) s JOIN (
              SELECT member_id FROM (${latestSql(purposes)}) WHERE granted
              GROUP BY member_id HAVING count(*) = ${purposes.length}) g ON g.member_id = s.id`;
  }
  return `SELECT s.id FROM (${idsSql}) s WHERE s.id NOT IN (
            SELECT l.tp_id FROM id_links l JOIN (${latestSql(purposes)}) c ON c.member_id = l.member_id
            WHERE NOT c.granted)`;
}

/**
 * Which rows of a staged rows table (`id`, `r`) may be used for `purposes`: 1 by row number.
 *
 * @returns flags by row, and how many rows were left out.
 */
export async function consentedRows(
  db: SqlRunner,
  rowsTable: string,
  rows: number,
  idKind: 'member' | 'third_party',
  purposes: readonly string[],
): Promise<{ eligible: Uint8Array; excluded: number }> {
  const eligible = new Uint8Array(rows);
  if (purposes.length === 0) return { eligible: eligible.fill(1), excluded: 0 };
  const table = quoteIdent(rowsTable);
  const out = await db.numeric(
    `SELECT u.r::DOUBLE AS r FROM ${table} u JOIN (${consentedSql(`SELECT id FROM ${table}`, idKind, purposes)}) c USING (id)`,
  );
  const rs = out.columns[0] ?? new Float64Array(0);
  for (let k = 0; k < rs.length; k++) eligible[rs[k]!] = 1;
  return { eligible, excluded: rows - rs.length };
}

/** Per purpose: how many of the IDs granted it, refused it, or never decided. */
export interface ConsentCounts {
  purpose: string;
  granted: number;
  refused: number;
  undecided: number;
}

/**
 * Consent decisions of a set of members (for third-party IDs: of the members linked to them), per
 * purpose, from a table of IDs (`id`).
 */
export async function consentCounts(
  db: SqlRunner,
  idsTable: string,
  idKind: 'member' | 'third_party',
  purposes: readonly string[],
): Promise<ConsentCounts[]> {
  if (purposes.length === 0) return [];
  const ids = quoteIdent(idsTable);
  const members =
    idKind === 'member'
      ? `SELECT DISTINCT id AS member_id FROM ${ids}`
      : `SELECT DISTINCT l.member_id FROM id_links l JOIN ${ids} i ON i.id = l.tp_id`;
  const rows = await db.rows<{ purpose: string; granted: number; refused: number; total: number }>(
    `WITH m AS (${members}), p AS (SELECT unnest([${purposes.map(quoteLiteral).join(', ')}]) AS purpose),
          c AS (${latestSql(purposes)})
     SELECT p.purpose,
            count(*) FILTER (WHERE c.granted) AS granted,
            count(*) FILTER (WHERE NOT c.granted) AS refused,
            count(*) AS total
     FROM m CROSS JOIN p LEFT JOIN c ON c.member_id = m.member_id AND c.purpose = p.purpose
     GROUP BY p.purpose`,
  );
  const byPurpose = new Map(rows.map((r) => [r.purpose, r]));
  return purposes.map((purpose) => {
    const r = byPurpose.get(purpose);
    const granted = Number(r?.granted ?? 0);
    const refused = Number(r?.refused ?? 0);
    return { purpose, granted, refused, undecided: Number(r?.total ?? 0) - granted - refused };
  });
}
