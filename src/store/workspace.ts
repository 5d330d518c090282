import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InternalInvariantError, TABLE_NAMES, TABLES, type TableName } from '../schema/index.ts';
import {
  createTableSql,
  DUCKDB_TYPES,
  keyMigrationSql,
  quoteIdent,
  quoteLiteral,
  SYSTEM_TABLES_SQL,
  tablesMissingKeySql,
} from './ddl.ts';
import { DuckDb } from './duckdb.ts';
import { FsArtifactStore } from './fs-artifacts.ts';

export const DEFAULT_HOME = '.lookalike';

/** A workspace made before a column joined its table's contract (e.g. members.email) gains it, empty. */
async function addMissingColumns(db: DuckDb): Promise<void> {
  const have = await db.rows<{ t: string; c: string }>(
    'SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema()',
  );
  const present = new Set(have.map((r) => `${r.t}.${r.c}`));
  for (const name of TABLE_NAMES) {
    for (const column of TABLES[name].columns) {
      if (present.has(`${name}.${column.name}`)) continue;
      await db.run(
        `ALTER TABLE ${quoteIdent(name)} ADD COLUMN ${quoteIdent(column.name)} ${DUCKDB_TYPES[column.type]}`,
      );
    }
  }
}

export interface ColumnDescription {
  name: string;
  type: string;
  nonNull: number;
  distinct: number;
  min: string | null;
  max: string | null;
}

export interface TableDescription {
  table: TableName;
  description: string;
  rows: number;
  columns: ColumnDescription[];
}

/** What opening an older workspace did to give a keyed table its PRIMARY KEY. */
export interface KeyMigration {
  table: TableName;
  /** Import id of the quarantined rows in `_quarantine`, logged in `_imports` when any rows moved. */
  migrationId: string;
  rowsBefore: number;
  rowsKept: number;
  /** Rows moved to `_quarantine` because their key was already stored or had an empty part. */
  rowsQuarantined: number;
}

/**
 * Gives every keyed table that lacks it its PRIMARY KEY, one transaction per table. Rows that
 * would break the key are not lost: they move to `_quarantine` (whole row as JSON) under a
 * `mig_...` id that `_imports` logs, and the first stored row of each key stays. Tables whose
 * rows all fit the key just gain the constraint.
 */
async function migrateKeys(db: DuckDb): Promise<KeyMigration[]> {
  const missing = await db.rows<{ name: TableName }>(tablesMissingKeySql(TABLE_NAMES));
  const done: KeyMigration[] = [];
  for (const { name: table } of missing) {
    const stamp = new Date().toISOString();
    const migrationId = `mig_${stamp.replace(/[-:.TZ]/g, '').slice(0, 14)}_${table}_key`;
    done.push(
      await db.transaction(async (tx) => {
        const count = async () =>
          (await tx.rows<{ n: number }>(`SELECT count(*) AS n FROM ${quoteIdent(table)}`))[0]!.n;
        const rowsBefore = await count();
        for (const sql of keyMigrationSql(table, migrationId)) await tx.run(sql);
        const rowsKept = await count();
        const [{ q }] = (await tx.rows<{ q: number }>(
          `SELECT count(*) AS q FROM _quarantine WHERE import_id = ${quoteLiteral(migrationId)}`,
        )) as [{ q: number }];
        if (rowsKept + q !== rowsBefore) {
          throw new InternalInvariantError(
            `adding the key of ${table}: ${rowsBefore} rows became ${rowsKept} kept and ${q} quarantined; nothing was changed`,
          );
        }
        if (q > 0) {
          await tx.run(
            `INSERT INTO _imports (import_id, table_name, source, format, encoding, mode, started_at, finished_at,
                                 rows_read, accepted, rejected, duplicates_skipped, options)
           VALUES ($1, $2, 'workspace migration', 'migration', NULL, 'key-constraint', $3::TIMESTAMP, now()::TIMESTAMP,
                   $4, $5, $6, 0, $7::JSON)`,
            [
              migrationId,
              table,
              stamp.replace('T', ' ').replace('Z', ''),
              rowsBefore,
              rowsKept,
              q,
              JSON.stringify({ reason: 'PRIMARY KEY added; rows breaking it were quarantined' }),
            ],
          );
        }
        return { table, migrationId, rowsBefore, rowsKept, rowsQuarantined: q };
      }),
    );
  }
  return done;
}

/** Runs async work one at a time per key, in call order; different keys do not wait for each other. */
class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The stored tail never rejects, so one failed import does not fail the ones queued after it.
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

/**
 * A workspace directory: `workspace.duckdb` holds the tables of DESIGN §3, `artifacts/` the
 * models, segmentations, audiences and exports, `tmp/` scratch files of running work.
 * Opening a workspace creates what is missing and clears what a crash left half-done.
 */
export class Workspace {
  private readonly tableLocks = new KeyedLock();

  private constructor(
    readonly home: string,
    readonly db: DuckDb,
    readonly artifacts: FsArtifactStore,
    /** Key constraints this open added to tables of an older workspace (usually none). */
    readonly keyMigrations: readonly KeyMigration[],
  ) {}

  static async open(
    home: string,
    options: { threads?: number; memoryLimit?: string } = {},
  ): Promise<Workspace> {
    const root = resolve(home);
    await mkdir(join(root, 'artifacts'), { recursive: true });
    await mkdir(join(root, 'tmp'), { recursive: true });
    const db = await DuckDb.open(join(root, 'workspace.duckdb'), options);
    for (const name of TABLE_NAMES) await db.run(createTableSql(name));
    await addMissingColumns(db);
    for (const sql of SYSTEM_TABLES_SQL) await db.run(sql);
    const keyMigrations = await migrateKeys(db);
    const artifacts = new FsArtifactStore(join(root, 'artifacts'));
    const ws = new Workspace(root, db, artifacts, keyMigrations);
    await artifacts.sweep();
    await ws.clearTmp();
    return ws;
  }

  /**
   * Runs `work` while holding this process's lock on `table`: writers of one table (imports)
   * run one after another, so each checks keys against what the previous one committed.
   * Writers of different tables run concurrently. DuckDB allows one writing process, so an
   * in-process lock covers every writer; the tables' PRIMARY KEYs back it up.
   */
  withTableLock<T>(table: TableName, work: () => Promise<T>): Promise<T> {
    return this.tableLocks.run(table, work);
  }

  get tmpDir(): string {
    return join(this.home, 'tmp');
  }

  private async clearTmp(): Promise<void> {
    for (const entry of await readdir(this.tmpDir))
      await rm(join(this.tmpDir, entry), { recursive: true, force: true });
  }

  async rowCounts(): Promise<Record<TableName, number>> {
    const union = TABLE_NAMES.map((t) => `SELECT '${t}' AS t, count(*) AS n FROM ${quoteIdent(t)}`).join(
      ' UNION ALL ',
    );
    const rows = await this.db.rows<{ t: TableName; n: number }>(union);
    return Object.fromEntries(rows.map((r) => [r.t, r.n])) as Record<TableName, number>;
  }

  async describe(table: TableName): Promise<TableDescription> {
    const spec = TABLES[table];
    const parts = spec.columns.map((c) => {
      const q = quoteIdent(c.name);
      return `SELECT '${c.name}' AS name, count(${q}) AS non_null, approx_count_distinct(${q}) AS distinct_values,
                     min(${q})::VARCHAR AS min_value, max(${q})::VARCHAR AS max_value FROM ${quoteIdent(table)}`;
    });
    const stats = await this.db.rows<{
      name: string;
      non_null: number;
      distinct_values: number;
      min_value: string | null;
      max_value: string | null;
    }>(parts.join(' UNION ALL '));
    const [{ n }] = (await this.db.rows<{ n: number }>(`SELECT count(*) AS n FROM ${quoteIdent(table)}`)) as [
      { n: number },
    ];
    const byName = new Map(stats.map((s) => [s.name, s]));
    return {
      table,
      description: spec.description,
      rows: n,
      columns: spec.columns.map((c) => {
        const s = byName.get(c.name)!;
        return {
          name: c.name,
          type: c.type,
          nonNull: s.non_null,
          distinct: s.distinct_values,
          min: s.min_value,
          max: s.max_value,
        };
      }),
    };
  }

  close(): void {
    this.db.close();
  }
}

/** The workspace directory from `$LOOKALIKE_HOME` semantics, resolved by the entry layer. */
export function resolveHome(explicit: string | undefined, envHome: string | undefined): string {
  return resolve(explicit ?? envHome ?? DEFAULT_HOME);
}
