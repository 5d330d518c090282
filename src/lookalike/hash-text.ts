/**
 * A short content hash for cache keys (feature specs) that runs anywhere without `node:crypto`
 * or an async digest: FNV-1a over UTF-16 code units, two 32-bit lanes. Not for secrets; readers
 * of a cached artifact also compare the stored spec itself, so a collision is caught, never
 * silently reused. Pure TypeScript.
 */

/** 16 hex characters of FNV-1a (two seeds) over `text`. */
export function hashText(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}
