import { describe, expect, it } from 'vitest';
import { adjustedRandIndex, pairwiseDistances, segmentName, silhouette } from '../../src/segment/index.ts';
import { blobs } from './blobs.ts';

/** Silhouette straight from its definition, with no shared code. */
function silhouetteReference(points: number[][], labels: number[]): number {
  const d = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));
  const clusters = [...new Set(labels)];
  let total = 0;
  points.forEach((p, i) => {
    const mean = (c: number, self: boolean) => {
      const others = points.filter((_, j) => labels[j] === c && (!self || j !== i));
      return others.reduce((s, q) => s + d(p, q), 0) / others.length;
    };
    if (labels.filter((l) => l === labels[i]).length === 1) return;
    const a = mean(labels[i]!, true);
    const b = Math.min(...clusters.filter((c) => c !== labels[i]).map((c) => mean(c, false)));
    total += (b - a) / Math.max(a, b);
  });
  return total / points.length;
}

describe('silhouette and adjusted Rand index', () => {
  it('silhouette matches its definition', () => {
    const m = blobs(120, 3, 3, 4, 2);
    const pts = Array.from({ length: m.rows }, (_, i) => Array.from(m.values.subarray(i * 3, i * 3 + 3)));
    const labels = Int32Array.from(m.truth);
    const ours = silhouette(pairwiseDistances(m), m.rows, labels, 3);
    expect(ours).toBeCloseTo(silhouetteReference(pts, Array.from(labels)), 5);
  });

  it('ARI is 1 for relabelled identical partitions and matches a worked example', () => {
    expect(adjustedRandIndex([0, 0, 1, 1, 2], [2, 2, 0, 0, 1])).toBe(1);
    // sklearn.metrics.adjusted_rand_score([0,0,0,1,1,1], [0,0,1,1,2,2]) = 0.24242424...
    expect(adjustedRandIndex([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2])).toBeCloseTo(0.242424242, 8);
  });
});

describe('segment names', () => {
  it('combine behaviour traits and over-bought categories, skipping the pooled column', () => {
    expect(
      segmentName([
        { feature: 'cat:F11', z: 2.5, ja: '酒類', en: '酒類' },
        { feature: 'tod_evening', z: 1.1, ja: '夕方型', en: 'evening' },
        { feature: 'cat:(other)', z: 1.0, ja: '(other)', en: '(other)' },
        { feature: 'avg_basket', z: 0.7, ja: '高単価', en: 'big-basket' },
        { feature: 'cat:F16', z: 0.9, ja: 'ギフト', en: 'ギフト' },
      ]),
    ).toEqual({ ja: '夕方型・高単価・酒類/ギフト中心', en: 'Evening, big-basket 酒類 & ギフト buyers' });
    expect(segmentName([])).toEqual({ ja: '平均的な会員', en: 'Average members' });
  });
});
