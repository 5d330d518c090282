/**
 * The Wilson score interval for a binomial proportion: unlike the normal (Wald) interval it
 * stays inside [0, 1] and stays wide for small counts, which is what keeps a 30-person segment
 * from showing a confident index of 400.
 */

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
    throw new RangeError(`confidence must be one of ${Object.keys(table).join(', ')}, got ${confidence}`);
  return z;
}

/**
 * Wilson interval of x successes in n trials.
 * @example
 * wilson(30, 100, 1.96); // { low: 0.2189..., high: 0.3958... }
 */
export function wilson(x: number, n: number, z: number): { low: number; high: number } {
  if (n <= 0) return { low: 0, high: 1 };
  const p = x / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, center - half), high: Math.min(1, center + half) };
}
