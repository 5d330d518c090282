import { kmeans as mlKmeans } from 'ml-kmeans';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/schema/index.ts';
import { _assignStep, adjustedRandIndex, kmeans } from '../../src/segment/index.ts';
import { blobs, toArrays } from './blobs.ts';

const mlInertia = (data: number[][], r: ReturnType<typeof mlKmeans>) =>
  r.computeInformation(data).reduce((s, c) => s + (c.size ? c.error * c.size : 0), 0);

describe('kmeans against ml-kmeans', () => {
  it('reaches the same partition and inertia from the same initial centroids', () => {
    const m = blobs(3000, 6, 5, 11, 2.5);
    const data = toArrays(m);
    const init = [0, 1, 2, 3, 4].map((i) => data[i * 17]!);
    const ref = mlKmeans(data, 5, { initialization: init, tolerance: 0, maxIterations: 500 });
    const ours = kmeans(m, 5, {
      initialCentroids: Float64Array.from(init.flat()),
      tolerance: 0,
      maxIterations: 500,
    });
    expect(Array.from(ours.labels)).toEqual(ref.clusters);
    expect(ours.inertia).toBeCloseTo(mlInertia(data, ref), 6);
    expect(Array.from(ours.centroids)).toEqual(
      ref.centroids.flat().map((v) => expect.closeTo(v, 9) as unknown as number),
    );
  });

  it('finds as good a solution as the best of several ml-kmeans k-means++ runs (within 1%)', () => {
    const m = blobs(4000, 8, 8, 3, 3);
    const data = toArrays(m);
    const best = Math.min(...[1, 2, 3, 4, 5].map((seed) => mlInertia(data, mlKmeans(data, 8, { seed }))));
    const ours = kmeans(m, 8, { seed: 1, nInit: 5 });
    expect(ours.inertia).toBeLessThanOrEqual(best * 1.01);
  });
});

describe('kmeans', () => {
  it('is deterministic from its seed', () => {
    const m = blobs(2000, 4, 6, 5, 2);
    const a = kmeans(m, 6, { seed: 42, nInit: 2 });
    const b = kmeans(m, 6, { seed: 42, nInit: 2 });
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(a.inertia).toBe(b.inertia);
  });

  it('keeps the inertia of a sample-seeded fit within 1% of a full-data fit', () => {
    const m = blobs(60_000, 10, 12, 9, 2.5);
    const full = kmeans(m, 12, { seed: 1, nInit: 3 });
    const sampled = kmeans(m, 12, { seed: 1, nInit: 3, sampleSize: 5000 });
    expect(sampled.inertia).toBeLessThanOrEqual(full.inertia * 1.01);
    expect(adjustedRandIndex(sampled.labels, full.labels)).toBeGreaterThan(0.95);
    // Labels and inertia agree with a plain assignment to the returned centroids.
    const labels = new Int32Array(m.rows);
    const inertia = _assignStep(m.values, m.rows, m.cols, sampled.centroids, 12, labels);
    expect(inertia).toBeCloseTo(sampled.inertia, 3);
    expect(Array.from(labels)).toEqual(Array.from(sampled.labels));
  });

  it('recovers well separated clusters', () => {
    const m = blobs(1500, 3, 4, 7, 0.3);
    expect(adjustedRandIndex(kmeans(m, 4, { seed: 3, nInit: 3 }).labels, m.truth)).toBeGreaterThan(0.99);
  });

  it('rejects k larger than the rows, k < 1, NaN values and mismatched shapes', () => {
    const m = blobs(10, 2, 2);
    expect(() => kmeans(m, 11)).toThrow(
      new InvalidInputError('k (11) is larger than the number of rows (10)', 'k'),
    );
    expect(() => kmeans(m, 0)).toThrow('k must be a whole number >= 1, got 0');
    const bad = { ...m, values: Float64Array.from(m.values) };
    bad.values[5] = Number.NaN;
    expect(() => kmeans(bad, 2)).toThrow('matrix holds a non-finite value at row 2, column 1');
    expect(() => kmeans({ ...m, rows: 11 }, 2)).toThrow(
      'matrix values hold 20 numbers, expected rows x cols = 22',
    );
  });
});
