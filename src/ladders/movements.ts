/**
 * The CPM movement matrix between two days: each member's class on the first day against their
 * class on the second, under the same thresholds (resolved on the first day, so a movement is a
 * change of behaviour, not of definition), with every cell named by what happened: new, up, down,
 * sideways (コツコツ ↔ 流行), lapsed, reactivated, stayed.
 */
import { InvalidInputError } from '../schema/index.ts';
import type { SqlRunner } from '../store/index.ts';
import { type CpmThresholdOptions, type CpmThresholds, classify, resolveCpmThresholds } from './cpm.ts';
import {
  CPM_CLASSES,
  CPM_STAGE_RANK,
  type CpmClassId,
  type CpmStage,
  cpmClassLabel,
  type Label,
} from './labels.ts';
import { purchaseHistory } from './purchases.ts';

export type MovementKind = 'new' | 'up' | 'down' | 'sideways' | 'lapsed' | 'reactivated' | 'stayed';
export const MOVEMENT_KINDS: readonly MovementKind[] = [
  'new',
  'up',
  'down',
  'sideways',
  'lapsed',
  'reactivated',
  'stayed',
];
export const MOVEMENT_LABELS: Readonly<Record<MovementKind, Label>> = {
  new: { ja: '新規', en: 'new customer' },
  up: { ja: 'ランクアップ', en: 'moved up' },
  down: { ja: 'ランクダウン', en: 'moved down' },
  sideways: { ja: '横移動', en: 'sideways' },
  lapsed: { ja: '離脱', en: 'lapsed' },
  reactivated: { ja: '復帰', en: 'reactivated' },
  stayed: { ja: '維持', en: 'stayed' },
};

/** Class of a member on a day, or 'none' before their first purchase. */
export type ClassOrNone = CpmClassId | 'none';

export function movementKind(from: ClassOrNone, to: ClassOrNone): MovementKind {
  if (from === 'none') return 'new';
  if (to === 'none') return 'down';
  const [fs, fst] = from.split('_') as [CpmStage, string];
  const [ts, tst] = to.split('_') as [CpmStage, string];
  if (fst === 'active' && tst === 'lapsed') return 'lapsed';
  if (fst === 'lapsed' && tst === 'active') return 'reactivated';
  if (from === to) return 'stayed';
  const d = CPM_STAGE_RANK[ts] - CPM_STAGE_RANK[fs];
  return d > 0 ? 'up' : d < 0 ? 'down' : 'sideways';
}

export interface MovementCell {
  from: ClassOrNone;
  to: ClassOrNone;
  members: number;
  /** Share of the from-class's members. */
  share: number;
  kind: MovementKind;
}

export interface MovementMatrix {
  from: string;
  to: string;
  thresholds: CpmThresholds;
  /** Row and column order (ladder order, 'none' first). */
  classes: { id: ClassOrNone; ja: string; en: string }[];
  /** Non-empty cells, row by row. */
  cells: MovementCell[];
  totals: { kind: MovementKind; ja: string; en: string; members: number }[];
  members: number;
}

/**
 * Moves between CPM classes from one day to a later one.
 *
 * @param db the workspace database
 * @param days `from` (the baseline, where thresholds are resolved) and `to`, YYYY-MM-DD, from < to
 * @param options thresholds, as for `cpmClasses`
 * @throws InvalidInputError when `to` is not after `from`
 * @example
 * const m = await cpmMovements(ws.db, { from: '2026-01-01', to: '2026-04-01' });
 * m.totals.find((t) => t.kind === 'lapsed')?.members;
 */
export async function cpmMovements(
  db: SqlRunner,
  days: { from: string; to: string; since?: string },
  options: CpmThresholdOptions = {},
): Promise<MovementMatrix> {
  if (!(days.from < days.to))
    throw new InvalidInputError(`to (${days.to}) must be after from (${days.from})`, 'to');
  const since = days.since ? { since: days.since } : {};
  const before = await purchaseHistory(db, { asOf: days.from, ...since });
  const after = await purchaseHistory(db, { asOf: days.to, ...since });
  const thresholds = await resolveCpmThresholds(db, before, options);
  const fromClass = new Map<string, CpmClassId>();
  for (const [i, c] of classify(before, thresholds).entries()) fromClass.set(before.memberIds[i]!, c);
  const toClass = new Map<string, CpmClassId>();
  for (const [i, c] of classify(after, thresholds).entries()) toClass.set(after.memberIds[i]!, c);

  const order: ClassOrNone[] = ['none', ...CPM_CLASSES];
  const counts = new Map<string, number>();
  const add = (f: ClassOrNone, t: ClassOrNone) => counts.set(`${f}>${t}`, (counts.get(`${f}>${t}`) ?? 0) + 1);
  for (const [id, t] of toClass) add(fromClass.get(id) ?? 'none', t);
  for (const [id, f] of fromClass) if (!toClass.has(id)) add(f, 'none');

  const rowTotals = new Map<ClassOrNone, number>();
  for (const [key, n] of counts) {
    const f = key.split('>')[0] as ClassOrNone;
    rowTotals.set(f, (rowTotals.get(f) ?? 0) + n);
  }
  const cells: MovementCell[] = [];
  for (const f of order)
    for (const t of order) {
      const n = counts.get(`${f}>${t}`) ?? 0;
      if (n > 0)
        cells.push({ from: f, to: t, members: n, share: n / rowTotals.get(f)!, kind: movementKind(f, t) });
    }
  const byKind = new Map<MovementKind, number>();
  for (const c of cells) byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + c.members);
  return {
    from: days.from,
    to: days.to,
    thresholds,
    classes: order.map((id) => ({
      id,
      ...(id === 'none' ? { ja: '未購入', en: 'not yet a customer' } : cpmClassLabel(id)),
    })),
    cells,
    totals: MOVEMENT_KINDS.map((kind) => ({
      kind,
      ...MOVEMENT_LABELS[kind],
      members: byKind.get(kind) ?? 0,
    })),
    members: cells.reduce((s, c) => s + c.members, 0),
  };
}
