import { RepeatedImportError, type TableName } from '../schema/index.ts';
import type { SqlRunner } from '../store/index.ts';

/**
 * Refuses to append bytes that were already imported into the table and are still there: the
 * latest import with the same content hash, unless a later `replace` emptied the table since.
 *
 * @throws RepeatedImportError naming the earlier import and when it ran.
 */
export async function refuseRepeatedContent(
  db: SqlRunner,
  table: TableName,
  sha256: string,
  label: string,
): Promise<void> {
  const [earlier] = await db.rows<{ import_id: string; at: string }>(
    `WITH same AS (SELECT import_id, started_at FROM _imports
                   WHERE table_name = $table AND content_sha256 = $sha ORDER BY started_at DESC LIMIT 1)
     SELECT import_id, strftime(started_at, '%Y-%m-%d %H:%M:%S') AS at FROM same s
     WHERE NOT EXISTS (SELECT 1 FROM _imports r
                       WHERE r.table_name = $table AND r.mode = 'replace' AND r.started_at > s.started_at)`,
    { table, sha: sha256 },
  );
  if (!earlier) return;
  throw new RepeatedImportError(
    `${label} has the same content (SHA-256 ${sha256.slice(0, 12)}…) as import ${earlier.import_id} into ${table} on ${earlier.at} UTC; ` +
      'appending it again would add its rows a second time. Pass allowRepeat (--allow-repeat, allowRepeat=true) to import it anyway, ' +
      'or use mode upsert or replace',
    { importId: earlier.import_id, importedAt: earlier.at, sha256 },
  );
}
