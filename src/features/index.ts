/**
 * @module features
 * Numeric representations shared by the model layers: member purchase features as a typed-array
 * matrix (computed in DuckDB, as of a date), search phrases as term topics, and the TensorFlow.js
 * backend.
 *
 * @example
 * const m = await computeMemberFeatures(ws.db, { asOf: '2026-01-01' });
 * m.featureNames.slice(0, 3); // ['recency_days', 'frequency', 'monetary']
 * searchTerms('ノンフライヤー　おすすめ'); // ['ノンフライヤー', 'おすすめ']
 */

export type { Csr } from './csr.ts';
export { emptyCsr, fromDense, selectRows, toDense, vstack } from './csr.ts';
export { addDays, checkIsoDay } from './dates.ts';
export type {
  CategoryColumn,
  CategoryLevel,
  MemberFeatureMatrix,
  MemberFeatureOptions,
} from './member-features.ts';
export { computeMemberFeatures } from './member-features.ts';
export type { FeatureKind } from './member-features-sql.ts';
export { BASE_FEATURES } from './member-features-sql.ts';
export { mulberry32 } from './random.ts';
export { searchTerms, searchTermsSql } from './search-terms.ts';
export type { TfBackend } from './tf-backend.ts';
export { initTf, tf } from './tf-backend.ts';
