/**
 * Identifier formats. Widths grow with the requested size so ids stay fixed-width (and sort
 * naturally) at any scale.
 */
import { mix32 } from './rng.ts';

export function idWidth(count: number, min: number): number {
  return Math.max(min, String(Math.max(1, count)).length);
}

export function makeId(prefix: string, n: number, width: number): string {
  return prefix + String(n).padStart(width, '0');
}

/**
 * An opaque cookie-style visitor id. mix32 is a bijection, so distinct indices (< 2^32) give
 * distinct ids without a lookup table.
 */
export function visitorId(index: number): string {
  return `v_${mix32(index ^ 0x5bd1e995)
    .toString(16)
    .padStart(8, '0')}`;
}
