/**
 * FNV-1a (32-bit) over a string's UTF-16 code units: the one small non-cryptographic hash behind
 * named random streams, stable fold assignment and cache keys. Not for secrets (that is SHA-256).
 *
 * @example
 * fnv1a32('') === 0x811c9dc5; // the offset basis
 */
export function fnv1a32(text: string, basis = 0x811c9dc5): number {
  let h = basis;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
