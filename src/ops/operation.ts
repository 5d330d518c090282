/**
 * An operation is one thing a user can do (train a lookalike, create an audience, classify texts),
 * defined once: its input schema with defaults and limits, the roles that may run it, whether it is
 * long work (a job), and the function that does it. The API, the CLI, the job queue and the
 * Worker are adapters over operations: they parse with `op.input` and call `op.run`, so they
 * cannot disagree on a default, a limit or a rule.
 */
import type { z } from 'zod';
import type { NeedFiles } from '../needs/index.ts';
import {
  type ApiKeyStore,
  AppError,
  type AuditLog,
  type LocalFiles,
  type ProgressFn,
  type Role,
  type TaskRunner,
  type UploadStore,
} from '../schema/index.ts';
import type { Workspace } from '../store/index.ts';

/** Who is running an operation (absent for the CLI on the workspace owner's machine). */
export interface Caller {
  keyId: string;
  role: Role;
  destination: string | null;
}

/** A queued or running job as operations see it: its kind (an operation name) and input. */
export interface ActiveJob {
  id: string;
  kind: string;
  state: 'queued' | 'running';
  params: unknown;
}

/** What an operation may use. Runtimes fill it; operations never reach for globals. */
export interface OpContext {
  /** The workspace; absent where a runtime has none (the Worker). Read it with `wsOf`. */
  ws?: Workspace;
  /** Worker threads for CPU-heavy steps (training, k-means, tokenizing); absent: this thread. */
  runner?: TaskRunner;
  /** Where retrained need models are published (the workspace's, never the shipped folder). */
  needModelsDir: string;
  /** The needs layer's files (themes, corpora, models); need operations answer 503 without it. */
  needFiles?: NeedFiles;
  progress: ProgressFn;
  signal?: AbortSignal;
  caller?: Caller;
  /** The machine's files, for `localOnly` operations (the CLI and the server beside it). */
  files?: LocalFiles;
  /** Files uploaded to this server, for imports (the API's; absent elsewhere). */
  uploads?: UploadStore;
  /**
   * Queued and running jobs (the server's queue), so an operation can refuse to remove what a job
   * is about to use; absent where no queue runs (the CLI without a server).
   */
  activeJobs?: () => Promise<readonly ActiveJob[]>;
  /** API keys and the audit trail (admin operations). */
  keys?: ApiKeyStore;
  audit?: AuditLog;
  /** The caller's recent jobs of a kind, newest first (for per-key quotas); absent: no quota applies. */
  recentJobs?: (kind: string) => Promise<{ state: string; createdAt: string }[]>;
}

export interface Operation<In extends z.ZodType = z.ZodType, Out = unknown> {
  /** Stable name: the job kind of long operations, and the name the CLI sends to a running server. */
  readonly name: string;
  /** One line for help texts and API docs. */
  readonly summary: string;
  /** Parses raw input (JSON or CLI flags already shaped as JSON) into typed input with defaults. */
  readonly input: In;
  /** Roles that may run it through the API (admin always may). */
  readonly roles: readonly Role[];
  /** Long work runs as a job when called through the API. */
  readonly long: boolean;
  /**
   * Cheap checks run before a long operation is queued, so a bad request is answered at once
   * instead of as a failed job (e.g. a seed that matches too few people).
   */
  precheck?(ctx: OpContext, input: z.output<In>): Promise<void>;
  /** Reads or writes files of the server machine: reachable only by the CLI, never over HTTP. */
  readonly localOnly?: boolean;
  run(ctx: OpContext, input: z.output<In>): Promise<Out>;
}

/** The workspace of an operation's context. */
export function wsOf(ctx: OpContext): Workspace {
  if (!ctx.ws) throw new AppError('unavailable', 'this runtime has no workspace', 503);
  return ctx.ws;
}

/** The file port of a `localOnly` operation's context. */
export function filesOf(ctx: OpContext): LocalFiles {
  if (!ctx.files)
    throw new AppError('unavailable', 'this operation reads or writes local files; run it from the CLI', 503);
  return ctx.files;
}

export type OpInput<O> = O extends Operation<infer In, unknown> ? z.output<In> : never;
export type OpRawInput<O> = O extends Operation<infer In, unknown> ? z.input<In> : never;
export type OpOutput<O> = O extends Operation<z.ZodType, infer Out> ? Out : never;

/**
 * Declares an operation (the identity function, for inference).
 *
 * @example
 * export const listModels = defineOp({
 *   name: 'lookalike.list', summary: 'Stored lookalike models, newest first',
 *   input: z.object({}), roles: ['data_scientist', 'marketer'], long: false,
 *   run: (ctx) => listLookalikeModels(ctx.ws.artifacts),
 * });
 */
export function defineOp<In extends z.ZodType, Out>(op: Operation<In, Out>): Operation<In, Out> {
  return op;
}
