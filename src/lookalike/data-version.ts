/**
 * The data version a universe snapshot, a scored universe and a cached frontier are keyed by:
 * cheap to read at any size, and different whenever a universe table's rows change. Hashing every row (the data fingerprint model
 * manifests keep) took 10.4 s at 10M profiles, longer than scoring the snapshot; this reads
 * only counts and the import log.
 *
 * Per table it takes the row count and the table's `_imports` log (how many entries, the last
 * import id and finish time). Every supported write logs there: `importTable` (replace, append
 * and upsert alike, including upserts that keep the count) and the key migration. Direct SQL
 * writes that insert or delete rows change the count. The one write it cannot see is a direct
 * SQL UPDATE (or an equal-sized delete-and-insert) outside `importTable`: no code path of the
 * engine writes universe tables that way; data changed so must be re-imported (or its snapshot
 * deleted) to be seen.
 */

import { quoteIdent, quoteLiteral, type SqlRunner } from '../store/index.ts';
import { hashText } from './hash-text.ts';
import type { Universe } from './types.ts';

/** The tables each universe's rows are built from (as the data fingerprint hashes them). */
export const UNIVERSE_TABLES: Readonly<Record<Universe, readonly string[]>> = {
  third_party: ['tp_profiles', 'tp_interests', 'tp_searches', 'id_links'],
  members: ['members', 'transactions', 'products'],
};

export interface DataVersion {
  /** The full version text (compared on lookup, so a hash collision is never reused). */
  text: string;
  /** 16 hex characters of `text`, for snapshot keys. */
  hash: string;
}

/**
 * The data version of `universe` on the workspace's current data.
 *
 * @param asOf - the as-of day that selects member rows ('' for third-party universes).
 * @example
 * const { hash } = await dataVersion(db, 'third_party');
 */
export async function dataVersion(db: SqlRunner, universe: Universe, asOf = ''): Promise<DataVersion> {
  const tables = UNIVERSE_TABLES[universe];
  const counts = tables.map((t, i) => `(SELECT count(*) FROM ${quoteIdent(t)}) AS n${i}`).join(', ');
  const [row] = await db.rows<Record<string, number>>(`SELECT ${counts}`);
  const log = await db.rows<{ t: string; k: number; id: string | null; at: string | null }>(
    `SELECT table_name AS t, count(*)::INTEGER AS k, max(import_id) AS id, max(finished_at)::VARCHAR AS at
     FROM _imports WHERE table_name IN (${tables.map(quoteLiteral).join(', ')}) GROUP BY table_name`,
  );
  const byTable = new Map(log.map((l) => [l.t, l]));
  const parts = [`v1`, universe, asOf];
  tables.forEach((t, i) => {
    const l = byTable.get(t);
    parts.push(`${t}:${String(row?.[`n${i}`] ?? 0)}:${l?.k ?? 0}:${l?.id ?? ''}:${l?.at ?? ''}`);
  });
  const text = parts.join('|');
  return { text, hash: hashText(text) };
}
