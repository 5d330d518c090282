import { splitClauses } from '../../src/needs/text/clauses.ts';
import { normalizeText } from '../../src/needs/text/normalize.ts';
import { splitSentences } from '../../src/needs/text/sentences.ts';
import { tokenizeKuromoji } from '../../src/needs/tokenize/kuromoji.ts';
import type { Clause } from '../../src/needs/types.ts';

/** Clauses of one text, through the real tokenizer. */
export async function clausesOf(text: string): Promise<Clause[]> {
  const sentences = splitSentences(normalizeText(text).text);
  return splitClauses(sentences, await tokenizeKuromoji(sentences));
}

/** A compact view for assertions: '>' marks a clause after an adversative, '¬' a negated one. */
export function show(clauses: readonly Clause[]): string[] {
  return clauses.map((c) => `${c.adversativeBefore ? '>' : ''}${c.text}${c.negated ? '¬' : ''}`);
}

export const FIXTURES = new URL('./fixtures/', import.meta.url);
