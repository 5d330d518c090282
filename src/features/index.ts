/**
 * @module features
 * Numeric representations shared by the model layers: the TensorFlow.js backend, and search
 * phrases as term topics.
 *
 * @example
 * searchTerms('ノンフライヤー　おすすめ'); // ['ノンフライヤー', 'おすすめ']
 */

export { searchTerms, searchTermsSql } from './search-terms.ts';
export type { TfBackend } from './tf-backend.ts';
export { initTf, tf } from './tf-backend.ts';
