import { type ServerType, serve } from '@hono/node-server';
import type { GenerateOptions } from '../sample/index.ts';
import { Workspace } from '../store/index.ts';
import { ensureSampleData } from './bootstrap.ts';
import { buildServer, demoKeys } from './server.ts';

export interface ServeOptions {
  home: string;
  port: number;
  host?: string;
  /** Sample size used when the workspace is empty. */
  sample?: Omit<GenerateOptions, 'outDir'>;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Opens the workspace (building the sample one when it is empty), then serves the API and
 * prints demo keys and example calls. Closing waits for running jobs, then releases the
 * workspace.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const host = options.host ?? '127.0.0.1';
  const ws = await Workspace.open(options.home);
  log(`workspace ${ws.home}`);
  const boot = await ensureSampleData(ws, { ...options.sample, onStage: (s) => log(`- ${s} ...`) });
  if (boot.generated) log(`  generated in ${boot.generated.seconds.toFixed(1)} s`);
  for (const r of boot.imports)
    log(`  ${r.table}: ${r.accepted.toLocaleString('en-US')} rows (${r.rejected} rejected)`);
  const server = await buildServer(ws);
  if (server.interrupted)
    log(`- ${server.interrupted} job(s) left unfinished by the last run were marked failed`);
  const keys = await demoKeys(ws);

  const http: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: server.app.fetch, port: options.port, hostname: host }, () => resolve(s));
  });
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const base = `http://${host}:${port}`;
  log('');
  log(`Lookalike engine API listening on ${base}  (docs: ${base}/docs, OpenAPI: ${base}/openapi.json)`);
  log('Demo keys (local sample workspace only):');
  for (const [role, key] of Object.entries(keys)) log(`  ${role.padEnd(15)} ${key}`);
  log('');
  log('Try:');
  log(`  curl -s ${base}/healthz`);
  log(`  curl -s -H "Authorization: Bearer ${keys.data_scientist}" ${base}/v1/tables`);
  log(`  curl -s -H "Authorization: Bearer ${keys.admin}" "${base}/v1/audit?limit=5"`);
  return {
    url: base,
    close: async () => {
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await server.jobs.idle();
      ws.close();
    },
  };
}
