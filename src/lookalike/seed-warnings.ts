/**
 * Seed warnings that need only the seed's share of the members, shared by seed diagnostics before
 * training and the diagnostics stored with a model.
 */
import type { SeedWarning } from './types.ts';

/**
 * Seed share of all members above which a seed is "large". A lookalike of a third of the members
 * barely separates them from everyone else (a 32.6% purchase seed on UCI Online Retail scored
 * close to random on a backtest), so marketers are told before they rely on it.
 */
export const LARGE_SHARE = 0.2;

/** The `large_share` warning for a seed of `share` of the members, or null under `LARGE_SHARE`. */
export function largeShareWarning(share: number | null): SeedWarning | null {
  if (share === null || !(share > LARGE_SHARE)) return null;
  const pct = `${(share * 100).toFixed(1)}%`;
  const limit = `${LARGE_SHARE * 100}%`;
  return {
    code: 'large_share',
    message: `the seed is ${pct} of all members (over ${limit}): a lookalike of so many customers separates them little from everyone else; narrow the seed (a segment, a product, a shorter window)`,
    messageJa: `シードが会員全体の${pct}を占めます（${limit}超）。これほど多くの顧客に似た人は他の人とあまり区別できません。セグメント・商品・期間を絞ってください`,
  };
}
