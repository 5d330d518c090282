/**
 * What releases need to know about members, from the workspace tables: who consented to what,
 * and their stored e-mail or phone. A port, so releases can be built (and tested) without DuckDB;
 * `workspaceDirectory` implements it over the workspace's tables.
 */
import { consentedRows } from '../audience/consent.ts';
import { quoteIdent } from '../store/ddl.ts';
import type { SqlRunner, Workspace } from '../store/index.ts';

export interface MemberDirectory {
  /** 1 for each ID (in order) that may be used for every purpose (see `audience/consent.ts`). */
  consented(
    ids: readonly string[],
    idKind: 'member' | 'third_party',
    purposes: readonly string[],
  ): Promise<Uint8Array>;
  /** The stored e-mail or phone of each member ID, in order (null when there is none). */
  contacts(memberIds: readonly string[], field: 'email' | 'phone'): Promise<(string | null)[]>;
}

async function withStaged<T>(
  ws: Workspace,
  ids: readonly string[],
  work: (db: SqlRunner, table: string) => Promise<T>,
): Promise<T> {
  const { runner, close } = await ws.db.connect();
  const table = `_rel_ids_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
  try {
    await runner.run(`CREATE TEMP TABLE ${quoteIdent(table)} (id VARCHAR, r BIGINT)`);
    if (ids.length) await runner.append(table, [ids, Array.from(ids, (_, r) => r)]);
    return await work(runner, table);
  } finally {
    await runner.run(`DROP TABLE IF EXISTS ${quoteIdent(table)}`).catch(() => undefined);
    close();
  }
}

/** The member directory of a workspace. */
export function workspaceDirectory(ws: Workspace): MemberDirectory {
  return {
    consented: (ids, idKind, purposes) =>
      withStaged(
        ws,
        ids,
        async (db, table) => (await consentedRows(db, table, ids.length, idKind, purposes)).eligible,
      ),
    contacts: (memberIds, field) =>
      withStaged(ws, memberIds, async (db, table) => {
        const out = new Array<string | null>(memberIds.length).fill(null);
        const rows = await db.columns(
          `SELECT s.r::INTEGER AS r, m.${quoteIdent(field)} AS v FROM ${quoteIdent(table)} s
           JOIN members m ON m.member_id = s.id WHERE m.${quoteIdent(field)} IS NOT NULL`,
        );
        const [rs, vs] = rows.columns as [number[], string[]];
        for (let k = 0; k < rows.rowCount; k++) out[rs[k]!] = vs[k]!;
        return out;
      }),
  };
}
