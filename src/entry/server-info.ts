/**
 * One writer, many clients (DESIGN §7): DuckDB lets one process write the workspace, and while the
 * API server runs, that process is the server. It leaves `<home>/server.json` (URL, pid, and a
 * local operator key readable only by the workspace's owner) so that a CLI started beside it can
 * find it and go through its API instead of failing on DuckDB's file lock. The key grants nothing
 * the file system does not already grant: whoever can read the home folder can read the database.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../schema/index.ts';
import { writeFileAtomic } from '../store/index.ts';

export interface ServerInfo {
  url: string;
  pid: number;
  startedAt: string;
  /** An admin key for this machine's CLI, revoked when the server stops. */
  key: string;
  keyId: string;
}

const FILE = 'server.json';

export async function writeServerInfo(home: string, info: ServerInfo): Promise<void> {
  await writeFileAtomic(join(home, FILE), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
}

export async function removeServerInfo(home: string): Promise<void> {
  await rm(join(home, FILE), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The server serving `home`, if one is running (a file left by a crashed server is ignored). */
export function readServerInfo(home: string): ServerInfo | null {
  let info: ServerInfo;
  try {
    info = JSON.parse(readFileSync(join(home, FILE), 'utf8')) as ServerInfo;
  } catch {
    return null;
  }
  return Number.isInteger(info.pid) && alive(info.pid) ? info : null;
}

/** True when an error is DuckDB refusing a second process the workspace file. */
export function isLockConflict(err: unknown): boolean {
  return err instanceof Error && /Could not set lock on file/i.test(err.message);
}

/** The one sentence the CLI says when the workspace is held by another process. */
export function workspaceBusyError(home: string, info: ServerInfo | null, command: string): AppError {
  const held = info
    ? `the API server (pid ${info.pid}, ${info.url}) is serving the workspace ${home}`
    : `another process holds the workspace ${home} (DuckDB allows one writer)`;
  const what = info
    ? `"${command}" cannot go through the API yet: stop the server (Ctrl-C in its terminal) and run it again, or use the API at ${info.url}/docs`
    : `stop that process (e.g. a running "npm start" or "lookalike serve") and run "${command}" again`;
  return new AppError('workspace-busy', `${held}; ${what}`, 409);
}
