import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ArtifactStore,
  FsArtifactStore,
  getJson,
  MemoryArtifactStore,
  putJson,
} from '../../src/store/index.ts';
import { R2ArtifactStore, type R2BucketLike } from '../../src/store/r2.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** One behavioural suite for every artifact store implementation. */
function runStoreSuite(name: string, newStore: () => ArtifactStore) {
  describe(`${name} artifact store`, () => {
    it('round-trips bytes and JSON', async () => {
      const store = newStore();
      await store.put('models/a/weights.bin', new Uint8Array([1, 2, 3]));
      await putJson(store, 'models/a/meta.json', { kind: 'test', n: 1 });
      expect([...(await store.get('models/a/weights.bin'))!]).toEqual([1, 2, 3]);
      expect(await getJson(store, 'models/a/meta.json')).toEqual({ kind: 'test', n: 1 });
      expect(await store.get('models/missing')).toBeNull();
    });

    it('lists keys under a prefix, sorted', async () => {
      const store = newStore();
      await store.put('b/2', 'x');
      await store.put('b/1', 'x');
      await store.put('c/1', 'x');
      expect(await store.list('b/')).toEqual(['b/1', 'b/2']);
    });

    it('publishes a set of files once and refuses to overwrite it', async () => {
      const store = newStore();
      await store.publish('audiences/au_1', { 'manifest.json': '{"v":1}', 'ids.txt': 'a\nb\n' });
      expect(await store.list('audiences/au_1/')).toEqual([
        'audiences/au_1/ids.txt',
        'audiences/au_1/manifest.json',
      ]);
      await expect(store.publish('audiences/au_1', { 'manifest.json': '{"v":2}' })).rejects.toThrow(
        'artifact "audiences/au_1" already exists; artifacts are immutable',
      );
      expect(await getJson(store, 'audiences/au_1/manifest.json')).toEqual({ v: 1 });
    });

    it('rejects keys that could escape the store', async () => {
      const store = newStore();
      await expect(store.put('../outside', 'x')).rejects.toThrow('artifact key "../outside" is not valid');
      await expect(store.put('/abs', 'x')).rejects.toThrow('is not valid');
    });

    it('unpublishes an artifact as one unit, and its prefix can be published again', async () => {
      const store = newStore();
      await store.publish('models/m_1', { 'manifest.json': '{"v":1}', 'w.bin': 'abc' });
      await store.publish('models/m_10', { 'manifest.json': '{"v":10}' });
      expect(await store.unpublish('models/m_1')).toEqual(['models/m_1/manifest.json', 'models/m_1/w.bin']);
      expect(await store.list('models/')).toEqual(['models/m_10/manifest.json']);
      expect(await store.get('models/m_1/manifest.json')).toBeNull();
      expect(await store.unpublish('models/m_1')).toEqual([]);
      await store.publish('models/m_1', { 'manifest.json': '{"v":2}' });
      expect(await getJson(store, 'models/m_1/manifest.json')).toEqual({ v: 2 });
    });

    it('deletes keys', async () => {
      const store = newStore();
      await store.put('d/1', 'x');
      await store.delete('d/1');
      expect(await store.get('d/1')).toBeNull();
    });
  });
}

runStoreSuite('memory', () => new MemoryArtifactStore());
runStoreSuite('fs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lookalike-artifacts-'));
  dirs.push(dir);
  return new FsArtifactStore(dir);
});

/** An in-memory stand-in with R2's list pagination, to run the same suite over the R2 adapter. */
function fakeBucket(pageSize = 2): R2BucketLike {
  const objects = new Map<string, Uint8Array>();
  return {
    get: async (k) => {
      const v = objects.get(k);
      return v ? { arrayBuffer: async () => v.slice().buffer as ArrayBuffer } : null;
    },
    head: async (k) => (objects.has(k) ? {} : null),
    put: async (k, v) => {
      objects.set(
        k,
        typeof v === 'string' ? new TextEncoder().encode(v) : new Uint8Array(v as ArrayBuffer).slice(),
      );
    },
    delete: async (k) => {
      objects.delete(k);
    },
    list: async ({ prefix = '', cursor }) => {
      const keys = [...objects.keys()].filter((k) => k.startsWith(prefix)).sort();
      const start = cursor ? Number(cursor) : 0;
      const page = keys.slice(start, start + pageSize);
      const truncated = start + pageSize < keys.length;
      return {
        objects: page.map((key) => ({ key })),
        truncated,
        ...(truncated ? { cursor: String(start + pageSize) } : {}),
      };
    },
  };
}

runStoreSuite('r2', () => new R2ArtifactStore(fakeBucket(), 'ws1/'));

describe('fs artifact store after a crash', () => {
  it('hides and sweeps staging directories and temp files a crash left behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lookalike-artifacts-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'models', '.staging-dead'), { recursive: true });
    writeFileSync(join(dir, 'models', '.staging-dead', 'manifest.json'), '{}');
    writeFileSync(join(dir, 'models', 'x.json.tmp-123'), '{');
    const store = new FsArtifactStore(dir);
    expect(await store.list('')).toEqual([]);
    expect(await store.sweep()).toBe(2);
    expect(readdirSync(join(dir, 'models'))).toEqual([]);
  });
});
