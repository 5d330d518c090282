/**
 * Search phrases become topics by their terms: Japanese searchers separate keywords with
 * spaces (「ノンフライヤー おすすめ」), so each space-separated, width-normalised term is a topic.
 * The JS and SQL forms give the same terms, so DuckDB aggregates and in-memory scoring agree.
 */

/** Terms of one query: NFKC-normalised (full-width to half-width), lower-cased, distinct, sorted. */
export function searchTerms(query: string): string[] {
  const terms = new Set(query.normalize('NFKC').toLowerCase().split(/\s+/).filter(Boolean));
  return [...terms].sort();
}

/**
 * DuckDB expression yielding the list of terms of the VARCHAR column `column`. DuckDB's `nfc_normalize`
 * is not NFKC, so the full-width space and ASCII letters are folded explicitly (the common cases).
 */
export function searchTermsSql(column: string): string {
  return `list_sort(list_distinct(list_filter(string_split_regex(lower(translate(${column}, '　ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ０１２３４５６７８９', ' abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz0123456789')), '\\s+'), t -> t <> '')))`;
}
