/**
 * Explanations: which features drive a set of scored rows (an audience) compared with a
 * reference (the universe), and the top contributions for any one scored ID.
 */

import type { Csr } from '../features/csr.ts';
import { NotFoundError } from '../schema/index.ts';
import type { Workspace } from '../store/index.ts';
import { type LookalikeModel, loadLookalikeModel } from './artifact.ts';
import { featureNames } from './feature-spec.ts';
import { type Contribution, explainRow, type PortableModel, rowContributions, scoreCsr } from './kernel.ts';
import { allIds, stageRows } from './rows.ts';
import { dropTables, idTable } from './sql.ts';
import { openRowSource } from './universe.ts';

export interface FeatureDriver {
  feature: string;
  /** Mean occlusion contribution to the logit over the rows (0 where the feature is absent). */
  meanContribution: number;
  /** Share of the rows that have the feature. */
  prevalence: number;
  /** Share of the reference rows that have it. */
  referencePrevalence: number;
  /** prevalence / referencePrevalence x 100 (100 = as common as in the reference). */
  index: number | null;
}

/**
 * The features that drive `rows` (e.g. an audience sample) compared with `reference` (e.g. a
 * universe sample), by mean occlusion contribution.
 *
 * @param model - a portable model.
 * @param rows - vectorised rows of the set to explain.
 * @param reference - vectorised reference rows.
 * @param top - how many drivers to return.
 */
export function featureDrivers(model: PortableModel, rows: Csr, reference: Csr, top = 15): FeatureDriver[] {
  const names = featureNames(model.spec);
  const d = names.length;
  const sum = new Float64Array(d);
  const have = new Float64Array(d);
  const refHave = new Float64Array(d);
  for (let r = 0; r < rows.rows; r++) {
    for (const c of rowContributions(model, rows, r)) {
      sum[c.col] = sum[c.col]! + c.contribution;
      have[c.col] = have[c.col]! + 1;
    }
  }
  for (let p = 0; p < reference.indices.length; p++)
    refHave[reference.indices[p]!] = refHave[reference.indices[p]!]! + 1;
  const out: FeatureDriver[] = [];
  for (let c = 0; c < d; c++) {
    if (!have[c]) continue;
    const prevalence = have[c]! / Math.max(1, rows.rows);
    const referencePrevalence = refHave[c]! / Math.max(1, reference.rows);
    out.push({
      feature: names[c]!,
      meanContribution: sum[c]! / Math.max(1, rows.rows),
      prevalence,
      referencePrevalence,
      index: referencePrevalence > 0 ? (100 * prevalence) / referencePrevalence : null,
    });
  }
  return out
    .sort((a, b) => b.meanContribution - a.meanContribution || a.feature.localeCompare(b.feature))
    .slice(0, top);
}

export interface IdExplanation {
  id: string;
  score: number;
  contributions: Contribution[];
}

/**
 * Vectorised rows of the given IDs with a model's spec (IDs without a profile are left out).
 * Returns the IDs in row order.
 */
export async function rowsOfIds(
  ws: Workspace,
  loaded: Pick<LookalikeModel, 'model' | 'manifest'>,
  ids: readonly string[],
): Promise<{ ids: string[]; x: Csr }> {
  const { runner: db, close } = await ws.db.connect();
  const temps: string[] = [];
  try {
    const list = await idTable(db, 'explain', ids);
    temps.push(list);
    const table = loaded.manifest.universe === 'members' ? 'members' : 'tp_profiles';
    const key = loaded.manifest.universe === 'members' ? 'member_id' : 'tp_id';
    const staged = await stageRows(
      db,
      `SELECT l.id FROM "${list}" l JOIN ${table} t ON t.${key} = l.id`,
      'explain',
    );
    temps.push(staged.table);
    const src = await openRowSource(db, loaded.model.spec, staged);
    try {
      return { ids: await allIds(db, staged.table), x: await src.batch(0, staged.rows) };
    } finally {
      await src.close();
    }
  } finally {
    await dropTables(db, temps).catch(() => undefined);
    close();
  }
}

/**
 * The score and top feature contributions of each given ID.
 *
 * @param ws - the workspace.
 * @param modelId - a stored lookalike model.
 * @param ids - IDs of the model's universe kind.
 * @param top - contributions per ID.
 * @throws NotFoundError for an unknown model, or when none of the IDs has a profile.
 * @example
 * const [e] = await explainIds(ws, 'lm_…', ['tp_0001234']);
 * e.contributions[0]; // { feature: 'interest:alcohol', value: 2.7, contribution: 1.9 }
 */
export async function explainIds(
  ws: Workspace,
  modelId: string,
  ids: readonly string[],
  top = 10,
): Promise<IdExplanation[]> {
  const loaded = await loadLookalikeModel(ws.artifacts, modelId);
  const { ids: found, x } = await rowsOfIds(ws, loaded, ids);
  if (!found.length)
    throw new NotFoundError(
      'profile',
      ids.slice(0, 3).join(', '),
      `none of the ${ids.length} IDs is in the ${loaded.manifest.universe} universe`,
    );
  const scores = scoreCsr(loaded.model, x);
  const byId = new Map(found.map((id, r) => [id, r]));
  return ids
    .filter((id) => byId.has(id))
    .map((id) => {
      const r = byId.get(id)!;
      return { id, score: scores[r]!, contributions: explainRow(loaded.model, x, r, top) };
    });
}
