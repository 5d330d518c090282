import type { OpenAPIHono } from '@hono/zod-openapi';
import type { JobQueue } from '../jobs/index.ts';
import type { NeedFiles, TokenizerPool } from '../needs/index.ts';
import type { ApiKeyStore, AuditLog, LocalFiles, TaskRunner, UploadStore } from '../schema/index.ts';
import type { Workspace } from '../store/index.ts';
import type { ApiEnv } from './auth.ts';
import type { AuthFailureLimits, ClientAddress } from './auth-failures.ts';
import type { RateLimits } from './rate-limit.ts';

export type ApiApp = OpenAPIHono<ApiEnv>;

/** Need classification settings: models retrained over the API win over the shipped ones. */
export interface NeedsDeps {
  /** Where `POST /v1/needs/models` publishes `<theme>/` (the workspace's, never the shipped folder). */
  modelsDir: string;
  /** Tokenizes classify requests on worker threads, so a large batch does not stall other requests. */
  pool?: TokenizerPool;
  /** Themes, corpora and models (Node: `nodeNeedFiles`); need routes answer 503 without it. */
  files?: NeedFiles;
}

/** What every runtime provides. */
export interface CoreDeps {
  version: string;
  keys: ApiKeyStore;
  audit: AuditLog;
  rateLimits?: RateLimits;
  /** Failed authentications allowed per minute per client address (default 30). */
  authFailureLimits?: AuthFailureLimits;
  /** Names the client of a request, for the failed-authentication limit (default: one shared bucket). */
  clientAddress?: ClientAddress;
  /** Check every JSON response against its route's schema (tests); a mismatch becomes a 500. */
  checkResponses?: boolean;
  /** Serves the browsable API docs' static files (swagger-ui), locally, never from a CDN. */
  docsAsset?: (file: string) => Promise<{ body: Uint8Array; type: string } | null>;
}

/** Everything the Node routes depend on; each runtime passes what it has (the Worker has no DuckDB). */
export interface ApiDeps extends CoreDeps {
  jobs?: JobQueue;
  /** Worker threads for the CPU-heavy steps of operations run on the request path. */
  runner?: TaskRunner;
  /** Where uploaded files wait for their import (Node: the workspace's tmp folder). */
  uploads?: UploadStore;
  /** The DuckDB workspace the domain routes read (Node only). */
  workspace?: Workspace;
  /** Need classification (Node): where retrained models live, and a tokenizer pool. */
  needs?: NeedsDeps;
  /** Serves the studio page's files (`vendor`: its chart libraries from node_modules); no studio without it. */
  studioAsset?: (file: string, vendor: boolean) => Promise<{ body: Uint8Array; type: string } | null>;
  /** Largest accepted upload, in bytes (default 512 MiB). */
  uploadLimitBytes?: number;
  /** Uploads at least this large run as a job (default 16 MiB). */
  asyncImportBytes?: number;
  /** Smallest audience released to a destination (default 100). */
  exportMinSize?: number;
  /** Key IDs of the local CLI (the server's own operator key): they may run `localOnly` operations. */
  operatorKeys?: Set<string>;
  /** The server machine's files, for `localOnly` operations the local CLI sends. */
  files?: LocalFiles;
}
