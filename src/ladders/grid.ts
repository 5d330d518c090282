/**
 * The growth grid (来店頻度 x 購入カテゴリ数) read per ladder class: where the members of each
 * class sit, and the action that grows most of them (repeat items for the broad-but-rare,
 * cross-category items for the frequent-but-narrow). The grid and its actions are the
 * segmentation's (`segment/grid.ts`), so both views recommend the same thing for the same member.
 */
import { ACTION_TEXT, type Band, type GridAction, type GrowthGrid, growthGrid } from '../segment/index.ts';
import { CPM_CLASSES, type CpmClassId, cpmClassLabel } from './labels.ts';
import type { PurchaseHistory } from './purchases.ts';

export interface ClassGridCell {
  frequencyBand: Band;
  breadthBand: Band;
  action: GridAction;
  members: number;
  /** Share of the class's members in this cell. */
  share: number;
}

export interface ClassGrid {
  id: CpmClassId;
  ja: string;
  en: string;
  members: number;
  /** The action for most of the class's members, and the share of members it covers. */
  mainAction: { action: GridAction; ja: string; en: string; share: number } | null;
  cells: ClassGridCell[];
}

/**
 * Places every member of a history on the growth grid and summarises it per CPM class.
 *
 * @param history buying members (frequency = purchases, breadth = categories bought)
 * @param classes each member's class, in the history's order
 */
export function gridByClass(
  history: PurchaseHistory,
  classes: readonly CpmClassId[],
): {
  grid: Omit<GrowthGrid, 'cells'> & { cells: Omit<GrowthGrid['cells'][number], 'bySegment'>[] };
  byClass: ClassGrid[];
} {
  const { grid } = growthGrid(history.purchases, history.categories, history.spend, classes);
  const byClass = CPM_CLASSES.map((id): ClassGrid => {
    const members = grid.cells.reduce((s, c) => s + (c.bySegment[id] ?? 0), 0);
    const cells = grid.cells
      .map((c) => ({
        frequencyBand: c.frequencyBand,
        breadthBand: c.breadthBand,
        action: c.action,
        members: c.bySegment[id] ?? 0,
        share: members ? (c.bySegment[id] ?? 0) / members : 0,
      }))
      .filter((c) => c.members > 0);
    const perAction = new Map<GridAction, number>();
    for (const c of cells) perAction.set(c.action, (perAction.get(c.action) ?? 0) + c.members);
    const top = [...perAction].sort((a, b) => b[1] - a[1])[0];
    return {
      id,
      ...cpmClassLabel(id),
      members,
      mainAction: top
        ? { action: top[0], ja: ACTION_TEXT[top[0]].ja, en: ACTION_TEXT[top[0]].en, share: top[1] / members }
        : null,
      cells,
    };
  });
  return {
    grid: {
      frequency: grid.frequency,
      breadth: grid.breadth,
      cells: grid.cells.map(({ bySegment: _, ...c }) => c),
    },
    byClass,
  };
}
