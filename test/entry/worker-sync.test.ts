import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, MemoryAuditLog, MemoryKeyStore, revokeApiKey } from '../../src/api/index.ts';
import { createWorkerApp } from '../../src/api/worker-app.ts';
import { audienceRevisionPrefix, encodeMembers } from '../../src/audience/members-file.ts';
import { syncWorkerArtifacts, type WorkerSyncReport } from '../../src/entry/worker-sync.ts';
import {
  buildRelease,
  deleteReleases,
  deleteShare,
  lastPull,
  type MemberDirectory,
  type PullRecord,
  putDestination,
  putShare,
  recordPull,
} from '../../src/export/index.ts';
import type { ApiKeyRecord } from '../../src/schema/index.ts';
import { DuckDbKeyStore, FsArtifactStore, Workspace } from '../../src/store/index.ts';

const root = mkdtempSync(join(tmpdir(), 'worker-sync-'));
const out = join(root, 'sync');
const ids = Array.from({ length: 300 }, (_, i) => `tp_${String(i).padStart(5, '0')}`);
let ws: Workspace;
let dspKey: string;
let revokedKey: string;
let report: WorkerSyncReport;

async function putAudience(id: string): Promise<void> {
  await ws.artifacts.publish(audienceRevisionPrefix(id, 1), {
    'manifest.json': JSON.stringify({
      kind: 'audience',
      version: 1,
      id,
      revision: 1,
      modelId: 'lm_x',
      universe: 'third_party',
      idKind: 'third_party',
      size: ids.length,
      minSize: 100,
      snapshot: 'snap100000000000',
      createdAt: '2026-11-01T00:00:00.000Z',
    }),
    'members.arrow': encodeMembers({
      ids,
      scores: Float32Array.from(ids, (_, i) => 1 - i / 1000),
      ranks: Int32Array.from(ids, (_, i) => i + 1),
    }),
  });
}

beforeAll(async () => {
  ws = await Workspace.open(join(root, 'ws'));
  await putAudience('au_shared');
  await putAudience('au_private');
  const { destination } = await putDestination(
    ws.artifacts,
    'dsp-a',
    { idForm: 'tp_id', purposes: ['ad_targeting'] },
    null,
  );
  const everyone: MemberDirectory = {
    consented: async (list) => new Uint8Array(list.length).fill(1),
    contacts: async (list) => list.map(() => null),
  };
  await buildRelease(ws.artifacts, everyone, {
    destination,
    audienceId: 'au_shared',
    minSize: 100,
    by: null,
  });
  await putShare(ws.artifacts, {
    destination: 'dsp-a',
    audienceId: 'au_shared',
    idForm: 'tp_id',
    sharedBy: null,
    sharedAt: '2026-11-02T00:00:00.000Z',
  });
  await ws.artifacts.publish('lookalike-models/lm_x', {
    'manifest.json': '{}',
    'spec.json': '{}',
    'weights.bin': new Uint8Array([1, 2, 3]),
    'calibration.json': '{}',
  });
  const keys = await DuckDbKeyStore.open(ws.db);
  dspKey = (await createApiKey(keys, { name: 'dsp', role: 'ad_platform', destination: 'dsp-a' })).key;
  const revoked = await createApiKey(keys, { name: 'old', role: 'ad_platform', destination: 'dsp-a' });
  revokedKey = revoked.key;
  await revokeApiKey(keys, revoked.record.keyId);
  report = await syncWorkerArtifacts(ws.artifacts, keys, out);
});
afterAll(() => {
  ws?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('worker-sync', () => {
  it('copies shares, their releases and model files; never audience members, secrets or unshared audiences', () => {
    expect(report).toMatchObject({
      shares: 1,
      releases: 1,
      audiences: ['au_shared'],
      models: ['lm_x'],
      keys: 2,
      // share, release manifest + index + one chunk, three model files
      files: 7,
    });
    const r2 = report.bucketDir;
    expect(existsSync(join(r2, 'shares', 'dsp-a', 'au_shared.json'))).toBe(true);
    expect(existsSync(join(r2, 'lookalike-models', 'lm_x', 'weights.bin'))).toBe(true);
    expect(existsSync(join(r2, 'releases', 'dsp-a', 'au_shared', '1'))).toBe(true);
    for (const absent of [
      'audiences',
      'secrets',
      'destinations',
      join('lookalike-models', 'lm_x', 'calibration.json'),
    ])
      expect(existsSync(join(r2, absent)), absent).toBe(false);
  });

  it('writes the key records as a .dev.vars file for wrangler dev', () => {
    const text = readFileSync(report.devVarsFile, 'utf8');
    expect(text.startsWith("API_KEYS='[")).toBe(true);
    expect(JSON.parse(text.trim().slice("API_KEYS='".length, -1))).toEqual(
      JSON.parse(readFileSync(report.keysFile, 'utf8')),
    );
  });

  it('writes key records with hashes only', () => {
    const text = readFileSync(report.keysFile, 'utf8');
    expect(text).not.toContain(dspKey);
    const records = JSON.parse(text) as ApiKeyRecord[];
    expect(records.map((r) => r.role)).toEqual(['ad_platform', 'ad_platform']);
    expect(records.every((r) => /^[0-9a-f]{64}$/.test(r.hash))).toBe(true);
  });

  it('is what the Worker app serves: the shared audience exports, the rest is not there, revoked keys fail', async () => {
    const keys = new MemoryKeyStore();
    for (const r of JSON.parse(readFileSync(report.keysFile, 'utf8')) as ApiKeyRecord[]) await keys.insert(r);
    const app = createWorkerApp({
      version: 'test',
      keys,
      audit: new MemoryAuditLog(),
      artifacts: new FsArtifactStore(report.bucketDir),
    });
    const get = (path: string, key: string) =>
      app.request(path, { headers: { authorization: `Bearer ${key}` } });
    const res = await get('/v1/audiences/au_shared/export?format=csv', dspKey);
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split('\n');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(ids);
    expect((await get('/v1/audiences/au_private/export?format=csv', dspKey)).status).toBe(404);
    expect((await get('/v1/audiences/au_shared/export?format=csv', revokedKey)).status).toBe(401);
  });

  it('merges the Worker’s newer pull records found in the folder, keeps them there, and never takes an older one', async () => {
    const bucket = new FsArtifactStore(report.bucketDir);
    const byWorker: PullRecord = {
      destination: 'dsp-a',
      audienceId: 'au_shared',
      revision: 1,
      version: '1-abc',
      since: null,
      at: '2026-11-05T00:00:00.000Z',
      keyId: 'dspkey',
    };
    await recordPull(ws.artifacts, { ...byWorker, at: '2026-11-04T00:00:00.000Z', keyId: 'older' });
    await recordPull(bucket, byWorker);
    // Not taken: a record of an audience not shared, a record filed under another key, not JSON.
    await recordPull(bucket, { ...byWorker, audienceId: 'au_private' });
    await bucket.put('pulls/dsp-a/au_other.json', JSON.stringify(byWorker));
    await bucket.put('pulls/dsp-a/au_bad.json', 'not json');
    const keys = () => DuckDbKeyStore.open(ws.db);
    const again = await syncWorkerArtifacts(ws.artifacts, await keys(), out);
    expect(again.pullsMerged).toBe(1);
    expect(await lastPull(ws.artifacts, 'dsp-a', 'au_shared')).toEqual(byWorker);
    expect(await lastPull(ws.artifacts, 'dsp-a', 'au_private')).toBeNull();
    expect(again.removed).toEqual([]);
    expect(await bucket.list('pulls/')).toHaveLength(4);
    const newer = { ...byWorker, at: '2026-11-06T00:00:00.000Z', keyId: 'node' };
    await recordPull(ws.artifacts, newer);
    expect((await syncWorkerArtifacts(ws.artifacts, await keys(), out)).pullsMerged).toBe(0);
    expect(await lastPull(ws.artifacts, 'dsp-a', 'au_shared')).toEqual(newer);
  });

  // Mutates the workspace: keep it last.
  it('synced again into the same folder, leaves out and lists what is no longer served', async () => {
    expect(report.removed).toEqual([]);
    const served = (k: string) => !k.startsWith('pulls/');
    const before = (await new FsArtifactStore(report.bucketDir).list('')).filter(served);
    await ws.artifacts.unpublish('lookalike-models/lm_x');
    await deleteShare(ws.artifacts, 'dsp-a', 'au_shared');
    await deleteReleases(ws.artifacts, 'dsp-a', 'au_shared');
    const again = await syncWorkerArtifacts(ws.artifacts, await DuckDbKeyStore.open(ws.db), out);
    // Only the Worker's own pull records stay: they are its bucket's, not the workspace's.
    const after = await new FsArtifactStore(again.bucketDir).list('');
    expect(after.filter(served)).toEqual([]);
    expect(after.length).toBeGreaterThan(0);
    expect([...again.removed].sort()).toEqual(before);
    // Manifests go first, so a bucket deleted in this order never holds a manifest without its data.
    const firstData = again.removed.findIndex((k) => !k.endsWith('/manifest.json'));
    expect(again.removed.slice(firstData).some((k) => k.endsWith('/manifest.json'))).toBe(false);
    expect(JSON.parse(readFileSync(again.removedFile, 'utf8'))).toEqual(again.removed);
    const third = await syncWorkerArtifacts(ws.artifacts, await DuckDbKeyStore.open(ws.db), out);
    expect(third.removed).toEqual([]);
  });
});
