/**
 * Request limits of the need classifier. They bound the work one call can ask for, so an HTTP
 * caller cannot tie up the tokenizer with one huge request: kuromoji tokenizes roughly 50-150k
 * characters per second per core, so the largest allowed batch is a few tens of seconds of work.
 */

/** Longest text accepted by `classifyTexts`, in characters (Unicode code points). */
export const MAX_TEXT_CHARS = 5_000;

/** Most texts accepted by one `classifyTexts` call. */
export const MAX_BATCH_TEXTS = 1_000;

/**
 * Below this share of Japanese characters (kana and kanji among letters) a text is treated as
 * not Japanese: its needs are empty and its confidence is 0.
 */
export const MIN_JAPANESE_SHARE = 0.2;
