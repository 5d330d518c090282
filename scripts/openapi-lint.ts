/**
 * Lints the OpenAPI document the full Node app serves (every route mounted) with Redocly's
 * recommended rules (`redocly.yaml`): writes it to a temporary file and runs the CLI installed
 * with the project. Exits non-zero on any error or warning.
 *
 *   npm run lint:openapi
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { folderUploads } from '../src/adapters/index.ts';
import { createApp, MemoryAuditLog, MemoryKeyStore } from '../src/api/index.ts';
import { JobQueue, MemoryJobStore, opJobs } from '../src/jobs/index.ts';
import { OPERATIONS } from '../src/ops/index.ts';
import { Workspace } from '../src/store/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'openapi-lint-'));
const ws = await Workspace.open(join(dir, 'ws'));
let status = 1;
try {
  const uploads = folderUploads(ws.tmpDir);
  const needModelsDir = join(dir, 'needs');
  const jobs = new JobQueue(new MemoryJobStore(), {
    ...opJobs(OPERATIONS, { ws, needModelsDir, uploads }),
  });
  const app = createApp({
    version: '0.1.0',
    keys: new MemoryKeyStore(),
    audit: new MemoryAuditLog(),
    uploads,
    jobs,
    workspace: ws,
    needs: { modelsDir: needModelsDir },
  });
  const file = join(dir, 'openapi.json');
  writeFileSync(file, await (await app.request('http://127.0.0.1:8787/openapi.json')).text());
  const cli = join(dirname(createRequire(import.meta.url).resolve('@redocly/cli/package.json')), 'bin', 'cli.js');
  const run = spawnSync(process.execPath, [cli, 'lint', file, '--config', 'redocly.yaml', '--max-problems', '1000'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  });
  process.stdout.write(run.stdout);
  // Redocly exits 0 on warnings: treat them as failures too, so the document stays clean.
  status = run.status !== 0 || /warning/i.test(run.stdout.split('\n').slice(-6).join('\n')) ? 1 : 0;
} finally {
  ws.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(status);
