/**
 * The 13 BCG vaccine trials (Colditz et al., 1994), the standard worked example of
 * random-effects meta-analysis (metafor's `dat.bcg`): vaccinated cases and non-cases, then
 * control cases and non-cases. metafor's `rma(yi, vi, method = "DL")` on their log risk ratios
 * gives Q = 152.2330 on 12 df, tau^2 = 0.3088, estimate -0.7141 with standard error 0.1787.
 */
export const BCG_TRIALS: readonly (readonly [number, number, number, number])[] = [
  [4, 119, 11, 128],
  [6, 300, 29, 274],
  [3, 228, 11, 209],
  [62, 13536, 248, 12619],
  [33, 5036, 47, 5761],
  [180, 1361, 372, 1079],
  [8, 2537, 10, 619],
  [505, 87886, 499, 87892],
  [29, 7470, 45, 7232],
  [17, 1699, 65, 1600],
  [186, 50448, 141, 27197],
  [5, 2493, 3, 2338],
  [27, 16886, 29, 17825],
];

/** A trial's log risk ratio and its (delta-method) variance. */
export function logRiskRatio([a, b, c, d]: readonly [number, number, number, number]): {
  y: number;
  v: number;
} {
  return { y: Math.log(a / (a + b) / (c / (c + d))), v: 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d) };
}
