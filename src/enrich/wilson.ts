/**
 * The Wilson score interval for a binomial proportion: unlike the normal (Wald) interval it
 * stays inside [0, 1] and stays wide for small counts, which is what keeps a 30-person segment
 * from showing a confident index of 400.
 */
import { InvalidInputError } from '../schema/index.ts';

/** Two-sided normal quantile for the usual confidence levels (avoids an inverse-erf dependency). */
export function zFor(confidence: number): number {
  const table: Record<string, number> = {
    '0.8': 1.2816,
    '0.9': 1.6449,
    '0.95': 1.96,
    '0.98': 2.3263,
    '0.99': 2.5758,
  };
  const z = table[String(confidence)];
  if (z === undefined)
    throw new InvalidInputError(
      `confidence must be one of ${Object.keys(table).join(', ')}, got ${confidence}`,
      'confidence',
    );
  return z;
}

/**
 * Wilson interval of x successes in n trials.
 * @example
 * wilson(30, 100, 1.96); // { low: 0.2189..., high: 0.3958... }
 */
export function wilson(x: number, n: number, z: number): { low: number; high: number } {
  const [low, high] = wilsonShare(n > 0 ? x / n : 0, n, z);
  return { low, high };
}

/**
 * Wilson interval of a proportion `p` observed over `n` draws; `n` may be an effective
 * (weighted, non-integer) count.
 */
export function wilsonShare(p: number, n: number, z: number): [number, number] {
  if (!(n > 0)) return [0, 1];
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, center - half), Math.min(1, center + half)];
}

/** Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}
