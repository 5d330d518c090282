/**
 * Text normalisation before tokenizing. NFKC folds half-width katakana and full-width Latin
 * letters and digits into the forms IPADIC knows (ｺﾝﾍﾞｸｼｮﾝ would otherwise be one unknown word).
 * Emoji end a sentence: in Japanese posts they usually stand where 。 would ("最高😊掃除は面倒"),
 * and keeping them out of the tokenizer avoids splitting surrogate pairs into junk tokens.
 */

export interface NormalizedText {
  text: string;
  /** How many control characters were removed. */
  removedControls: number;
  /** How many runs of emoji (pictographs with their modifiers and joiners) became sentence breaks. */
  removedEmoji: number;
}

// Control (Cc) and format (Cf) characters: C0/C1 controls, zero-width spaces and joiners, bidi
// marks, BOM. Tab, line feed and carriage return are kept (they become spaces and sentence breaks).
const CONTROLS = /[\p{Cc}\p{Cf}]/gu;
const KEPT_CONTROLS = new Set(['\t', '\n', '\r']);
// A pictograph with any skin tone, variation selector, keycap or zero-width-joined continuation.
const EMOJI =
  /(?:\p{Extended_Pictographic}|\p{Regional_Indicator})(?:[\u{FE0F}\u{20E3}\u{1F3FB}-\u{1F3FF}\u200D]|\p{Extended_Pictographic})*/gu;
const STRAY_MODIFIERS = /[\u{FE0E}\u{FE0F}\u{1F3FB}-\u{1F3FF}]/gu;

/**
 * Normalises one text: removes control characters, turns emoji into line breaks, applies NFKC,
 * turns tabs into spaces and collapses runs of spaces.
 *
 * @param raw the text as received
 * @returns the normalised text and what was removed
 * @example
 * normalizeText('ｺﾝﾍﾞｸｼｮﾝ\u0007オーブン最高😊').text; // 'コンベクションオーブン最高\n'
 */
export function normalizeText(raw: string): NormalizedText {
  let removedControls = 0;
  let removedEmoji = 0;
  // Emoji first: their zero-width joiners are part of them, not stray control characters.
  let text = raw.replace(EMOJI, () => {
    removedEmoji++;
    return '\n';
  });
  text = text.replace(CONTROLS, (ch) => {
    if (KEPT_CONTROLS.has(ch)) return ch;
    removedControls++;
    return '';
  });
  text = text
    .replace(STRAY_MODIFIERS, '')
    .normalize('NFKC')
    .replace(/\r\n?/g, '\n')
    .replace(/[\t\u3000 ]+/g, ' ');
  return { text, removedControls, removedEmoji };
}

const JAPANESE = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}ー]/u;
const LETTER = /\p{L}/u;

/**
 * Share of Japanese characters (kana, kanji) among the letters of a text; 0 when it has no letters.
 *
 * @param text any text
 * @example
 * japaneseShare('パンが焼ける'); // 1
 * japaneseShare('hello world'); // 0
 */
export function japaneseShare(text: string): number {
  let letters = 0;
  let japanese = 0;
  for (const ch of text) {
    if (JAPANESE.test(ch)) {
      japanese++;
      letters++;
    } else if (LETTER.test(ch)) {
      letters++;
    }
  }
  return letters === 0 ? 0 : japanese / letters;
}

/** Length in Unicode code points, the unit of the stated text limit (an emoji counts once). */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
