/**
 * Data fingerprints: a cheap, order-independent hash of the tables a model or an audience read,
 * so a manifest says exactly which data it came from and a stale cache is never reused.
 */
import { sha256Hex } from '../schema/index.ts';
import type { SqlRunner } from '../store/index.ts';
import type { Universe } from './types.ts';

const TABLE_HASHES: Readonly<Record<Universe, readonly [string, string][]>> = {
  third_party: [
    ['tp_profiles', 'hash(tp_id, gender, age_band, region)'],
    ['tp_interests', 'hash(tp_id, category, visits)'],
    ['tp_searches', 'hash(tp_id, query, count)'],
    ['id_links', 'hash(member_id, tp_id, confidence)'],
  ],
  members: [
    ['members', 'hash(member_id)'],
    ['transactions', 'hash(receipt_id, member_id, ts, product_id, quantity, amount)'],
    ['products', 'hash(product_id, name, category_l1, category_l2, category_l3)'],
  ],
};

/** A short hex fingerprint of the universe's tables (row counts and XOR of row hashes). */
export async function dataFingerprint(db: SqlRunner, universe: Universe, extra = ''): Promise<string> {
  const parts: string[] = [universe, extra];
  for (const [table, expr] of TABLE_HASHES[universe]) {
    const rows = await db.rows<{ n: number; h: string | null }>(
      `SELECT count(*) AS n, bit_xor(${expr})::VARCHAR AS h FROM ${table}`,
    );
    parts.push(`${table}:${rows[0]?.n ?? 0}:${rows[0]?.h ?? ''}`);
  }
  return sha256Hex(parts.join('|')).slice(0, 16);
}

/** SHA-256 (hex, 16 chars) of a string list, for exclusion lists in manifests. */
export function listHash(values: readonly string[]): string {
  return sha256Hex(values.map((v) => `${v}\n`).join('')).slice(0, 16);
}
