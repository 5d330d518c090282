/**
 * The rules `npm run lint:openapi` holds the document to (Redocly's recommended set, see
 * redocly.yaml), checked here too on the document of the full Node app and of the Worker, plus
 * the ones Redocly cannot know: every /v1 operation documents its client errors and the headers
 * its middleware adds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderUploads } from '../../src/adapters/index.ts';
import { MemoryAuditLog, MemoryKeyStore } from '../../src/api/index.ts';
import { derivedOperationId } from '../../src/api/openapi-doc.ts';
import { createWorkerApp } from '../../src/api/worker-app.ts';
import { JobQueue, MemoryJobStore, opJobs } from '../../src/jobs/index.ts';
import { OPERATIONS } from '../../src/ops/index.ts';
import { MemoryArtifactStore } from '../../src/store/artifacts.ts';
import type { Workspace } from '../../src/store/index.ts';
import { tempWorkspace } from '../helpers/workspace.ts';
import { testApi } from './helpers.ts';

interface Op {
  operationId?: string;
  security?: unknown[];
  responses: Record<string, { headers?: Record<string, unknown> }>;
}
interface Doc {
  servers?: { url: string }[];
  paths: Record<string, Record<string, Op>>;
}

let ws: Workspace;
let cleanup: () => void;
let node: Doc;
let worker: Doc;

beforeAll(async () => {
  ({ ws, cleanup } = await tempWorkspace());
  const uploads = folderUploads(ws.tmpDir);
  const needModelsDir = `${ws.home}/models/needs`;
  const jobs = new JobQueue(new MemoryJobStore(), {
    ...opJobs(OPERATIONS, { ws, needModelsDir, uploads }),
  });
  const api = await testApi({ uploads, jobs, workspace: ws, needs: { modelsDir: needModelsDir } });
  node = (await (await api.app.request('http://127.0.0.1:8787/openapi.json')).json()) as Doc;
  const w = createWorkerApp({
    version: 't',
    keys: new MemoryKeyStore(),
    audit: new MemoryAuditLog(),
    artifacts: new MemoryArtifactStore(),
  });
  worker = (await (await w.request('https://lookalike.example.workers.dev/openapi.json')).json()) as Doc;
});
afterAll(() => cleanup());

const operations = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ path, method, op })),
  );

describe('the OpenAPI documents', () => {
  it('name the server they came from', () => {
    expect(node.servers).toEqual([{ url: 'http://127.0.0.1:8787', description: 'this server' }]);
    expect(worker.servers![0]!.url).toBe('https://lookalike.example.workers.dev');
  });

  it('give every operation a unique operationId, and the same one on both runtimes', () => {
    for (const doc of [node, worker]) {
      const ids = operations(doc).map((o) => o.op.operationId);
      expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z0-9]*$/.test(id))).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
    }
    for (const { path, method, op } of operations(worker))
      expect(op.operationId, `${method} ${path}`).toBe(
        node.paths[path]?.[method]?.operationId ?? op.operationId,
      );
    expect(node.paths['/v1/audiences/{id}/export']!.get!.operationId).toBe('exportAudience');
    expect(derivedOperationId('get', '/v1/jobs/{id}/events')).toBe('getJobsByIdEvents');
  });

  it('mark public operations with security: [] and /v1 ones with the bearer key and its errors', () => {
    for (const doc of [node, worker]) {
      expect(doc.paths['/healthz']!.get!.security).toEqual([]);
      for (const { path, method, op } of operations(doc).filter((o) => o.path.startsWith('/v1/'))) {
        const where = `${method} ${path}`;
        expect(op.security, where).toEqual([{ bearerAuth: [] }]);
        expect(Object.keys(op.responses), where).toEqual(expect.arrayContaining(['401', '429']));
        expect(Object.keys(op.responses['429']!.headers ?? {}), where).toContain('Retry-After');
        expect(Object.keys(op.responses['401']!.headers ?? {}), where).toContain('WWW-Authenticate');
        const ok = Object.entries(op.responses).find(([status]) => status.startsWith('2'))![1];
        expect(Object.keys(ok.headers ?? {}), where).toEqual(
          expect.arrayContaining(['RateLimit-Limit', 'RateLimit-Remaining']),
        );
      }
    }
  });

  it('serve the scoring route and the pull routes on both runtimes', () => {
    for (const path of [
      '/v1/lookalike-models/{id}/score',
      '/v1/audiences/{id}/export',
      '/v1/audiences/{id}/export/info',
      '/v1/shares',
    ]) {
      expect(Object.keys(node.paths), path).toContain(path);
      expect(Object.keys(worker.paths), path).toContain(path);
    }
  });
});
