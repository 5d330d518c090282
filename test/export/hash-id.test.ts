import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HmacSha256, sha256Hex, sha256HexBytes, sha256HexInto } from '../../src/export/hash-id.ts';

const reference = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const text = (n: number) =>
  Array.from({ length: n }, (_, i) => String.fromCharCode(33 + ((i * 7 + n) % 90))).join('');

describe('sha256Hex', () => {
  it('matches node:crypto for every length 0-300, ASCII and Japanese', () => {
    for (let n = 0; n <= 300; n++) {
      const ascii = text(n);
      expect(sha256Hex(ascii)).toBe(reference(ascii));
      const jp = '会員ＩＤ'.repeat(Math.ceil(n / 4)).slice(0, n);
      expect(sha256Hex(jp)).toBe(reference(jp));
    }
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31) & 255);
    expect(sha256HexBytes(bytes)).toBe(reference(bytes));
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('writes hex into a buffer from a slice of bytes', () => {
    const bytes = new TextEncoder().encode('xxdana@example.comyy');
    const out = new Uint8Array(70);
    sha256HexInto(bytes, 2, 18, out, 3);
    expect(new TextDecoder().decode(out.subarray(3, 67))).toBe(reference('dana@example.com'));
  });
});

describe('HmacSha256', () => {
  it('matches node:crypto for keys of 0-130 bytes and messages of 0-200 bytes', () => {
    for (const keyLength of [0, 1, 16, 32, 63, 64, 65, 130]) {
      const key = Uint8Array.from({ length: keyLength }, (_, i) => (i * 13 + keyLength) & 255);
      const mac = new HmacSha256(key);
      for (let n = 0; n <= 200; n += 7) {
        expect(mac.hex(text(n))).toBe(createHmac('sha256', key).update(text(n)).digest('hex'));
      }
    }
  });

  it('gives RFC 4231 test case 2', () => {
    const mac = new HmacSha256(new TextEncoder().encode('Jefe'));
    expect(mac.hex('what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});
