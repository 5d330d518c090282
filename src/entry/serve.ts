import { type ServerType, serve } from '@hono/node-server';
import { createApiKey, type RateLimits, revokeApiKey } from '../api/index.ts';
import type { GenerateOptions } from '../sample/index.ts';
import type { Role } from '../schema/index.ts';
import { type DuckDbKeyStore, Workspace } from '../store/index.ts';
import {
  DEMO_DESTINATION,
  type DemoArtifacts,
  ensureDemoArtifacts,
  ensureDemoShare,
  ensureSampleData,
} from './bootstrap.ts';
import { buildServer, demoKeys } from './server.ts';
import { removeServerInfo, writeServerInfo } from './server-info.ts';

export interface ServeOptions {
  home: string;
  port: number;
  host?: string;
  /** Sample size used when the workspace is empty. */
  sample?: Omit<GenerateOptions, 'outDir'>;
  /** Build (or reuse) the demo segmentation, model and audience before serving. Default true. */
  demo?: boolean;
  /** Requests per minute per key, by role (default `DEFAULT_RATE_LIMITS`). */
  rateLimits?: RateLimits;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  keys: Record<Role, string>;
  demo: DemoArtifacts | null;
  /** The example calls printed at start, as printed. */
  examples: string[];
  /** Seconds from the call to listening. */
  startSeconds: number;
  close(): Promise<void>;
}

const OPERATOR_KEY_NAME = 'local CLI (server.json)';

/**
 * The admin key a CLI beside this server uses (see `server-info.ts`): one per server run, and the
 * ones a crashed run left behind are revoked first.
 */
async function issueOperatorKey(keys: DuckDbKeyStore) {
  const at = new Date().toISOString();
  for (const k of await keys.list())
    if (k.name === OPERATOR_KEY_NAME && !k.revokedAt) await keys.revoke(k.keyId, at);
  return createApiKey(keys, { name: OPERATOR_KEY_NAME, role: 'admin' });
}

/** Quotes a shell word with single quotes. */
const sq = (s: string) => `'${s.replaceAll("'", `'"'"'`)}'`;

/** The example calls printed at start: each works exactly as printed against this server. */
export function exampleCalls(base: string, keys: Record<Role, string>, demo: DemoArtifacts | null): string[] {
  const out = [`curl -s ${base}/healthz`];
  if (demo)
    out.push(`curl -s -H "Authorization: Bearer ${keys.marketer}" ${base}/v1/audiences/${demo.audienceId}`);
  const classify = JSON.stringify({
    theme: 'convection_oven',
    texts: ['唐揚げはイマイチだけど、パンはふっくら焼けて良かった'],
  });
  out.push(
    `curl -s -X POST -H "Authorization: Bearer ${keys.marketer}" -H "Content-Type: application/json" -d ${sq(classify)} ${base}/v1/needs/classify`,
  );
  if (demo)
    out.push(
      `curl -s -H "Authorization: Bearer ${keys.data_scientist}" "${base}/v1/lookalike-models/${demo.modelId}/frontier?steps=8"`,
    );
  else out.push(`curl -s -H "Authorization: Bearer ${keys.data_scientist}" ${base}/v1/tables`);
  // What the demo ad platform pulls: the demo audience as its keyed IDs (see ensureDemoShare).
  if (demo)
    out.push(
      `curl -s -H "Authorization: Bearer ${keys.ad_platform}" "${base}/v1/audiences/${demo.audienceId}/export?format=csv&limit=5"`,
    );
  return out;
}

/**
 * Opens the workspace (building the sample one when it is empty, and the demo segmentation,
 * model and audience when they are absent), then serves the API and prints demo keys and
 * example calls. Closing waits for running jobs, then releases the workspace.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const t0 = performance.now();
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const host = options.host ?? '127.0.0.1';
  const ws = await Workspace.open(options.home);
  log(`workspace ${ws.home}`);
  const boot = await ensureSampleData(ws, { ...options.sample, onStage: (s) => log(`- ${s} ...`) });
  if (boot.generated) log(`  generated in ${boot.generated.seconds.toFixed(1)} s`);
  for (const r of boot.imports)
    log(`  ${r.table}: ${r.accepted.toLocaleString('en-US')} rows (${r.rejected} rejected)`);
  const server = await buildServer(ws, {
    warmPool: true,
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
  });
  if (server.interrupted)
    log(`- ${server.interrupted} job(s) left unfinished by the last run were marked failed`);
  let demo: DemoArtifacts | null = null;
  try {
    if (options.demo ?? true) {
      demo = await ensureDemoArtifacts(ws, { pool: server.pool, onStage: (s) => log(`- ${s} ...`) });
      const b = demo.built;
      const s = demo.seconds;
      log(
        `  demo: segmentation ${demo.segmentationId} (${b.segmentation ? `built in ${s.segmentation.toFixed(1)} s` : 'reused'}), ` +
          `model ${demo.modelId} (${b.model ? `trained in ${s.model.toFixed(1)} s` : 'reused'}), ` +
          `audience ${demo.audienceId} (${b.audience ? `built in ${s.audience.toFixed(1)} s` : 'reused'})`,
      );
      if (await ensureDemoShare(ws))
        log(
          `  demo: ${demo.audienceId} shared with destination ${DEMO_DESTINATION} (keyed IDs) for the ad_platform key`,
        );
    }
  } catch (err) {
    await server.close();
    ws.close();
    throw err;
  }
  const keys = await demoKeys(ws, server.keys);

  const http: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: server.app.fetch, port: options.port, hostname: host }, () => resolve(s));
  });
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const base = `http://${host}:${port}`;
  const operator = await issueOperatorKey(server.keys);
  server.operatorKeys.add(operator.record.keyId);
  await writeServerInfo(ws.home, {
    url: base,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    key: operator.key,
    keyId: operator.record.keyId,
  });
  const startSeconds = (performance.now() - t0) / 1000;
  const examples = exampleCalls(base, keys, demo);
  log('');
  log(`Lookalike engine API listening on ${base}  (docs: ${base}/docs, OpenAPI: ${base}/openapi.json)`);
  log(`Audience studio: ${base}/studio/  (log in with the marketer key below)`);
  log(`ready in ${startSeconds.toFixed(1)} s`);
  log('Demo keys (local sample workspace only):');
  for (const [role, key] of Object.entries(keys)) log(`  ${role.padEnd(15)} ${key}`);
  log('');
  log('Try:');
  for (const line of examples) log(`  ${line}`);
  return {
    url: base,
    keys,
    demo,
    examples,
    startSeconds,
    close: async () => {
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await removeServerInfo(ws.home);
      await revokeApiKey(server.keys, operator.record.keyId).catch(() => undefined);
      await server.close();
      ws.close();
    },
  };
}
