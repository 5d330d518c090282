/**
 * Flag shapes shared by commands: ID lists from files and seeds from flags. They only turn text
 * into the operations' raw input; every rule is the operation's.
 */
import { readFileSync } from 'node:fs';
import { InvalidInputError } from '../../schema/index.ts';
import { flagNumber } from '../cli-op.ts';

/** IDs from a file: one per line, or a JSON array. */
export function idsFromFile(path: string): string[] {
  const text = readFileSync(path, 'utf8').trim();
  if (text.startsWith('[')) return (JSON.parse(text) as unknown[]).map(String);
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

export interface SeedFlags {
  segment?: string;
  members?: string;
  tpIds?: string;
  purchase?: string;
  /** Product IDs, comma-separated (a purchase seed). */
  products?: string;
  category?: string;
  since?: string;
  until?: string;
  minSpend?: string;
  top?: string;
}

/** A seed from the `--segment`, `--members`, `--tp-ids`, `--purchase`/`--category` or `--top` flags. */
export function seedFromFlags(o: SeedFlags, prefix = ''): Record<string, unknown> | undefined {
  const given = [o.segment, o.members, o.tpIds, o.purchase ?? o.category ?? o.products, o.top].filter(
    (v) => v !== undefined,
  );
  if (given.length > 1) {
    throw new InvalidInputError(`give one ${prefix}seed source, got ${given.length}`, `${prefix}seed`);
  }
  if (o.segment) {
    const [segmentationId, segmentId] = o.segment.split(':');
    if (!segmentationId || !segmentId) {
      throw new InvalidInputError(
        `--${prefix}segment must be <segmentationId>:<segmentId>, got "${o.segment}"`,
        `${prefix}segment`,
      );
    }
    return { kind: 'segment', segmentationId, segmentId };
  }
  if (o.members) return { kind: 'members', memberIds: idsFromFile(o.members) };
  if (o.tpIds) return { kind: 'third_party_ids', tpIds: idsFromFile(o.tpIds) };
  if (o.purchase !== undefined || o.category !== undefined || o.products !== undefined) {
    return {
      kind: 'purchase',
      nameContains: o.purchase,
      productIds: o.products?.split(','),
      categories: o.category?.split(','),
      since: o.since,
      until: o.until,
      minSpend: flagNumber(o.minSpend),
    };
  }
  if (o.top) {
    const v = flagNumber(o.top);
    const window = { since: o.since, until: o.until };
    return typeof v === 'number' && v < 1
      ? { kind: 'top_value', share: v, ...window }
      : { kind: 'top_value', count: v, ...window };
  }
  return undefined;
}
