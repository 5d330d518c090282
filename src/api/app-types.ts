import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ImportOptions, ImportReport } from '../ingest/index.ts';
import type { JobQueue } from '../jobs/index.ts';
import type { TokenizerPool } from '../needs/index.ts';
import type { ApiKeyStore, AuditLog, TableName } from '../schema/index.ts';
import type { TableDescription, Workspace } from '../store/index.ts';
import type { ApiEnv } from './auth.ts';
import type { RateLimits } from './rate-limit.ts';

export type ApiApp = OpenAPIHono<ApiEnv>;

/** A file received over HTTP, saved where the importer can read it. */
export interface SavedUpload {
  path: string;
  bytes: number;
  cleanup(): Promise<void>;
}

/** Workspace data operations the API needs; Node implements them over DuckDB. */
export interface DataService {
  rowCounts(): Promise<Record<TableName, number>>;
  describe(table: TableName): Promise<TableDescription>;
  saveUpload(body: ReadableStream<Uint8Array>, filename: string, limitBytes: number): Promise<SavedUpload>;
  importFile(options: ImportOptions): Promise<ImportReport>;
}

/** Need classification settings: models retrained over the API win over the shipped ones. */
export interface NeedsDeps {
  /** Where `POST /v1/needs/models` publishes `<theme>/` (the workspace's, never the shipped folder). */
  modelsDir: string;
  /** Tokenizes classify requests on worker threads, so a large batch does not stall other requests. */
  pool?: TokenizerPool;
}

/** What every runtime provides. */
export interface CoreDeps {
  version: string;
  keys: ApiKeyStore;
  audit: AuditLog;
  rateLimits?: RateLimits;
  /** Serves the browsable API docs' static files (swagger-ui), locally, never from a CDN. */
  docsAsset?: (file: string) => Promise<{ body: Uint8Array; type: string } | null>;
}

/** Everything the Node routes depend on; each runtime passes what it has (the Worker has no DuckDB). */
export interface ApiDeps extends CoreDeps {
  jobs?: JobQueue;
  data?: DataService;
  /** The DuckDB workspace the domain routes read (Node only). */
  workspace?: Workspace;
  /** Need classification (Node): where retrained models live, and a tokenizer pool. */
  needs?: NeedsDeps;
  /** Largest accepted upload, in bytes (default 512 MiB). */
  uploadLimitBytes?: number;
  /** Uploads at least this large run as a job (default 16 MiB). */
  asyncImportBytes?: number;
  /** Where exports read audiences and shares (default: the workspace's artifact store). */
  artifacts?: import('../store/artifacts.ts').ArtifactStore;
  /** Smallest audience released to a destination (default 100). */
  exportMinSize?: number;
}
