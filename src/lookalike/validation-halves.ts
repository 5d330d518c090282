/** How a training run's validation rows are shared between choosing a model and measuring it. */
import { auc } from './metrics.ts';

/**
 * The validation rows split in two, alternately within each class: `choose` picks the epoch and
 * `report` measures it. A network's best epoch on the rows that chose it overstates its AUC (the
 * best of ten noisy figures), and the architecture rule compares that figure with an exact
 * logistic's out-of-fold AUC, which is not chosen on its rows (and which is measured on the
 * same `report` half, so the two are compared on the same rows): measured on UCI Online Retail, the
 * overstated network won the rule on 5 of 54 backtest cases. A class with fewer than two rows
 * cannot be split, and both halves are then every row.
 */
export function validationHalves(y: ArrayLike<number>): {
  choose: { pos: number[]; neg: number[] };
  report: { pos: number[]; neg: number[] };
} {
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < y.length; i++) (y[i]! > 0.5 ? pos : neg).push(i);
  if (pos.length < 2 || neg.length < 2) return { choose: { pos, neg }, report: { pos, neg } };
  const half = (rows: number[], parity: number) => rows.filter((_, k) => k % 2 === parity);
  return {
    choose: { pos: half(pos, 0), neg: half(neg, 0) },
    report: { pos: half(pos, 1), neg: half(neg, 1) },
  };
}

/** AUC of the scores `z` of `rows.pos` against those of `rows.neg` (indices into `z`). */
export function aucOn(z: ArrayLike<number>, rows: { pos: number[]; neg: number[] }): number {
  return auc(
    rows.pos.map((i) => z[i]!),
    rows.neg.map((i) => z[i]!),
  );
}
