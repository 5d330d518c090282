/**
 * Reading the labelled need corpus line by line, for the corpus maintenance scripts in this folder.
 * Lines are kept with their raw text, so that a script rewriting one field leaves every other line
 * byte-for-byte as it was. Also defines the text shapes the README reports (short, long, emoji).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CorpusRow } from '../../src/needs/themes/corpus.ts';

export const CORPUS_DIR = fileURLToPath(new URL('../../data/needs/corpus/', import.meta.url));

export interface CorpusLine {
  /** The line as stored (without its newline). */
  raw: string;
  row: CorpusRow;
}

/** Non-empty lines of a corpus file, parsed; the error names the file and line of a bad one. */
export function readCorpusLines(path: string): CorpusLine[] {
  const out: CorpusLine[] = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (!raw.trim()) continue;
    try {
      out.push({ raw, row: JSON.parse(raw) as CorpusRow });
    } catch {
      throw new Error(`${path} line ${i + 1}: not valid JSON`);
    }
  }
  return out;
}

/** The sequence number of an id such as `co-0463`. */
export function idNumber(id: string): number {
  const match = /^[a-z]+-(\d+)$/.exec(id);
  if (!match) throw new Error(`id "${id}" is not <prefix>-<number>`);
  return Number(match[1]);
}

/** The corpus's own serialisation: compact JSON, keys in this order, non-ASCII unescaped. */
export function serializeRow(row: CorpusRow): string {
  const { id, text, labels, unmet, focus, split } = row;
  return JSON.stringify({ id, text, labels, unmet, focus, split });
}

/** Short fragments: 「パンはイマイチ」「電気代が気になる」「場所とる」. */
export const SHORT_MAX_CHARS = 12;
/** Long posts: three sentences or more. */
export const LONG_MIN_SENTENCES = 3;

// Emoji stand where 。 would in posts ("最高😊掃除は面倒"), so they end a sentence too.
const SENTENCE_END = /[。！？!?\n]+|\p{Extended_Pictographic}+/u;
const LETTER = /\p{L}/u;
const EMOJI = /\p{Extended_Pictographic}/u;
// A kaomoji: brackets around a face part such as ω ´ ` ・ ^ ° ▽ ∀ ≧.
const KAOMOJI = /[(（][^()（）]{0,8}[ω´`・^＾°▽∀≧≦][^()（）]{0,8}[)）]/u;

export function isShort(text: string): boolean {
  return [...text.trim()].length <= SHORT_MAX_CHARS;
}

export function sentenceCount(text: string): number {
  return text.split(new RegExp(SENTENCE_END.source, 'gu')).filter((s) => LETTER.test(s)).length;
}

export function isLong(text: string): boolean {
  return sentenceCount(text) >= LONG_MIN_SENTENCES;
}

export function hasEmoji(text: string): boolean {
  return EMOJI.test(text) || KAOMOJI.test(text);
}
