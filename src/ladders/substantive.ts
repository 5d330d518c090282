/**
 * Is an answer or a review substantive? 「予熱を5分してから入れるとムラなく焼けます」 gives the
 * reader something to use; 「すごいですね！」 does not, and must not count as a contribution. A small
 * logistic classifier over a handful of morphological features (IPADIC tokens from the project's
 * tokenizer: kuromoji or MeCab): content words, numbers and counters, clause-chaining particles,
 * advice and measurement words, impression words and exclamations, questions, length. It is fitted
 * at first use on the hand-labelled lines of data/ladders/substantive-labels.json ("train" split;
 * the "test" split only measures it), deterministically (Newton's method, L2), so the same labels
 * give the same weights.
 */
import labelled from '../../data/ladders/substantive-labels.json' with { type: 'json' };

/** A morpheme as the project's tokenizers report it (IPADIC part of speech). */
export interface TextToken {
  surface: string;
  base: string;
  pos: string;
  pos1: string;
  pos2?: string;
}

/** The tokenizer port: kuromoji in this thread, a worker pool, or MeCab; ladders does not care which. */
export interface TextTokenizer {
  readonly name: string;
  tokenize(sentences: readonly string[]): Promise<TextToken[][]>;
}

/** Bumped whenever features or labels change, so cached labels of an older classifier are not reused. */
export const SUBSTANTIVE_CLASSIFIER_VERSION = 'substantive-1';

export const FEATURE_NAMES = [
  'content_words',
  'distinct_content',
  'numbers',
  'clause_links',
  'advice_words',
  'impression_words',
  'impression_share',
  'exclamations',
  'question',
  'sentences',
  'length',
] as const;

// Evaluation, thanks, agreement and wishes: what a reaction is made of.
const IMPRESSION_WORDS = new Set([
  'すごい',
  'すごーい',
  'いい',
  'よい',
  '良い',
  '素敵',
  'すてき',
  '最高',
  'かわいい',
  '可愛い',
  'おいしい',
  '美味しい',
  'そう',
  '参考',
  'ありがとう',
  'ござる',
  '楽しみ',
  '気になる',
  'うらやましい',
  '羨ましい',
  'さすが',
  'なるほど',
  '同じ',
  '同じく',
  '共感',
  'わかる',
  '分かる',
  '好き',
  '大好き',
  '嬉しい',
  'うれしい',
  '応援',
  '感動',
  '素晴らしい',
  '満足',
  '欲しい',
  'ほしい',
  'お気に入り',
  '期待',
  'おめでとう',
  'よろしく',
  'お願い',
  '笑',
  'いいね',
  '知る',
  '知りたい',
  '真似',
  'まあまあ',
  'イマイチ',
  '普通',
  '疲れ',
  'それな',
  'ほんと',
  '本当',
  '思う',
]);

// Advice, procedure, quantity and reason words: what a usable answer is made of.
const ADVICE_WORDS = new Set([
  'くださる',
  'ください',
  'おすすめ',
  'オススメ',
  'コツ',
  '方法',
  '手順',
  '設定',
  '注意',
  '必要',
  'ほう',
  '交換',
  '確認',
  '目安',
  '約',
  'くらい',
  'ぐらい',
  '程度',
  '以上',
  '以下',
  '以内',
  '場合',
  '途中',
  '最後',
  '最初',
  '前',
  '後',
  'ため',
  'よう',
  '公式',
  'メーカー',
  '説明書',
  '保証',
  '予熱',
  '温度',
  '時間',
  'サイズ',
  '容量',
]);
const CLAUSE_LINKS = new Set([
  'ば',
  'たら',
  'と',
  'て',
  'ので',
  'から',
  'ても',
  'ながら',
  'し',
  'けど',
  'が',
]);
const EXCLAIM = /[!！♪♡❤✨😊😍🥰〜~w笑]/gu;
const DIGIT = /[0-9０-９]/;

function isContent(t: TextToken): boolean {
  if (IMPRESSION_WORDS.has(t.base)) return false;
  if (t.pos === '名詞') return !['非自立', '代名詞', '接尾', '数'].includes(t.pos1);
  if (t.pos === '動詞' || t.pos === '形容詞')
    return t.pos1 === '自立' && !['する', 'ある', 'いる', 'なる'].includes(t.base);
  return t.pos === '副詞';
}

/** Splits a text at sentence ends (。！？ and line breaks), keeping the marks. */
export function sentencesOf(text: string): string[] {
  return (text.normalize('NFKC').match(/[^。!?\n]+[。!?]*|[。!?]+/g) ?? [])
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The feature vector of one text from its tokens (all sentences, in order). */
export function featuresOf(text: string, tokens: readonly TextToken[], sentences: number): number[] {
  let content = 0;
  let numbers = 0;
  let links = 0;
  let advice = 0;
  let impression = 0;
  const distinct = new Set<string>();
  for (const t of tokens) {
    if (isContent(t)) {
      content++;
      distinct.add(t.base);
    }
    if (t.pos1 === '数' || DIGIT.test(t.surface) || t.pos2 === '助数詞') numbers++;
    if (t.pos === '助詞' && t.pos1 === '接続助詞' && CLAUSE_LINKS.has(t.base)) links++;
    if (ADVICE_WORDS.has(t.base)) advice++;
    if (IMPRESSION_WORDS.has(t.base)) impression++;
  }
  const normalized = text.normalize('NFKC').trim();
  const exclamations = normalized.match(EXCLAIM)?.length ?? 0;
  return [
    Math.log1p(content),
    Math.log1p(distinct.size),
    Math.min(4, numbers),
    Math.min(5, links),
    Math.min(4, advice),
    Math.min(4, impression),
    impression / (impression + content + 1),
    Math.min(4, exclamations),
    /[?？]\s*$|か[。\s]*$/.test(normalized) ? 1 : 0,
    Math.log1p(sentences),
    Math.log1p([...normalized].length),
  ];
}

/** A fitted logistic model over standardised features. */
export interface SubstantiveModel {
  version: string;
  featureNames: readonly string[];
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
  trainedOn: number;
}

/**
 * Fits the model: L2-regularised logistic regression by Newton's method on standardised features.
 * Deterministic: the same rows give the same weights.
 */
export function fitLogistic(
  x: readonly number[][],
  y: readonly number[],
  l2 = 1,
): Omit<SubstantiveModel, 'version' | 'featureNames'> {
  const n = x.length;
  const d = x[0]?.length ?? 0;
  const mean = new Array<number>(d).fill(0);
  const scale = new Array<number>(d).fill(0);
  for (const row of x) for (let j = 0; j < d; j++) mean[j]! += row[j]! / n;
  for (const row of x) for (let j = 0; j < d; j++) scale[j]! += (row[j]! - mean[j]!) ** 2 / n;
  for (let j = 0; j < d; j++) scale[j] = Math.sqrt(scale[j]!) || 1;
  const z = x.map((row) => [...row.map((v, j) => (v - mean[j]!) / scale[j]!), 1]);
  const w = new Array<number>(d + 1).fill(0);
  for (let iter = 0; iter < 50; iter++) {
    const grad = new Array<number>(d + 1).fill(0);
    const hess = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    for (let i = 0; i < n; i++) {
      const zi = z[i]!;
      let s = 0;
      for (let j = 0; j <= d; j++) s += w[j]! * zi[j]!;
      const p = 1 / (1 + Math.exp(-s));
      const r = p * (1 - p);
      for (let j = 0; j <= d; j++) {
        grad[j]! += (p - y[i]!) * zi[j]!;
        for (let k = 0; k <= d; k++) hess[j]![k]! += r * zi[j]! * zi[k]!;
      }
    }
    for (let j = 0; j < d; j++) {
      grad[j]! += l2 * w[j]!;
      hess[j]![j]! += l2;
    }
    hess[d]![d]! += 1e-9;
    const step = solve(hess, grad);
    let change = 0;
    for (let j = 0; j <= d; j++) {
      w[j]! -= step[j]!;
      change = Math.max(change, Math.abs(step[j]!));
    }
    if (change < 1e-10) break;
  }
  return { mean, scale, weights: w.slice(0, d), bias: w[d]!, trainedOn: n };
}

/** Solves A x = b (A symmetric positive definite, small) by Gaussian elimination with pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const out = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * out[k]!;
    out[r] = s / m[r]![r]!;
  }
  return out;
}

export interface LabelledText {
  text: string;
  substantive: boolean;
  split: 'train' | 'test';
}

/** The hand-labelled lines shipped in data/ladders/substantive-labels.json. */
export const LABELLED_TEXTS: readonly LabelledText[] = labelled.labels as LabelledText[];

async function featureRows(texts: readonly string[], tokenizer: TextTokenizer): Promise<number[][]> {
  const split = texts.map(sentencesOf);
  const tokens = await tokenizer.tokenize(split.flat());
  const out: number[][] = [];
  let at = 0;
  texts.forEach((text, i) => {
    const n = split[i]!.length;
    out.push(featuresOf(text, tokens.slice(at, at + n).flat(), n));
    at += n;
  });
  return out;
}

export interface SubstantiveLabel {
  substantive: boolean;
  /** Probability of being substantive. */
  score: number;
}

/** The classifier: fitted once on the labelled lines, then applied to any texts. */
export class SubstantiveClassifier {
  private constructor(
    readonly model: SubstantiveModel,
    private readonly tokenizer: TextTokenizer,
  ) {}

  /**
   * Fits the classifier on the "train" lines (or the given ones) with this tokenizer.
   *
   * @example
   * const c = await SubstantiveClassifier.create(kuromojiTokenizer);
   * (await c.classify(['すごいですね！', '予熱を5分すると焼きムラが出ません。'])).map((r) => r.substantive); // [false, true]
   */
  static async create(
    tokenizer: TextTokenizer,
    training: readonly LabelledText[] = LABELLED_TEXTS.filter((l) => l.split === 'train'),
  ): Promise<SubstantiveClassifier> {
    const x = await featureRows(
      training.map((l) => l.text),
      tokenizer,
    );
    const fitted = fitLogistic(
      x,
      training.map((l) => (l.substantive ? 1 : 0)),
    );
    return new SubstantiveClassifier(
      { version: SUBSTANTIVE_CLASSIFIER_VERSION, featureNames: FEATURE_NAMES, ...fitted },
      tokenizer,
    );
  }

  /** Labels each text (an empty text is not substantive). */
  async classify(texts: readonly string[]): Promise<SubstantiveLabel[]> {
    const rows = await featureRows(texts, this.tokenizer);
    const m = this.model;
    return rows.map((row, i) => {
      if (!texts[i]!.trim()) return { substantive: false, score: 0 };
      let s = m.bias;
      for (let j = 0; j < row.length; j++) s += m.weights[j]! * ((row[j]! - m.mean[j]!) / m.scale[j]!);
      const score = 1 / (1 + Math.exp(-s));
      return { substantive: score >= 0.5, score };
    });
  }
}
