import { describe, expect, it } from 'vitest';
import { fnv1a32 } from '../../src/schema/index.ts';

describe('fnv1a32', () => {
  it('matches the published FNV-1a 32-bit test vectors for ASCII text', () => {
    // From the FNV reference test suite (Landon Curt Noll): "", "a", "foobar".
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('hashes UTF-16 code units, so Japanese text has a stable value', () => {
    // 'あ' is the single code unit 0x3042: one xor and one multiply from the basis.
    expect(fnv1a32('あ')).toBe(Math.imul(0x811c9dc5 ^ 0x3042, 0x01000193) >>> 0);
  });
});
