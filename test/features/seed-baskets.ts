/**
 * 40 members and five products whose buyers are known by construction, for the seed-associated
 * product ranking: A bought by every seed member, D by none, C by too few members, E with most of
 * its seed buyers after the window.
 */
import type { Line } from './tiny-workspace.ts';

export const AS_OF = '2026-03-01';
const member = (i: number) => `m${String(i).padStart(2, '0')}`;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => member(from + k));
/** Seed: m00-m09 of 40 members. */
export const SEED = range(0, 10);
/** Who bought each product before AS_OF. */
export const BUYERS: Record<string, string[]> = {
  A: [...SEED, ...range(30, 40)],
  B: [...range(0, 5), ...range(10, 35)],
  C: [member(0), member(1), member(10), member(11)],
  D: range(10, 30),
  E: [...range(0, 3), member(12), member(13)],
};

export function basketLines(): Line[] {
  const out: Line[] = [];
  for (const [product, buyers] of Object.entries(BUYERS))
    for (const m of buyers)
      out.push({
        receipt: `${product}-${m}`,
        member: m,
        ts: '2026-02-10 12:00:00',
        product,
        qty: 1,
        price: 100,
      });
  // Lines on or after AS_OF are not in the window: five more seed buyers of E.
  for (const m of range(3, 8))
    out.push({
      receipt: `late-${m}`,
      member: m,
      ts: '2026-03-02 12:00:00',
      product: 'E',
      qty: 1,
      price: 100,
    });
  // A returned line is not a purchase.
  out.push({
    receipt: 'ret',
    member: member(5),
    ts: '2026-02-11 12:00:00',
    product: 'D',
    qty: -1,
    price: 100,
  });
  return out;
}
