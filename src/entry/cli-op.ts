/**
 * The CLI's adapter over operations. A command turns its flags into the operation's raw input and
 * calls `runCliOp`, which parses it with the operation's schema (the same defaults, limits and
 * messages as the API), then runs it on the workspace, or, when an API server holds the workspace,
 * sends it to that server (`POST /v1/ops/{name}` with the server's operator key) and follows the
 * job's progress there. Either way the command prints the same result.
 */
import { localFiles, nodeNeedFiles } from '../adapters/index.ts';
import type { Operation, OpOutput } from '../ops/index.ts';
import { parseInput } from '../ops/index.ts';
import { AppError, type ProblemDetails } from '../schema/index.ts';
import { DuckDbAuditLog, DuckDbKeyStore } from '../store/index.ts';
import { type GlobalOptions, homeFrom, progressBar, withWorkspace } from './cli-support.ts';
import { needModelsDir } from './server.ts';
import { readServerInfo, type ServerInfo } from './server-info.ts';

function problemError(p: ProblemDetails): AppError {
  const type = p.type.split('/').pop() ?? 'error';
  return new AppError(type, p.detail, p.status, p.field);
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('server-error', `the server answered ${res.status} with: ${text.slice(0, 200)}`, 502);
  }
}

interface JobRecord {
  id: string;
  state: string;
  progress: { fraction: number; message: string };
  result?: unknown;
  error?: ProblemDetails;
}

/** Follows a job on the server until it finishes (server-sent events), showing its progress. */
async function followJob(server: ServerInfo, job: JobRecord, label: string): Promise<unknown> {
  const bar = progressBar(label);
  const headers = { authorization: `Bearer ${server.key}` };
  try {
    let last = job;
    const res = await fetch(`${server.url}/v1/jobs/${job.id}/events`, { headers });
    if (!res.ok || !res.body) throw problemError((await readJson(res)) as ProblemDetails);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const data = buffer
          .slice(0, end)
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trim())
          .join('');
        buffer = buffer.slice(end + 2);
        if (data) {
          last = JSON.parse(data) as JobRecord;
          bar.update(last.progress.fraction, last.progress.message);
        }
        end = buffer.indexOf('\n\n');
      }
    }
    if (last.state === 'completed') return last.result;
    if (last.state === 'failed' && last.error) throw problemError(last.error);
    throw new AppError('cancelled', `job ${job.id} was ${last.state} on the server`, 409);
  } finally {
    bar.stop();
  }
}

async function runRemote(server: ServerInfo, op: Operation, input: unknown, label: string): Promise<unknown> {
  const res = await fetch(`${server.url}/v1/ops/${op.name}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.key}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = await readJson(res);
  if (res.status === 202) return followJob(server, body as JobRecord, label);
  if (!res.ok) throw problemError(body as ProblemDetails);
  return (body as { result: unknown }).result;
}

/**
 * Runs an operation for a CLI command.
 *
 * @param raw the operation's input as JSON (flags already converted: numbers as numbers)
 * @throws InvalidInputError from the operation's schema, naming the field
 * @example
 * const result = await runCliOp(globals(), runSegmentationOp, { k: 5 });
 */
export async function runCliOp<O extends Operation>(
  g: GlobalOptions,
  op: O,
  raw: unknown,
  options: { label?: string } = {},
): Promise<OpOutput<O>> {
  const input = parseInput(op, raw);
  const label = options.label ?? op.name;
  const server = readServerInfo(homeFrom(g));
  if (server) return (await runRemote(server, op, input, label)) as OpOutput<O>;
  const bar = op.long ? progressBar(label) : null;
  try {
    return (await withWorkspace(g, async (ws) =>
      op.run(
        {
          ws,
          keys: await DuckDbKeyStore.open(ws.db),
          audit: await DuckDbAuditLog.open(ws.db),
          files: localFiles(),
          needModelsDir: needModelsDir(ws),
          needFiles: nodeNeedFiles,
          progress: (fraction, message) => bar?.update(fraction, message),
        },
        input,
      ),
    )) as OpOutput<O>;
  } finally {
    bar?.stop();
  }
}

/** A flag value as JSON for an operation's schema: numeric text becomes a number, the rest stays text. */
export function flagNumber(value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  return value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
}
