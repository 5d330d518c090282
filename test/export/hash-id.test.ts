import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashMemberId, sha256Hex, sha256HexBytes } from '../../src/export/hash-id.ts';

const reference = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('sha256Hex', () => {
  it('matches node:crypto for every length 0-300, ASCII and Japanese', () => {
    for (let n = 0; n <= 300; n++) {
      const ascii = Array.from({ length: n }, (_, i) => String.fromCharCode(33 + ((i * 7 + n) % 90))).join(
        '',
      );
      expect(sha256Hex(ascii)).toBe(reference(ascii));
      const jp = '会員ＩＤ'.repeat(Math.ceil(n / 4)).slice(0, n);
      expect(sha256Hex(jp)).toBe(reference(jp));
    }
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31) & 255);
    expect(sha256HexBytes(bytes)).toBe(reference(bytes));
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('normalises member IDs: trimmed and lower-cased before hashing', () => {
    expect(hashMemberId('  M00042\t')).toBe(reference('m00042'));
    expect(hashMemberId('ABC@Example.COM')).toBe(reference('abc@example.com'));
  });
});
