import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { listHash } from '../../src/lookalike/fingerprint.ts';

describe('listHash', () => {
  it('is the first 16 hex of SHA-256 over each value and a newline, as node:crypto gives', () => {
    const values = ['tp_0000001', '会員_2', '', 'x,y'];
    const h = createHash('sha256');
    for (const v of values) h.update(v).update('\n');
    expect(listHash(values)).toBe(h.digest('hex').slice(0, 16));
  });

  it('depends on order and on the boundaries between values', () => {
    expect(listHash(['a', 'b'])).not.toBe(listHash(['b', 'a']));
    expect(listHash(['ab'])).not.toBe(listHash(['a', 'b']));
    expect(listHash([])).toBe(createHash('sha256').digest('hex').slice(0, 16));
  });
});
