import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TABLE_NAMES, TABLES, type TableName } from '../schema/index.ts';
import { createTableSql, quoteIdent, SYSTEM_TABLES_SQL } from './ddl.ts';
import { DuckDb } from './duckdb.ts';
import { FsArtifactStore } from './fs-artifacts.ts';

export const DEFAULT_HOME = '.lookalike';

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

/**
 * A workspace directory: `workspace.duckdb` holds the tables of DESIGN §3, `artifacts/` the
 * models, segmentations, audiences and exports, `tmp/` scratch files of running work.
 * Opening a workspace creates what is missing and clears what a crash left half-done.
 */
export class Workspace {
  private constructor(
    readonly home: string,
    readonly db: DuckDb,
    readonly artifacts: FsArtifactStore,
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
    for (const sql of SYSTEM_TABLES_SQL) await db.run(sql);
    const artifacts = new FsArtifactStore(join(root, 'artifacts'));
    const ws = new Workspace(root, db, artifacts);
    await artifacts.sweep();
    await ws.clearTmp();
    return ws;
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
