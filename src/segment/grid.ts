/**
 * The growth grid (来店頻度 x 購入カテゴリ数): every member placed by visit frequency and by the
 * number of categories bought, with band cut points at the data's tertiles, and the action that
 * grows each cell. A member grows along the axis where they are weak: the narrow-but-frequent
 * already come often, so they are shown items from categories they do not buy yet
 * (cross-category); the broad-but-rare already buy widely, so they are reminded of the items they
 * buy again and again (repeat items), which brings them back sooner.
 */

export type Band = 'low' | 'mid' | 'high';

export type GridAction = 'activate' | 'repeat_items' | 'cross_category' | 'repeat_and_cross' | 'retain';

export interface ActionText {
  ja: string;
  en: string;
}

/** What each action means, in words a marketer reads. */
export const ACTION_TEXT: Readonly<Record<GridAction, ActionText>> = {
  activate: {
    ja: '来店きっかけづくり：定番の売れ筋商品とお試しクーポンで再来店を促す',
    en: 'Activate: best-sellers and trial offers to bring them back',
  },
  repeat_items: {
    ja: 'リピート商品の推奨：いつも買う商品の買い替え・補充を知らせて来店頻度を上げる',
    en: 'Repeat items: remind them of what they buy again and again, to raise visit frequency',
  },
  cross_category: {
    ja: 'クロスカテゴリ推奨：まだ買っていない関連カテゴリの商品を提案して購入カテゴリを広げる',
    en: 'Cross-category items: suggest related categories they do not buy yet, to widen the basket',
  },
  repeat_and_cross: {
    ja: 'リピートとクロスの両方：いつもの商品と関連カテゴリのセット提案',
    en: 'Both: bundles pairing their usual items with a related category',
  },
  retain: {
    ja: '優良顧客の維持：新商品の先行案内や会員特典で関係を保つ',
    en: 'Retain: early access to new products and member benefits for the loyal core',
  },
};

/**
 * Action per cell, frequency band first. One table, so the policy can be changed in one place.
 */
export const GRID_ACTIONS: Readonly<Record<Band, Readonly<Record<Band, GridAction>>>> = {
  low: { low: 'activate', mid: 'repeat_items', high: 'repeat_items' },
  mid: { low: 'cross_category', mid: 'repeat_and_cross', high: 'repeat_items' },
  high: { low: 'cross_category', mid: 'cross_category', high: 'retain' },
};

export interface BandCuts {
  /** Members with value <= cuts[0] are low, <= cuts[1] mid, above high (fewer cuts, fewer bands). */
  cuts: number[];
  bands: Band[];
}

export interface GridCell {
  frequencyBand: Band;
  breadthBand: Band;
  action: GridAction;
  actionJa: string;
  actionEn: string;
  members: number;
  memberShare: number;
  salesShare: number;
  /** Members of each segment in this cell. */
  bySegment: Record<string, number>;
}

export interface GrowthGrid {
  frequency: BandCuts & { feature: 'frequency' };
  breadth: BandCuts & { feature: 'category_breadth' };
  cells: GridCell[];
}

/** Value at quantile q of sorted values (the lower of the two neighbours: cut points are data values). */
function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Tertile cut points of a discrete variable. Ties can merge tertiles (most members visit once);
 * then the grid has two bands, or one, rather than an empty band.
 */
export function bandCuts(values: Float64Array): BandCuts {
  const sorted = Float64Array.from(values).sort();
  const max = sorted[sorted.length - 1] ?? 0;
  const cuts: number[] = [];
  for (const q of [1 / 3, 2 / 3]) {
    const c = quantile(sorted, q);
    if (c < max && (cuts.length === 0 || c > cuts[cuts.length - 1]!)) cuts.push(c);
  }
  const bands: Band[] =
    cuts.length === 2 ? ['low', 'mid', 'high'] : cuts.length === 1 ? ['low', 'high'] : ['mid'];
  return { cuts, bands };
}

export function bandOf(value: number, b: BandCuts): Band {
  for (let i = 0; i < b.cuts.length; i++) if (value <= b.cuts[i]!) return b.bands[i]!;
  return b.bands[b.bands.length - 1]!;
}

/**
 * Places members on the grid.
 *
 * @param frequency visits per member row
 * @param breadth categories bought per member row
 * @param sales net sales per member row (floored at 0 for shares)
 * @param segmentOf segment id per member row
 * @returns cut points, and per cell the action, member counts and counts per segment
 * @example
 * const g = growthGrid(freq, breadth, sales, segmentIds);
 * g.cells.find((c) => c.frequencyBand === 'high' && c.breadthBand === 'low')?.action; // 'cross_category'
 */
export function growthGrid(
  frequency: Float64Array,
  breadth: Float64Array,
  sales: Float64Array,
  segmentOf: readonly string[],
): { grid: GrowthGrid; frequencyBand: Band[]; breadthBand: Band[] } {
  const f = bandCuts(frequency);
  const b = bandCuts(breadth);
  const n = frequency.length;
  const frequencyBand: Band[] = new Array(n);
  const breadthBand: Band[] = new Array(n);
  const cells = new Map<string, GridCell>();
  for (const fb of f.bands) {
    for (const bb of b.bands) {
      const action = GRID_ACTIONS[fb][bb];
      cells.set(`${fb}|${bb}`, {
        frequencyBand: fb,
        breadthBand: bb,
        action,
        actionJa: ACTION_TEXT[action].ja,
        actionEn: ACTION_TEXT[action].en,
        members: 0,
        memberShare: 0,
        salesShare: 0,
        bySegment: {},
      });
    }
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += Math.max(0, sales[i]!);
  for (let i = 0; i < n; i++) {
    const fb = bandOf(frequency[i]!, f);
    const bb = bandOf(breadth[i]!, b);
    frequencyBand[i] = fb;
    breadthBand[i] = bb;
    const cell = cells.get(`${fb}|${bb}`)!;
    cell.members++;
    cell.salesShare += total > 0 ? Math.max(0, sales[i]!) / total : 0;
    const s = segmentOf[i]!;
    cell.bySegment[s] = (cell.bySegment[s] ?? 0) + 1;
  }
  for (const cell of cells.values()) {
    cell.memberShare = n ? cell.members / n : 0;
    cell.bySegment = Object.fromEntries(
      Object.entries(cell.bySegment).sort(([a], [b]) => a.localeCompare(b)),
    );
  }
  return {
    grid: {
      frequency: { ...f, feature: 'frequency' },
      breadth: { ...b, feature: 'category_breadth' },
      cells: [...cells.values()],
    },
    frequencyBand,
    breadthBand,
  };
}
