import type { Command } from 'commander';
import { createApiKey, revokeApiKey } from '../../api/index.ts';
import { ROLES } from '../../schema/index.ts';
import { DuckDbKeyStore } from '../../store/index.ts';
import { type GlobalOptions, print, textTable, withWorkspace } from '../cli-support.ts';
import { syncWorkerArtifacts } from '../worker-sync.ts';

/**
 * API keys (the same store the API's admin routes use) and the Worker sync. Both write the
 * workspace, so they run while the server is stopped: DuckDB allows one writing process.
 */
export function registerKeyCommands(program: Command, globals: () => GlobalOptions): void {
  const keys = program.command('keys').description('API keys: create, list, revoke (stored hashed)');
  keys
    .command('create')
    .description('create a key and print it once (only its SHA-256 hash is stored)')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--name <name>', 'who or what the key is for', '')
    .option('--destination <name>', 'the destination an ad_platform key reads (e.g. dsp-tokyo)')
    .action(async (o: { role: string; name: string; destination?: string }) => {
      const opts = globals();
      await withWorkspace(opts, async (ws) => {
        const store = await DuckDbKeyStore.open(ws.db);
        const { key, record } = await createApiKey(store, {
          name: o.name,
          role: o.role,
          destination: o.destination ?? null,
        });
        print(
          { key, ...record, hash: undefined },
          opts,
          () =>
            `${key}\n(${record.role}${record.destination ? ` for ${record.destination}` : ''}, id ${record.keyId}; shown once, keep it safe)`,
        );
      });
    });
  keys
    .command('list')
    .description('every key with its role, destination and state (never the key itself)')
    .action(async () => {
      const opts = globals();
      await withWorkspace(opts, async (ws) => {
        const records = (await (await DuckDbKeyStore.open(ws.db)).list()).map(({ hash: _hash, ...r }) => r);
        print(records, opts, () =>
          textTable(
            records.map((r) => ({
              id: r.keyId,
              name: r.name,
              role: r.role,
              destination: r.destination ?? '',
              created: r.createdAt,
              revoked: r.revokedAt ?? '',
            })),
          ),
        );
      });
    });
  keys
    .command('revoke <keyId>')
    .description('revoke a key: it fails on its next request')
    .action(async (keyId: string) => {
      const opts = globals();
      await withWorkspace(opts, async (ws) => {
        await revokeApiKey(await DuckDbKeyStore.open(ws.db), keyId);
        print({ keyId, revoked: true }, opts, () => `revoked ${keyId}`);
      });
    });

  program
    .command('worker-sync <dir>')
    .description(
      'write what the Cloudflare Worker serves (shares, shared audiences, models) as an R2 bucket folder, and its API_KEYS secret',
    )
    .action(async (dir: string) => {
      const opts = globals();
      await withWorkspace(opts, async (ws) => {
        const r = await syncWorkerArtifacts(ws.artifacts, await DuckDbKeyStore.open(ws.db), dir);
        print(r, opts, () =>
          [
            `${r.files} files (${(r.bytes / 1e6).toFixed(1)} MB) in ${r.bucketDir}: ${r.shares} shares, ${r.audiences.length} shared audiences, ${r.models.length} models`,
            `${r.keys} key records (hashes only) in ${r.keysFile}`,
            'upload: wrangler r2 object put <bucket>/<key> --file <dir>/r2/<key> for each file (manifests last),',
            `then: wrangler secret put API_KEYS < ${r.keysFile}`,
          ].join('\n'),
        );
      });
    });
}
