import type { Command } from 'commander';
import { createKeyOp, listKeysOp, revokeKeyOp } from '../../ops/index.ts';
import { ROLES } from '../../schema/index.ts';
import { DuckDbKeyStore } from '../../store/index.ts';
import { runCliOp } from '../cli-op.ts';
import { type GlobalOptions, print, textTable, withWorkspace } from '../cli-support.ts';
import { syncWorkerArtifacts } from '../worker-sync.ts';

/**
 * API keys, as operations over the same store the API's admin routes use (beside a running server
 * they go through it), and the Worker sync.
 */
export function registerKeyCommands(program: Command, globals: () => GlobalOptions): void {
  const keys = program.command('keys').description('API keys: create, list, revoke (stored hashed)');
  keys
    .command('create')
    .description(createKeyOp.summary)
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--name <name>', 'who or what the key is for')
    .option('--destination <name>', 'the destination an ad_platform key reads (e.g. dsp-tokyo)')
    .action(async (o: { role: string; name?: string; destination?: string }) => {
      const g = globals();
      const k = await runCliOp(g, createKeyOp, {
        name: o.name ?? `${o.role} key`,
        role: o.role,
        destination: o.destination,
      });
      print(
        k,
        g,
        () =>
          `${k.key}\n(${k.role}${k.destination ? ` for ${k.destination}` : ''}, id ${k.keyId}; shown once, keep it safe)`,
      );
    });
  keys
    .command('list')
    .description(listKeysOp.summary)
    .action(async () => {
      const g = globals();
      const { keys: records } = await runCliOp(g, listKeysOp, {});
      print(records, g, () =>
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
  keys
    .command('revoke <keyId>')
    .description(revokeKeyOp.summary)
    .action(async (keyId: string) => {
      const g = globals();
      const r = await runCliOp(g, revokeKeyOp, { keyId });
      print(r, g, () => `revoked ${r.keyId}`);
    });

  program
    .command('worker-sync <dir>')
    .description(
      'write what the Cloudflare Worker serves (shares, their releases, models) as an R2 bucket folder, and its API_KEYS secret',
    )
    .action(async (dir: string) => {
      const opts = globals();
      await withWorkspace(opts, async (ws) => {
        const r = await syncWorkerArtifacts(ws.artifacts, await DuckDbKeyStore.open(ws.db), dir);
        print(r, opts, () =>
          [
            `${r.files} files (${(r.bytes / 1e6).toFixed(1)} MB) in ${r.bucketDir}: ${r.shares} shares, ${r.releases} releases of ${r.audiences.length} audiences, ${r.models.length} models`,
            `${r.keys} key records (hashes only) in ${r.keysFile} (and ${r.devVarsFile} for wrangler dev)`,
            ...(r.pullsMerged
              ? [
                  `${r.pullsMerged} pull records made by the Worker merged into the workspace (GET /v1/shares shows them)`,
                ]
              : []),
            ...(r.removed.length
              ? [
                  `${r.removed.length} files no longer served (deleted models, revoked shares, old releases) removed from ${r.bucketDir}; delete them from the bucket too (listed in ${r.removedFile})`,
                ]
              : []),
            'local run: scripts/worker-local.sh (seeds a local R2 from this folder and starts wrangler dev --local)',
            `deploy: upload ${r.bucketDir} to the bucket (manifests last), then wrangler secret put API_KEYS < ${r.keysFile}`,
          ].join('\n'),
        );
      });
    });
}
