/** One morpheme, as both tokenizer backends (kuromoji and MeCab, same IPADIC) report it. */
export interface Token {
  /** The text as written. */
  surface: string;
  /** Dictionary (base) form; the surface for unknown words. */
  base: string;
  /** Part of speech, e.g. 名詞, 動詞, 助動詞, 助詞. */
  pos: string;
  /** First POS detail, e.g. 自立, 非自立, 接続助詞, 格助詞. */
  pos1: string;
  /** Second POS detail, e.g. 一般. */
  pos2: string;
  /** Conjugated form, e.g. 未然形, 連用タ接続; '*' when not conjugating. */
  conjForm: string;
  /** Reading in katakana (IPADIC's), or the surface for unknown words: 美味しい and おいしい read オイシイ. */
  reading: string;
}

/** A clause: a span of a sentence between adversative markers (けど, が, のに, しかし, でも, ...). */
export interface Clause {
  /** The clause's text (normalised). */
  text: string;
  tokens: Token[];
  /** Index of the sentence this clause belongs to. */
  sentence: number;
  /** True when an adversative precedes this clause (it carries the point of a contrast). */
  adversativeBefore: boolean;
  /** True when the clause ends with an adversative (it is the conceded part of a contrast). */
  adversativeAfter: boolean;
  /** The adversative marker that opens this clause, when there is one (e.g. けど, しかし). */
  marker: string | null;
  /** True when the clause's predicate is negated (ない, ません, ず, なかった); rhetorical 〜じゃない？ is not. */
  negated: boolean;
  /** The negation markers found, as written. */
  negations: string[];
}

export type Polarity = 'met' | 'unmet';

/** A need found in one clause. */
export interface ClauseNeed {
  id: string;
  score: number;
  polarity: Polarity;
  /** Words (base forms) and dictionary phrases that support the need in this clause. */
  evidence: string[];
}

/** A need found in a whole text. */
export interface TextNeed {
  id: string;
  name_ja: string;
  name_en: string;
  score: number;
  polarity: Polarity;
}

export interface ClauseResult {
  text: string;
  sentence: number;
  needs: ClauseNeed[];
  negated: boolean;
  adversativeBefore: boolean;
  adversativeAfter: boolean;
}

/** What `classifyTexts` returns for one text. */
export interface NeedResult {
  theme: string;
  /** Needs above their threshold, highest score first. */
  needs: TextNeed[];
  /**
   * How much to trust this result, in [0, 1]: the share of the text's words the model or the
   * dictionary knows, times how far the scores sit from their thresholds. 0 for text that is
   * not Japanese.
   */
  confidence: number;
  clauses: ClauseResult[];
  /** Index into `clauses` of the clause after the last adversative (the point), or null. */
  focusClause: number | null;
  /** Human-readable notes, e.g. that the text is not Japanese or characters were removed. */
  warnings: string[];
}
