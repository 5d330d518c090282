/**
 * Scoring a whole universe: stage it with the model's exclusions, read feature rows in batches,
 * run the kernel, and rank. Progress and cancellation between batches; IDs are looked up only
 * for the ranks a caller asks for (an audience), never for the whole universe.
 */
import { throwIfAborted } from '../schema/index.ts';
import type { SqlRunner, Workspace } from '../store/index.ts';
import type { LookalikeModel } from './artifact.ts';
import { dataVersion } from './data-version.ts';
import type { FeatureSpec } from './feature-spec.ts';
import { listHash } from './fingerprint.ts';
import { logitsRange, type PortableModel } from './kernel.ts';
import { rankDescending } from './rank.ts';
import { idsOfRows, type StagedRows, stageRows, stageSubsetRows } from './rows.ts';
import { dropTables, idTable } from './sql.ts';
import { type StoredLogits, storedLogitsOf } from './stored-logits.ts';
import type { Exclusions, LongWorkHooks, Universe } from './types.ts';
import { openRowSource, universeSql } from './universe.ts';

export interface ScoreUniverseOptions {
  /** Further IDs to leave out on top of the model's stored exclusions. */
  exclusions?: Pick<Exclusions, 'optedOut' | 'ids'>;
  /** Rows per batch. Default 500,000. */
  batchRows?: number;
  /** Members universe: compute features as of this day instead of the training window. */
  asOf?: string;
  /**
   * Where stored rows come from (default: the source registered for the workspace with
   * `useStoredLogits`); null always rebuilds the representation.
   */
  storedLogits?: StoredLogits | null;
}

/** A scored universe: logits by row, the ranking, and ID lookup for any ranks. */
export interface ScoredUniverse {
  modelId: string;
  universe: 'third_party' | 'members';
  size: number;
  /** Logit of row r (rows are in ID order). */
  logits: Float32Array;
  /** `order[rank] = row`; ties keep ID order, so smaller audiences nest in larger ones. */
  order: Uint32Array;
  /** Logits in rank order (descending). */
  sorted: Float32Array;
  /** Hash of the data, the model and the exclusions behind this ranking. */
  snapshot: string;
  /** The connection holding the staged rows table, for queries over the scored universe. */
  db: SqlRunner;
  /** Temp table (id VARCHAR, r BIGINT) of the universe rows, valid until `close()`. */
  rowsTable: string;
  /** IDs at ranks [from, to). */
  ids(from: number, to: number): Promise<string[]>;
  /** IDs of arbitrary rows. */
  idsOfRows(rows: ArrayLike<number>): Promise<string[]>;
  /** Releases the staged tables and the connection. */
  close(): Promise<void>;
}

/**
 * Scores every ID of the model's universe (after its exclusions) and ranks them.
 *
 * @param ws - the workspace.
 * @param loaded - a model from `loadLookalikeModel` (or a training result with its exclusions).
 * @param options - extra exclusions, batch size, as-of day (members universe).
 * @param hooks - progress (fraction of rows scored) and cancellation.
 * @returns a scored universe; call `close()` when done reading IDs.
 * @example
 * const scored = await scoreUniverse(ws, await loadLookalikeModel(ws.artifacts, id));
 * try { console.log(await scored.ids(0, 10)); } finally { await scored.close(); }
 */
export async function scoreUniverse(
  ws: Workspace,
  loaded: Pick<LookalikeModel, 'manifest' | 'model' | 'exclusions'>,
  options: ScoreUniverseOptions = {},
  hooks: LongWorkHooks = {},
): Promise<ScoredUniverse> {
  const { manifest, model, exclusions } = loaded;
  const { runner: db, close } = await ws.db.connect();
  const temps: string[] = [];
  let closed = false;
  const release = async () => {
    if (closed) return;
    closed = true;
    await dropTables(db, temps).catch(() => undefined);
    close();
  };
  try {
    const extraOpted = (options.exclusions?.optedOut ?? []).map(String);
    const extraIds = (options.exclusions?.ids ?? []).map(String);
    const excludedIds = [
      ...exclusions.seedIds,
      ...exclusions.negativeIds,
      ...exclusions.optedOut,
      ...exclusions.ids,
      ...extraOpted,
      ...extraIds,
    ];
    const ex = await idTable(db, 'excl', excludedIds);
    temps.push(ex);
    let spec = model.spec;
    if (spec.kind === 'members' && options.asOf)
      spec = { ...spec, source: { ...spec.source, asOf: options.asOf } };
    const stored = options.storedLogits === undefined ? storedLogitsOf(ws) : options.storedLogits;
    const { staged, logits } = await stageAndScore(db, loaded, spec, ex, stored, temps, options, hooks);
    const n = staged.rows;
    const order = rankDescending(logits);
    const sorted = new Float32Array(n);
    for (let k = 0; k < n; k++) sorted[k] = logits[order[k]!]!;
    // The data version, not the row-hash fingerprint: that took 10.4 s at 10M profiles.
    const snapshot = listHash([
      manifest.id,
      (await dataVersion(db, manifest.universe, options.asOf ?? '')).hash,
      listHash([...excludedIds].sort()),
    ]);
    return {
      modelId: manifest.id,
      universe: manifest.universe,
      size: n,
      logits,
      order,
      sorted,
      snapshot,
      db,
      rowsTable: staged.table,
      ids: (from, to) => idsOfRows(db, staged.table, order.subarray(Math.max(0, from), Math.min(n, to))),
      idsOfRows: (rows) => idsOfRows(db, staged.table, rows),
      close: release,
    };
  } catch (err) {
    await release();
    throw err;
  }
}

/**
 * Stages the universe minus the exclusions in `excludeTable` and scores it: from stored logits
 * when `stored` has them, else by rebuilding the rows. Temp tables made are pushed to `temps`.
 */
async function stageAndScore(
  db: SqlRunner,
  loaded: Pick<LookalikeModel, 'manifest' | 'model' | 'exclusions'>,
  spec: FeatureSpec,
  excludeTable: string,
  stored: StoredLogits | null,
  temps: string[],
  options: ScoreUniverseOptions,
  hooks: LongWorkHooks,
): Promise<{ staged: StagedRows; logits: Float32Array }> {
  const { universe } = loaded.manifest;
  const asOf = spec.kind === 'members' ? spec.source.asOf : undefined;
  const subset = universeSql(universe, excludeTable, loaded.exclusions.existingCustomers, asOf);
  const whole = stored ? await stored(spec, universe, loaded.model, hooks) : null;
  if (whole) {
    const none = await idTable(db, 'none', []);
    temps.push(none);
    const picked = await stageSubsetRows(db, universeSql(universe, none, false, asOf), subset, 'universe');
    temps.push(picked.table);
    return { staged: picked, logits: pickStored(universe, picked, whole) };
  }
  const staged = await stageRows(db, subset, 'universe');
  temps.push(staged.table);
  const logits = await scoreRows(db, loaded.model, spec, staged, options.batchRows ?? 500_000, hooks);
  return { staged, logits };
}

/**
 * The logits of the staged rows out of `whole`, the logits of the unfiltered universe in ID
 * order: the staged rows are that universe minus exclusions, numbered in the same order.
 *
 * @throws Error when `whole` does not have one logit per universe row (a stored representation
 * of other data).
 */
function pickStored(
  universe: Universe,
  staged: { rows: number; wholeRows: number; wholeRow: Float64Array },
  whole: Float32Array,
): Float32Array {
  if (staged.wholeRows !== whole.length) {
    throw new Error(
      `stored logits cover ${whole.length} rows, the ${universe} universe has ${staged.wholeRows}: the store does not match the data`,
    );
  }
  const logits = new Float32Array(staged.rows);
  for (let r = 0; r < logits.length; r++) logits[r] = whole[staged.wholeRow[r]!]!;
  return logits;
}

/** The logits of every staged row, a batch of feature rows at a time. */
async function scoreRows(
  db: SqlRunner,
  model: PortableModel,
  spec: FeatureSpec,
  staged: StagedRows,
  batch: number,
  hooks: LongWorkHooks,
): Promise<Float32Array> {
  const source = await openRowSource(db, spec, staged);
  const n = staged.rows;
  const logits = new Float32Array(n);
  try {
    for (let from = 0; from < n; from += batch) {
      throwIfAborted(hooks.signal, 'scoring');
      const to = Math.min(n, from + batch);
      const x = await source.batch(from, to);
      logitsRange(model, x, logits.subarray(from, to), 0, x.rows);
      hooks.progress?.(to / n, `scored ${to} of ${n}`);
    }
  } finally {
    // The rows table stays (IDs are read from it); only the packed features go.
    await source.close();
  }
  return logits;
}
