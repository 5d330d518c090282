import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeNeedFiles } from '../../src/adapters/index.ts';
import { defaultNeedFiles } from '../../src/needs/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'need-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('nodeNeedFiles (the needs file port on Node)', () => {
  it('lists sorted names, [] for a missing folder, and null for a missing file', () => {
    writeFileSync(join(dir, 'b.json'), '{}');
    writeFileSync(join(dir, 'a.json'), '{}');
    expect(nodeNeedFiles.list(dir)).toEqual(['a.json', 'b.json']);
    expect(nodeNeedFiles.list(join(dir, 'nowhere'))).toEqual([]);
    expect(nodeNeedFiles.read(join(dir, 'nowhere.json'))).toBeNull();
    expect(new TextDecoder().decode(nodeNeedFiles.read(join(dir, 'a.json'))!)).toBe('{}');
  });

  it('hashes bytes and text as node:crypto does', () => {
    const text = '掃除が楽';
    const expected = createHash('sha256').update(text).digest('hex');
    expect(nodeNeedFiles.sha256(text)).toBe(expected);
    expect(nodeNeedFiles.sha256(new TextEncoder().encode(text))).toBe(expected);
  });

  it('publishes a folder as one unit, replacing the old one and leaving no staging folder', async () => {
    const target = join(dir, 'models', 'theme');
    await nodeNeedFiles.publish(target, { 'a.txt': 'one', 'b.bin': new Uint8Array([1, 2]) });
    await nodeNeedFiles.publish(target, { 'a.txt': 'two' });
    expect(readdirSync(target)).toEqual(['a.txt']);
    expect(readFileSync(join(target, 'a.txt'), 'utf8')).toBe('two');
    expect(readdirSync(join(dir, 'models'))).toEqual(['theme']);
  });

  it('is the registered default of this runtime once the adapters are loaded', () => {
    expect(defaultNeedFiles()).toBe(nodeNeedFiles);
  });
});
