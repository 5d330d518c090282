/**
 * `lookalike cloud`: scoring runs on Cloudflare (Workers + Queues + R2) started from this machine.
 * `cloud score` builds or finds the snapshot, copies it and the run's plan into a folder laid out
 * like the R2 bucket (`<bucket-dir>/<key>`) and sends the pass 1 messages through Cloudflare's
 * HTTP API for Queues; with `--stage-only` it sends nothing, and `cloud send` sends once the
 * folder is synced to the bucket (e.g. `rclone sync <bucket-dir> r2:<bucket>`). The API token is
 * read from CLOUDFLARE_API_TOKEN (never a flag: flags end up in shell history).
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { localFiles, nodeNeedFiles } from '../../adapters/index.ts';
import { type CloudOpContext, type CloudTarget, parseInput, scoreCloudOp } from '../../ops/index.ts';
import {
  httpQueueSender,
  type QueueSenderLike,
  type ShardMessage,
  sendStagedRun,
} from '../../scale/index.ts';
import { InvalidInputError } from '../../schema/index.ts';
import { FsArtifactStore } from '../../store/index.ts';
import { flagNumber } from '../cli-op.ts';
import { fmtNumber, type GlobalOptions, print, progressBar, withWorkspace } from '../cli-support.ts';
import { needModelsDir } from '../server.ts';

interface QueueFlags {
  accountId?: string;
  queueId?: string;
}

/**
 * The shard queue from flags or the environment (CLOUDFLARE_ACCOUNT_ID, SCALE_QUEUE_ID,
 * CLOUDFLARE_API_TOKEN).
 *
 * @throws InvalidInputError naming what is missing.
 */
export function queueFrom(
  o: QueueFlags,
  env: NodeJS.ProcessEnv = process.env,
): QueueSenderLike<ShardMessage> {
  const accountId = o.accountId ?? env.CLOUDFLARE_ACCOUNT_ID;
  const queueId = o.queueId ?? env.SCALE_QUEUE_ID;
  const token = env.CLOUDFLARE_API_TOKEN;
  if (!accountId) throw new InvalidInputError('give --account-id or set CLOUDFLARE_ACCOUNT_ID', 'accountId');
  if (!queueId) {
    throw new InvalidInputError(
      'give --queue-id (the lookalike-scale-shards queue id: `wrangler queues info lookalike-scale-shards`) or set SCALE_QUEUE_ID',
      'queueId',
    );
  }
  if (!token) throw new InvalidInputError('set CLOUDFLARE_API_TOKEN (a token with Queues Edit)', 'token');
  return httpQueueSender({ accountId, queueId, token });
}

function bucketStore(dir: string): { store: FsArtifactStore; path: string } {
  const path = resolve(dir);
  mkdirSync(path, { recursive: true });
  return { store: new FsArtifactStore(path), path };
}

export function registerCloudCommands(program: Command, globals: () => GlobalOptions): void {
  const cloud = program
    .command('cloud')
    .description('Scoring runs on Cloudflare Workers + Queues + R2, started from here');
  cloud
    .command('score')
    .description(scoreCloudOp.summary)
    .argument('<modelId>')
    .requiredOption('--bucket-dir <dir>', 'folder laid out like the R2 bucket (synced to it)')
    .option('--size <n>', 'audience size of the members pass (default 10000)')
    .option('--shard-rows <n>', 'rows per shard if the snapshot is built (default 250000)')
    .option('--run-id <id>', 'run id (default: a new one)')
    .option('--account-id <id>', 'Cloudflare account id (default $CLOUDFLARE_ACCOUNT_ID)')
    .option('--queue-id <id>', 'id of the shard queue (default $SCALE_QUEUE_ID)')
    .option('--stage-only', 'write the files only; send with `cloud send` after syncing the folder')
    .action(
      async (
        id: string,
        o: QueueFlags & {
          bucketDir: string;
          size?: string;
          shardRows?: string;
          runId?: string;
          stageOnly?: boolean;
        },
      ) => {
        const g = globals();
        const input = parseInput(scoreCloudOp, {
          modelId: id,
          size: flagNumber(o.size),
          shardRows: flagNumber(o.shardRows),
          runId: o.runId,
        });
        // Checked before any work: a missing token should not cost a snapshot build first.
        const queue = o.stageOnly ? null : queueFrom(o);
        const { store, path } = bucketStore(o.bucketDir);
        const target: CloudTarget = { store, queue, describe: path };
        const bar = progressBar('cloud run');
        const r = await withWorkspace(g, (ws) => {
          const ctx: CloudOpContext = {
            ws,
            cloud: target,
            files: localFiles(),
            needModelsDir: needModelsDir(ws),
            needFiles: nodeNeedFiles,
            progress: (fraction, message) => bar.update(fraction, message),
          };
          return scoreCloudOp.run(ctx, input).finally(() => bar.stop());
        });
        print(r, g, () =>
          [
            `run ${r.runId}: snapshot ${r.snapshot.key} (${fmtNumber(r.snapshot.rows)} rows, ${r.snapshot.shards} shards, ${r.snapshot.built ? 'built now' : 'reused'})`,
            r.upload.reused
              ? `the snapshot was already in ${r.target}`
              : `copied ${r.upload.files} snapshot files (${fmtNumber(r.upload.bytes)} bytes) to ${r.target}`,
            r.sent
              ? `sent ${r.messages} pass 1 messages; the members will be at ${r.members} in the bucket`
              : `staged ${r.messages} pass 1 messages: sync ${r.target} to the bucket, then run \`lookalike cloud send ${r.runId} --bucket-dir ${o.bucketDir}\``,
          ].join('\n'),
        );
      },
    );
  cloud
    .command('send')
    .description('Send the pass 1 messages of a run staged with `cloud score --stage-only`')
    .argument('<runId>')
    .requiredOption('--bucket-dir <dir>', 'the folder the run was staged in')
    .option('--account-id <id>', 'Cloudflare account id (default $CLOUDFLARE_ACCOUNT_ID)')
    .option('--queue-id <id>', 'id of the shard queue (default $SCALE_QUEUE_ID)')
    .action(async (runId: string, o: QueueFlags & { bucketDir: string }) => {
      const g = globals();
      const sent = await sendStagedRun(bucketStore(o.bucketDir).store, runId, queueFrom(o));
      print({ runId, sent }, g, () => `sent ${sent} pass 1 messages of run ${runId}`);
    });
}
