/**
 * Sentence splitting on normalised text. Splitting before tokenizing keeps kuromoji's lattice
 * short (it is markedly faster on sentences than on whole documents) and gives MeCab one line
 * per sentence, which is how it reads its input.
 */

// After NFKC, full-width ！？ are ASCII; 。 and … stay. A run of closers ends one sentence.
const SENTENCE_END = /[。!?！？…\n]+[」』)）]*/g;

/**
 * Splits normalised text into sentences, keeping each sentence's final punctuation and dropping
 * empty ones.
 *
 * @param text normalised text (see `normalizeText`)
 * @returns trimmed, non-empty sentences
 * @example
 * splitSentences('掃除は面倒。でも味は最高!'); // ['掃除は面倒。', 'でも味は最高!']
 */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (const match of text.matchAll(SENTENCE_END)) {
    const end = (match.index ?? 0) + match[0].length;
    push(out, text.slice(start, end));
    start = end;
  }
  push(out, text.slice(start));
  return out;
}

function push(out: string[], sentence: string): void {
  const s = sentence.replace(/\n/g, '').trim();
  // A sentence of punctuation alone ("!!", "…") carries nothing to classify.
  if (s && /[\p{L}\p{N}]/u.test(s)) out.push(s);
}
