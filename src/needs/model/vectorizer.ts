import type { Csr } from '../../features/index.ts';

/** Feature vocabulary with inverse document frequencies. */
export interface Vocabulary {
  features: string[];
  idf: Float32Array;
  /** `binary`: presence (short clauses); `log`: 1 + ln(count) (long documents). */
  tf: 'binary' | 'log';
}

export interface VocabularyOptions {
  /** Drop features seen in fewer instances than this. */
  minDf: number;
  /** Keep at most this many features, the most frequent first. */
  maxFeatures: number;
  tf: 'binary' | 'log';
}

/**
 * Builds the vocabulary from training instances: features in at least `minDf` instances, the
 * `maxFeatures` most frequent (ties in code-unit order, so the result never depends on locale),
 * with smoothed idf = ln((1 + n) / (1 + df)) + 1.
 *
 * @param docs feature strings per instance
 * @param options pruning and term weighting
 * @example
 * fitVocabulary([['w:パン', 'w:焼く'], ['w:パン']], { minDf: 1, maxFeatures: 10, tf: 'binary' }).features; // ['w:パン', 'w:焼く']
 */
export function fitVocabulary(docs: readonly (readonly string[])[], options: VocabularyOptions): Vocabulary {
  const df = new Map<string, number>();
  for (const doc of docs) for (const f of new Set(doc)) df.set(f, (df.get(f) ?? 0) + 1);
  const kept = [...df.entries()]
    .filter(([, n]) => n >= options.minDf)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, options.maxFeatures);
  const n = docs.length;
  return {
    features: kept.map(([f]) => f),
    idf: Float32Array.from(kept, ([, d]) => Math.log((1 + n) / (1 + d)) + 1),
    tf: options.tf,
  };
}

/** Map from feature to column, built once per vocabulary. */
export function featureIndex(vocab: Vocabulary): Map<string, number> {
  return new Map(vocab.features.map((f, i) => [f, i]));
}

/**
 * Turns instances into TF-IDF rows, L2-normalised, with columns in ascending order. Unknown
 * features are ignored.
 *
 * @param vocab from `fitVocabulary`
 * @param docs feature strings per instance
 * @param index from `featureIndex(vocab)` (pass it when vectorizing repeatedly)
 * @example
 * const x = vectorize(vocab, [['w:パン']]); // x.rows === 1
 */
export function vectorize(
  vocab: Vocabulary,
  docs: readonly (readonly string[])[],
  index: Map<string, number> = featureIndex(vocab),
): Csr {
  const rowPtr = new Int32Array(docs.length + 1);
  const indices: number[] = [];
  const values: number[] = [];
  const counts = new Map<number, number>();
  docs.forEach((doc, r) => {
    counts.clear();
    for (const f of doc) {
      const j = index.get(f);
      if (j !== undefined) counts.set(j, (counts.get(j) ?? 0) + 1);
    }
    const cols = [...counts.keys()].sort((a, b) => a - b);
    const row = cols.map((j) => {
      const tf = vocab.tf === 'binary' ? 1 : 1 + Math.log(counts.get(j)!);
      return tf * vocab.idf[j]!;
    });
    const norm = Math.sqrt(row.reduce((s, v) => s + v * v, 0)) || 1;
    for (let i = 0; i < cols.length; i++) {
      indices.push(cols[i]!);
      values.push(row[i]! / norm);
    }
    rowPtr[r + 1] = indices.length;
  });
  return {
    rows: docs.length,
    cols: vocab.features.length,
    rowPtr,
    indices: Int32Array.from(indices),
    values: Float32Array.from(values),
  };
}
