import { MIN_JAPANESE_SHARE } from '../limits.ts';
import type { Tokenizer } from '../tokenize/tokenizer.ts';
import type { Clause } from '../types.ts';
import { splitClauses } from './clauses.ts';
import { japaneseShare, normalizeText } from './normalize.ts';
import { splitSentences } from './sentences.ts';

/** A text made ready for features: normalised, split into sentences and clauses. */
export interface PreparedText {
  normalized: string;
  sentences: string[];
  clauses: Clause[];
  /** Share of Japanese letters; below MIN_JAPANESE_SHARE the text is not classified. */
  japaneseShare: number;
  warnings: string[];
}

/**
 * Normalises, splits and tokenizes texts in one tokenizer call (so a pool or MeCab sees the
 * whole batch), then splits clauses. Text that is not Japanese is not tokenized.
 *
 * @param texts raw texts (already validated by the caller)
 * @param tokenizer which tokenizer to use
 * @example
 * const [p] = await prepareTexts(['掃除は面倒だけど、味は最高'], kuromojiTokenizer);
 * p.clauses.length; // 2
 */
export async function prepareTexts(texts: readonly string[], tokenizer: Tokenizer): Promise<PreparedText[]> {
  const prepared = texts.map((raw) => {
    const norm = normalizeText(raw);
    const warnings: string[] = [];
    if (norm.removedControls) warnings.push(`${norm.removedControls} control character(s) removed`);
    if (norm.removedEmoji) warnings.push(`${norm.removedEmoji} run(s) of emoji treated as sentence breaks`);
    const share = japaneseShare(norm.text);
    const sentences = share >= MIN_JAPANESE_SHARE ? splitSentences(norm.text) : [];
    if (!/\p{L}/u.test(norm.text)) {
      warnings.push('text has no words to classify');
    } else if (share < MIN_JAPANESE_SHARE) {
      warnings.push(
        `text is not Japanese (${Math.round(share * 100)}% Japanese characters); no needs are reported`,
      );
    }
    return { normalized: norm.text, sentences, clauses: [] as Clause[], japaneseShare: share, warnings };
  });
  const all = prepared.flatMap((p) => p.sentences);
  const tokens = await tokenizer.tokenize(all);
  let k = 0;
  for (const p of prepared) {
    const mine = tokens.slice(k, k + p.sentences.length);
    k += p.sentences.length;
    p.clauses = splitClauses(p.sentences, mine);
  }
  return prepared;
}
