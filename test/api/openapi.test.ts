import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderUploads } from '../../src/adapters/index.ts';
import { JobQueue, MemoryJobStore, opJobs } from '../../src/jobs/index.ts';
import { OPERATIONS } from '../../src/ops/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { tempWorkspace } from '../helpers/workspace.ts';
import { type TestApi, testApi } from './helpers.ts';

let api: TestApi;
let ws: Workspace;
let cleanup: () => void;

beforeAll(async () => {
  ({ ws, cleanup } = await tempWorkspace());
  const uploads = folderUploads(ws.tmpDir);
  const jobs = new JobQueue(new MemoryJobStore(), {
    ...opJobs(OPERATIONS, { ws, needModelsDir: `${ws.home}/models/needs`, uploads }),
  });
  api = await testApi({ uploads, jobs, workspace: ws, needs: { modelsDir: `${ws.home}/models/needs` } });
});
afterAll(() => cleanup());

describe('the OpenAPI document of the full Node app', () => {
  it('documents every route served, each with bearer security and problem responses', async () => {
    const doc = (await (await api.app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
    };
    const served = api.app.routes
      .filter((r) => r.method !== 'ALL' && !['/openapi.json', '/docs', '/docs/:file'].includes(r.path))
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m} ${path}`),
    );
    expect(new Set(served)).toEqual(new Set(documented));
    for (const route of [
      'post /v1/segmentations',
      'get /v1/segmentations/{id}/affinity',
      'get /v1/segmentations/{id}/site-visitors',
      'post /v1/needs/classify',
      'get /v1/needs/themes',
      'post /v1/needs/models',
      'get /v1/needs/mix',
      'post /v1/lookalike-models',
      'get /v1/lookalike-models/{id}/frontier',
      'get /v1/lookalike-models/{id}/explain',
      'post /v1/audiences',
      'get /v1/audiences/{id}',
      'post /v1/audiences/relaxations',
    ]) {
      expect(documented).toContain(route);
      const [method, path] = route.split(' ') as [string, string];
      const op = doc.paths[path]![method]!;
      expect(op.security).toEqual([{ bearerAuth: [] }]);
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403']));
    }
  });
});
