import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderUploads } from '../../src/adapters/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { tempWorkspace } from '../helpers/workspace.ts';
import { type TestApi, testApi } from './helpers.ts';

let api: TestApi;
let ws: Workspace;
let cleanup: () => void;

beforeAll(async () => {
  ({ ws, cleanup } = await tempWorkspace());
  api = await testApi({ uploads: folderUploads(ws.tmpDir), workspace: ws, uploadLimitBytes: 1024 * 1024 });
});
afterAll(() => cleanup());

const TRANSACTIONS =
  'receipt_id,member_id,store_id,channel,ts,product_id,quantity,unit_price,amount\n' +
  'R1,M1,S1,store,2025-01-05 10:00:00,P1,2,198,396\n';

const upload = (table: string, query: string, body: string) =>
  api.call(`/v1/imports/${table}?${query}`, {
    key: 'data_scientist',
    method: 'POST',
    body,
    headers: { 'content-type': 'text/csv' },
  });
const problem = async (res: Response) =>
  (await res.json()) as { type: string; detail: string; earlier?: unknown };
const uploadsLeft = () => readdirSync(ws.tmpDir).filter((f) => f.startsWith('upload-'));

describe('POST /v1/imports/{table}', () => {
  it('names the uploaded file in errors, never its path on the server', async () => {
    const res = await upload('members', 'filename=people.csv', TRANSACTIONS);
    expect(res.status).toBe(422);
    const { detail } = await problem(res);
    expect(detail).toMatch(/^people\.csv looks like a transactions file, not members/);
    expect(detail).not.toContain(ws.tmpDir);
    expect(uploadsLeft()).toEqual([]);
  });

  it('a malformed map or set is refused before the upload is kept', async () => {
    for (const query of ['map=nonsense', 'set=channel']) {
      const res = await upload('transactions', `filename=t.csv&${query}`, TRANSACTIONS);
      expect(res.status).toBe(422);
      expect(uploadsLeft()).toEqual([]);
    }
  });

  it('refuses the same bytes twice with 409, and takes them with allowRepeat=true', async () => {
    expect((await upload('transactions', 'filename=t.csv', TRANSACTIONS)).status).toBe(200);
    const again = await upload('transactions', 'filename=t.csv', TRANSACTIONS);
    expect(again.status).toBe(409);
    const body = await problem(again);
    expect(body.type).toBe('https://lookalike.dev/problems/repeated-import');
    expect(body.detail).toMatch(
      /^t\.csv has the same content \(SHA-256 [0-9a-f]{12}…\) as import imp_\d{14}_[0-9a-f]{8} into transactions on /,
    );
    expect(body.earlier).toMatchObject({ importId: expect.stringMatching(/^imp_/) });
    const allowed = await upload('transactions', 'filename=t.csv&allowRepeat=true', TRANSACTIONS);
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toMatchObject({ source: 't.csv', accepted: 1, tableRowsAfter: 2 });
    expect(uploadsLeft()).toEqual([]);
  });
});
