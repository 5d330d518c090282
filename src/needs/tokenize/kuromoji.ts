import kuromoji from 'kuromoji';
import type { Token } from '../types.ts';
import { byChunks } from './chunks.ts';

type KuromojiTokenizer = kuromoji.Tokenizer<kuromoji.IpadicFeatures>;

let building: Promise<KuromojiTokenizer> | null = null;

/**
 * IPADIC ships in the package's `dict/` folder. Found with `import.meta.resolve` rather than
 * `createRequire`, so the module imports no Node built-in (kuromoji itself reads the files).
 */
function dictionaryPath(): string {
  return decodeURIComponent(new URL('dict/', import.meta.resolve('kuromoji/package.json')).pathname);
}

/**
 * The process-wide kuromoji tokenizer. Building it reads the IPADIC dictionary (about 1 s and
 * 320 MB), so it is built once, lazily, and every caller awaits the same promise: concurrent
 * first calls never build two. A failed build is forgotten so that a later call can retry.
 *
 * @returns the shared tokenizer
 * @throws Error when the dictionary cannot be read
 * @example
 * const tk = await getKuromoji();
 * tk.tokenize('パンが焼ける').length; // 3
 */
export function getKuromoji(): Promise<KuromojiTokenizer> {
  if (!building) {
    building = new Promise<KuromojiTokenizer>((resolve, reject) => {
      kuromoji.builder({ dicPath: dictionaryPath() }).build((err, tokenizer) => {
        if (err) reject(new Error(`kuromoji dictionary could not be loaded: ${err.message}`));
        else resolve(tokenizer);
      });
    });
    building.catch(() => {
      building = null;
    });
  }
  return building;
}

/** True once the shared tokenizer has been requested (for tests of the one-instance rule). */
export function kuromojiRequested(): boolean {
  return building !== null;
}

/** Converts kuromoji's token to ours; whitespace tokens are dropped, as MeCab drops them. */
export function fromKuromoji(tokens: kuromoji.IpadicFeatures[]): Token[] {
  const out: Token[] = [];
  for (const t of tokens) {
    if (t.pos === '記号' && t.pos_detail_1 === '空白') continue;
    out.push({
      surface: t.surface_form,
      base: t.basic_form === '*' || !t.basic_form ? t.surface_form : t.basic_form,
      pos: t.pos,
      pos1: t.pos_detail_1,
      pos2: t.pos_detail_2,
      conjForm: t.conjugated_form,
      reading: t.reading && t.reading !== '*' ? t.reading : t.surface_form,
    });
  }
  return out;
}

/**
 * Tokenizes sentences with the shared kuromoji tokenizer, on the calling thread.
 *
 * @param sentences normalised sentences (see `splitSentences`)
 * @returns one token list per sentence
 * @example
 * const [tokens] = await tokenizeKuromoji(['パンが焼ける']);
 * tokens.map((t) => t.base); // ['パン', 'が', '焼ける']
 */
export async function tokenizeKuromoji(sentences: readonly string[]): Promise<Token[][]> {
  const tk = await getKuromoji();
  return byChunks(sentences, (pieces) => pieces.map((s) => fromKuromoji(tk.tokenize(s))));
}
