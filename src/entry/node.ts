import { serve } from '@hono/node-server';
import { Workspace, resolveHome } from '../store/index.ts';
import { ensureSampleData } from './bootstrap.ts';
import { buildServer, demoKeys } from './server.ts';

/**
 * `npm start`: opens the workspace (building the sample one on first start), then serves the
 * API on 127.0.0.1:$PORT and prints demo keys and example calls.
 */
const home = resolveHome(undefined, process.env.LOOKALIKE_HOME);
const port = Number(process.env.PORT ?? 8787);
const host = '127.0.0.1';
const log = (line: string) => process.stdout.write(`${line}\n`);

const ws = await Workspace.open(home);
log(`workspace ${home}`);
const boot = await ensureSampleData(ws, { onStage: (s) => log(`- ${s} ...`) });
if (boot.generated) log(`  generated in ${boot.generated.seconds.toFixed(1)} s`);
for (const r of boot.imports) log(`  ${r.table}: ${r.accepted.toLocaleString('en-US')} rows (${r.rejected} rejected)`);
const server = await buildServer(ws);
if (server.interrupted) log(`- ${server.interrupted} job(s) left unfinished by the last run were marked failed`);
const keys = await demoKeys(ws);

const httpServer = serve({ fetch: server.app.fetch, port, hostname: host }, (info) => {
  const base = `http://${host}:${info.port}`;
  log('');
  log(`Lookalike engine API listening on ${base}  (docs: ${base}/docs, OpenAPI: ${base}/openapi.json)`);
  log('Demo keys (local sample workspace only):');
  for (const [role, key] of Object.entries(keys)) log(`  ${role.padEnd(15)} ${key}`);
  log('');
  log('Try:');
  log(`  curl -s ${base}/healthz`);
  log(`  curl -s -H "Authorization: Bearer ${keys.data_scientist}" ${base}/v1/tables`);
  log(`  curl -s -H "Authorization: Bearer ${keys.admin}" "${base}/v1/audit?limit=5"`);
});

const shutdown = async () => {
  httpServer.close();
  await server.jobs.idle();
  ws.close();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
