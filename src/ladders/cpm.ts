/**
 * CPM (顧客ポートフォリオマネジメント, customer portfolio management): every buying member in one
 * of ten classes as of a day, by purchases, tenure (days from the first to the last purchase),
 * cumulative spend and days since the last purchase, as Japanese mail-order and retail CRM teams
 * use it (the published convention: 離脱 after 240 days without a purchase, tenure bands at 90 and
 * 210 days, one spend threshold):
 *
 *   one purchase                         → 初回
 *   tenure < 90 days                     → よちよち
 *   spend < threshold                    → コツコツ
 *   tenure < 210 days                    → 流行
 *   otherwise                            → 優良
 *   and 離脱 when the last purchase is ≥ 240 days old, else 現役.
 *
 * Each threshold is the user's, the published one, or read from the data's distribution, and the
 * result says which and why.
 */
import { InsufficientDataError, InvalidInputError } from '../schema/index.ts';
import type { SqlRunner } from '../store/index.ts';
import {
  CPM_CLASSES,
  CPM_PLAYBOOK,
  type CpmClassId,
  type CpmStage,
  type CpmState,
  cpmClassLabel,
  type Label,
} from './labels.ts';
import { type PurchaseHistory, type PurchaseWindow, purchaseHistory, repurchaseGaps } from './purchases.ts';
import { quantileOfSorted, roundSignificant, sortedCopy } from './quantile.ts';

export const PUBLISHED_LAPSE_DAYS = 240;
export const PUBLISHED_TENURE_DAYS: readonly [number, number] = [90, 210];
/** The share of repeat customers a data-driven spend threshold leaves above it (the top fifth). */
export const SPEND_TOP_SHARE = 0.2;
/** The share of repurchase gaps a data-driven lapse cut covers. */
export const LAPSE_GAP_QUANTILE = 0.9;

export interface CpmThresholdOptions {
  /** Days without a purchase after which a customer is 離脱; 'auto': the data's repurchase cycle. */
  lapseDays?: number | 'auto';
  /** Tenure bands [よちよち below, 流行 below]; 'auto': the published bands scaled with the lapse cut. */
  tenureDays?: readonly [number, number] | 'auto';
  /** Cumulative spend separating コツコツ from 流行/優良; 'auto' (default): the top fifth of repeaters. */
  spend?: number | 'auto';
}

export type ThresholdSource = 'user' | 'published' | 'data';

export interface Threshold<T> {
  value: T;
  source: ThresholdSource;
  explanation: Label;
}

export interface CpmThresholds {
  lapseDays: Threshold<number>;
  tenureDays: Threshold<[number, number]>;
  spend: Threshold<number>;
}

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 2 });

function checkPositive(value: number, field: string): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new InvalidInputError(`${field} must be a number above 0, got ${value}`, field);
  return value;
}

/**
 * Resolves the three CPM thresholds as of the history's day.
 *
 * @param db the workspace (read for the repurchase gaps when the lapse cut is 'auto')
 * @param history buying members as of the day
 * @param options user thresholds, 'auto', or absent for the published ones (spend: 'auto')
 * @throws InvalidInputError for a non-positive threshold or tenure bands out of order
 * @throws InsufficientDataError when a data-driven threshold has no data to be read from
 */
export async function resolveCpmThresholds(
  db: SqlRunner,
  history: PurchaseHistory,
  options: CpmThresholdOptions = {},
): Promise<CpmThresholds> {
  const window: PurchaseWindow = { asOf: history.asOf, ...(history.since ? { since: history.since } : {}) };
  const lapseDays = await resolveLapse(db, window, options.lapseDays);
  const tenureDays = resolveTenure(options.tenureDays, lapseDays.value);
  const spend = resolveSpend(history, options.spend);
  return { lapseDays, tenureDays, spend };
}

async function resolveLapse(
  db: SqlRunner,
  window: PurchaseWindow,
  lapse: CpmThresholdOptions['lapseDays'],
): Promise<Threshold<number>> {
  if (typeof lapse === 'number')
    return {
      value: checkPositive(lapse, 'thresholds.lapseDays'),
      source: 'user',
      explanation: {
        ja: `指定値：最終購入から${lapse}日以上で離脱`,
        en: `given: lapsed after ${lapse} days`,
      },
    };
  if (lapse === 'auto') {
    const gaps = await repurchaseGaps(db, window);
    if (gaps.length === 0)
      throw new InsufficientDataError(
        `no customer bought twice before ${window.asOf}: the lapse cut cannot be read from repurchase gaps; give thresholds.lapseDays`,
        'thresholds.lapseDays',
      );
    const value = Math.max(1, Math.ceil(quantileOfSorted(gaps, LAPSE_GAP_QUANTILE)));
    return {
      value,
      source: 'data',
      explanation: {
        ja: `データから：再購入の${LAPSE_GAP_QUANTILE * 100}%が前回から${value}日以内（再購入間隔${fmt(gaps.length)}件）。これを超えて購入のない顧客を離脱とする`,
        en: `from the data: ${LAPSE_GAP_QUANTILE * 100}% of ${fmt(gaps.length)} repurchases came within ${value} days of the previous one; longer silence is lapsed`,
      },
    };
  }
  return {
    value: PUBLISHED_LAPSE_DAYS,
    source: 'published',
    explanation: {
      ja: `CPMの慣行値：最終購入から${PUBLISHED_LAPSE_DAYS}日以上で離脱`,
      en: `CPM convention: lapsed after ${PUBLISHED_LAPSE_DAYS} days without a purchase`,
    },
  };
}

function resolveTenure(
  tenure: CpmThresholdOptions['tenureDays'],
  lapseDays: number,
): Threshold<[number, number]> {
  if (Array.isArray(tenure)) {
    const [a, b] = tenure as readonly [number, number];
    checkPositive(a, 'thresholds.tenureDays.0');
    checkPositive(b, 'thresholds.tenureDays.1');
    if (!(a < b))
      throw new InvalidInputError(
        `thresholds.tenureDays must be [よちよち below, 流行 below] with the first smaller, got [${a}, ${b}]`,
        'thresholds.tenureDays',
      );
    return {
      value: [a, b],
      source: 'user',
      explanation: {
        ja: `指定値：在籍${a}日・${b}日で区分`,
        en: `given: tenure bands at ${a} and ${b} days`,
      },
    };
  }
  if (tenure === 'auto') {
    const scale = lapseDays / PUBLISHED_LAPSE_DAYS;
    const a = Math.max(1, Math.round(PUBLISHED_TENURE_DAYS[0] * scale));
    const b = Math.max(a + 1, Math.round(PUBLISHED_TENURE_DAYS[1] * scale));
    return {
      value: [a, b],
      source: 'data',
      explanation: {
        ja: `離脱日数${lapseDays}日に合わせて慣行値90日・210日を比例で調整：${a}日・${b}日`,
        en: `the convention's 90 and 210 days scaled with the ${lapseDays}-day lapse cut: ${a} and ${b} days`,
      },
    };
  }
  return {
    value: [PUBLISHED_TENURE_DAYS[0], PUBLISHED_TENURE_DAYS[1]],
    source: 'published',
    explanation: {
      ja: `CPMの慣行値：在籍${PUBLISHED_TENURE_DAYS[0]}日未満はよちよち、${PUBLISHED_TENURE_DAYS[1]}日未満は流行`,
      en: `CPM convention: tenure under ${PUBLISHED_TENURE_DAYS[0]} days is toddler, under ${PUBLISHED_TENURE_DAYS[1]} trendy`,
    },
  };
}

function resolveSpend(history: PurchaseHistory, spend: CpmThresholdOptions['spend']): Threshold<number> {
  if (typeof spend === 'number')
    return {
      value: checkPositive(spend, 'thresholds.spend'),
      source: 'user',
      explanation: {
        ja: `指定値：累計購入金額${fmt(spend)}以上を高額とする`,
        en: `given: cumulative spend of ${fmt(spend)} or more is high`,
      },
    };
  const repeat: number[] = [];
  for (let i = 0; i < history.memberIds.length; i++)
    if (history.purchases[i]! >= 2) repeat.push(history.spend[i]!);
  if (repeat.length === 0)
    throw new InsufficientDataError(
      `no customer bought twice before ${history.asOf}: the spend threshold cannot be read from the data; give thresholds.spend`,
      'thresholds.spend',
    );
  const raw = quantileOfSorted(sortedCopy(repeat), 1 - SPEND_TOP_SHARE);
  const value = raw > 0 ? roundSignificant(raw, 2) : raw;
  return {
    value,
    source: 'data',
    explanation: {
      ja: `データから：2回以上購入した顧客${fmt(repeat.length)}人の上位${SPEND_TOP_SHARE * 100}%の累計購入金額（${fmt(raw)}、有効数字2桁で${fmt(value)}）`,
      en: `from the data: the cumulative spend of the top ${SPEND_TOP_SHARE * 100}% of ${fmt(repeat.length)} repeat customers (${fmt(raw)}, ${fmt(value)} to two significant figures)`,
    },
  };
}

/** The CPM stage and state of one customer. */
export function cpmClassOf(
  purchases: number,
  tenureDays: number,
  recencyDays: number,
  spend: number,
  t: { lapseDays: number; tenureDays: readonly [number, number]; spend: number },
): CpmClassId {
  let stage: CpmStage;
  if (purchases <= 1) stage = 'first';
  else if (tenureDays < t.tenureDays[0]) stage = 'toddler';
  else if (spend < t.spend) stage = 'steady';
  else if (tenureDays < t.tenureDays[1]) stage = 'trendy';
  else stage = 'loyal';
  const state: CpmState = recencyDays >= t.lapseDays ? 'lapsed' : 'active';
  return `${stage}_${state}`;
}

export function thresholdValues(t: CpmThresholds) {
  return { lapseDays: t.lapseDays.value, tenureDays: t.tenureDays.value, spend: t.spend.value };
}

/** Classes of every member of a history, in its order. */
export function classify(history: PurchaseHistory, t: CpmThresholds): CpmClassId[] {
  const v = thresholdValues(t);
  return history.memberIds.map((_, i) =>
    cpmClassOf(history.purchases[i]!, history.tenureDays[i]!, history.recencyDays[i]!, history.spend[i]!, v),
  );
}

export interface CpmClassSummary {
  id: CpmClassId;
  ja: string;
  en: string;
  members: number;
  memberShare: number;
  sales: number;
  salesShare: number;
  avgSpend: number;
  avgPurchases: number;
  avgTenureDays: number;
  avgRecencyDays: number;
  playbook: Label;
}

/** Members, sales and averages per class (all ten, empty ones included, in ladder order). */
export function summarizeClasses(
  history: PurchaseHistory,
  classes: readonly CpmClassId[],
): CpmClassSummary[] {
  const acc = new Map<
    CpmClassId,
    { n: number; sales: number; purchases: number; tenure: number; recency: number }
  >(CPM_CLASSES.map((c) => [c, { n: 0, sales: 0, purchases: 0, tenure: 0, recency: 0 }]));
  let totalSales = 0;
  for (let i = 0; i < classes.length; i++) {
    const a = acc.get(classes[i]!)!;
    a.n++;
    a.sales += history.spend[i]!;
    a.purchases += history.purchases[i]!;
    a.tenure += history.tenureDays[i]!;
    a.recency += history.recencyDays[i]!;
    totalSales += Math.max(0, history.spend[i]!);
  }
  const n = classes.length;
  return CPM_CLASSES.map((id) => {
    const a = acc.get(id)!;
    const mean = (s: number) => (a.n ? s / a.n : 0);
    return {
      id,
      ...cpmClassLabel(id),
      members: a.n,
      memberShare: n ? a.n / n : 0,
      sales: Math.round(a.sales * 100) / 100,
      salesShare: totalSales > 0 ? Math.max(0, a.sales) / totalSales : 0,
      avgSpend: mean(a.sales),
      avgPurchases: mean(a.purchases),
      avgTenureDays: mean(a.tenure),
      avgRecencyDays: mean(a.recency),
      playbook: CPM_PLAYBOOK[id],
    };
  });
}

/**
 * CPM classes of every buying member as of a day.
 *
 * @param db the workspace database
 * @param window lines before `asOf` (and from `since`)
 * @param options thresholds (user, 'auto', or the published defaults)
 * @throws InsufficientDataError when nobody bought before `asOf`
 * @example
 * const r = await cpmClasses(ws.db, { asOf: '2026-04-01' }, { spend: 50_000 });
 * r.classes.find((c) => c.id === 'loyal_active')?.members;
 */
export async function cpmClasses(db: SqlRunner, window: PurchaseWindow, options: CpmThresholdOptions = {}) {
  const history = await purchaseHistory(db, window);
  if (history.memberIds.length === 0)
    throw new InsufficientDataError(`no member bought anything before ${window.asOf}`, 'asOf');
  const thresholds = await resolveCpmThresholds(db, history, options);
  const assigned = classify(history, thresholds);
  return { history, thresholds, assigned, classes: summarizeClasses(history, assigned) };
}
