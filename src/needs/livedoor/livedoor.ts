import { InvalidInputError } from '../../schema/index.ts';
import { DEFAULT_FEATURES, type FeatureParams, tokenFeatures } from '../model/features.ts';
import { hashFraction } from '../model/order.ts';
import { type MulticlassParams, predictSoftmax, trainSoftmax } from '../model/softmax.ts';
import { featureIndex, fitVocabulary, vectorize } from '../model/vectorizer.ts';
import { normalizeText } from '../text/normalize.ts';
import { splitSentences } from '../text/sentences.ts';
import type { Tokenizer } from '../tokenize/tokenizer.ts';
import type { Token } from '../types.ts';

export const LIVEDOOR_CATEGORIES = [
  'dokujo-tsushin',
  'it-life-hack',
  'kaden-channel',
  'livedoor-homme',
  'movie-enter',
  'peachy',
  'smax',
  'sports-watch',
  'topic-news',
] as const;

export interface LivedoorDoc {
  /** File name, e.g. `sports-watch-4597641.txt`: stable, so the split is too. */
  id: string;
  category: number;
  title: string;
  body: string;
  split: 'train' | 'test';
}

/** Share of articles held out for testing, chosen by a hash of the file name. */
export const LIVEDOOR_TEST_SHARE = 0.2;

/** One file of the corpus archive: its path in the archive and its bytes. */
export interface ArchiveFile {
  name: string;
  data: Uint8Array;
}

const utf8 = new TextDecoder();

/**
 * Parses the files of the livedoor news corpus archive (`ldcc_text.tar.gz`, read by
 * `readLivedoor` in `src/adapters`): each article file has its URL line, date line, title, then
 * the body. LICENSE and README files are skipped. The held-out 20% is fixed by a hash of the
 * file name, independent of archive order.
 *
 * @param files the archive's files
 * @param source where they came from, for the message
 * @throws InvalidInputError when the files hold no livedoor articles
 * @example
 * const docs = parseLivedoor(readTar('../shared/data/livedoor/ldcc_text.tar.gz'), 'ldcc_text.tar.gz');
 * docs.length; // 7,367
 */
export function parseLivedoor(files: readonly ArchiveFile[], source: string): LivedoorDoc[] {
  const docs: LivedoorDoc[] = [];
  for (const entry of files) {
    const file = entry.name.slice(entry.name.lastIndexOf('/') + 1);
    const category = LIVEDOOR_CATEGORIES.findIndex((c) => file.startsWith(`${c}-`) && file.endsWith('.txt'));
    if (category < 0) continue;
    const lines = utf8.decode(entry.data).split('\n');
    docs.push({
      id: file,
      category,
      title: (lines[2] ?? '').trim(),
      body: lines.slice(3).join('\n').trim(),
      split: hashFraction(file) < LIVEDOOR_TEST_SHARE ? 'test' : 'train',
    });
  }
  if (docs.length === 0) throw new InvalidInputError(`${source} holds no livedoor news articles`, 'archive');
  docs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return docs;
}

export interface LivedoorOptions {
  tokenizer: Tokenizer;
  /** Characters of each article used (title first, then body); bounds tokenizing time. */
  maxChars?: number;
  features?: FeatureParams;
  minDf?: number;
  maxFeatures?: number;
  train?: Partial<MulticlassParams>;
  onProgress?: (stage: string) => void;
}

export interface LivedoorResult {
  accuracy: number;
  macroF1: number;
  perClass: { category: string; precision: number; recall: number; f1: number; support: number }[];
  /** confusion[gold][predicted] */
  confusion: number[][];
  trainDocs: number;
  testDocs: number;
  features: number;
  chars: number;
  tokenizer: string;
  seconds: { tokenize: number; train: number; total: number };
}

export const LIVEDOOR_DEFAULTS = {
  /** The need classifier's per-text limit; few articles are longer. */
  maxChars: 5_000,
  minDf: 2,
  maxFeatures: 80_000,
  train: { seed: 42, epochs: 30, lr: 0.02, batchSize: 64, l2: 1e-5 } satisfies MulticlassParams,
};

/** News topics need every token and none of the needs-specific cues. */
const LIVEDOOR_FEATURES: FeatureParams = {
  ...DEFAULT_FEATURES,
  charNgrams: null,
  readings: false,
  readingNgrams: null,
  negationScope: false,
  dictionary: false,
  cues: false,
  allTokens: true,
};

/**
 * Trains and tests the need pipeline's text machinery on livedoor news (9 single-label
 * classes): the same normalisation, sentence split, tokenizer, word and bigram features, TF-IDF
 * vectorizer, sparse TensorFlow.js op and manual Adam loop as the need classifier, with a
 * softmax head in place of the multi-label heads.
 *
 * @param docs from `readLivedoor`
 * @param options tokenizer (a pool or MeCab for speed) and settings
 * @returns held-out accuracy, per-class figures, confusion matrix and timings
 * @example
 * const r = await trainLivedoor(docs, { tokenizer: kuromojiTokenizer });
 * r.accuracy; // ~0.97
 */
export async function trainLivedoor(
  docs: readonly LivedoorDoc[],
  options: LivedoorOptions,
): Promise<LivedoorResult> {
  const started = performance.now();
  const maxChars = options.maxChars ?? LIVEDOOR_DEFAULTS.maxChars;
  const params = options.features ?? LIVEDOOR_FEATURES;
  const progress = options.onProgress ?? (() => undefined);
  progress('tokenizing');
  const perDoc = docs.map((d) => ({
    title: splitSentences(normalizeText(d.title).text),
    body: splitSentences(normalizeText(d.body.slice(0, Math.max(0, maxChars - d.title.length))).text),
  }));
  const chars = perDoc.reduce((s, d) => s + [...d.title, ...d.body].reduce((a, x) => a + x.length, 0), 0);
  const tokens = await options.tokenizer.tokenize(perDoc.flatMap((d) => [...d.title, ...d.body]));
  const tokenized = performance.now();
  progress('features');
  const features = docFeatures(perDoc, tokens, params);
  const trainIdx = docs.map((_, i) => i).filter((i) => docs[i]!.split === 'train');
  const testIdx = docs.map((_, i) => i).filter((i) => docs[i]!.split === 'test');
  const vocab = fitVocabulary(
    trainIdx.map((i) => features[i]!),
    {
      minDf: options.minDf ?? LIVEDOOR_DEFAULTS.minDf,
      maxFeatures: options.maxFeatures ?? LIVEDOOR_DEFAULTS.maxFeatures,
      tf: 'log',
    },
  );
  const index = featureIndex(vocab);
  const xTrain = vectorize(
    vocab,
    trainIdx.map((i) => features[i]!),
    index,
  );
  const xTest = vectorize(
    vocab,
    testIdx.map((i) => features[i]!),
    index,
  );
  progress('training');
  const classes = LIVEDOOR_CATEGORIES.length;
  const model = await trainSoftmax(
    xTrain,
    Int32Array.from(trainIdx, (i) => docs[i]!.category),
    classes,
    {
      ...LIVEDOOR_DEFAULTS.train,
      ...options.train,
    },
  );
  const predicted = predictSoftmax(model, xTest);
  const confusion = LIVEDOOR_CATEGORIES.map(() => new Array<number>(classes).fill(0));
  testIdx.forEach((i, r) => {
    confusion[docs[i]!.category]![predicted[r]!]!++;
  });
  const correct = confusion.reduce((s, row, c) => s + row[c]!, 0);
  const perClass = perClassMetrics(confusion);
  const done = performance.now();
  return {
    accuracy: correct / Math.max(1, testIdx.length),
    macroF1: perClass.reduce((s, c) => s + c.f1, 0) / classes,
    perClass,
    confusion,
    trainDocs: trainIdx.length,
    testDocs: testIdx.length,
    features: vocab.features.length,
    chars,
    tokenizer: options.tokenizer.name,
    seconds: {
      tokenize: (tokenized - started) / 1000,
      train: (done - tokenized) / 1000,
      total: (done - started) / 1000,
    },
  };
}

/**
 * Each document's features. Title and body are tokenized apart: the title's words also count as
 * title words (`t` prefix), because a headline says more about the section than any sentence of
 * the body.
 */
function docFeatures(
  perDoc: readonly { title: string[]; body: string[] }[],
  tokens: readonly Token[][],
  params: FeatureParams,
): string[][] {
  let k = 0;
  return perDoc.map((d) => {
    const title = tokens.slice(k, k + d.title.length).flat();
    k += d.title.length;
    const body = tokens.slice(k, k + d.body.length).flat();
    k += d.body.length;
    const titleFeatures = tokenFeatures(title, '', params, false);
    return [
      ...titleFeatures,
      ...titleFeatures.map((f) => `t${f}`),
      ...tokenFeatures(body, '', params, false),
    ];
  });
}

/** Precision, recall and F1 of each category from the confusion matrix (rows: true, columns: predicted). */
function perClassMetrics(confusion: readonly number[][]) {
  return LIVEDOOR_CATEGORIES.map((category, c) => {
    const tp = confusion[c]![c]!;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predictedC = confusion.reduce((a, row) => a + row[c]!, 0);
    const precision = predictedC ? tp / predictedC : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { category, precision, recall, f1, support };
  });
}
